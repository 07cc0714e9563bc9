import type { EventStore, StoredEvent } from '../../../kit/event-store/port.ts';
import { isPublishable } from '../../../kit/events/internal.ts';
import { sagaStreamId } from '../../../kit/saga/runner.ts';
import type { AnyEvent } from '../events/catalog.ts';
import { ordersCatalog, parseEvent } from '../events/catalog.ts';
import { inventoryStreams } from './inventory.ts';
import { notificationStreamId } from './notifications.ts';
import { paymentStreamId } from './payment.ts';

/** Name of the order saga definition (`orderSaga`), which its stream ids carry. */
const ORDER_SAGA = { name: 'order' } as const;

/** The order saga's stream of one order: its first event is the order's OrderPlaced. */
export function orderSagaStreamId(orderId: string): string {
  return sagaStreamId(ORDER_SAGA, orderId);
}

/** Every stream that holds events of one order: saga, inventory reservation, payment, notifications. */
export function orderStreamIds(orderId: string): string[] {
  return [
    orderSagaStreamId(orderId),
    inventoryStreams.order(orderId),
    paymentStreamId(orderId),
    notificationStreamId(orderId),
  ];
}

/** Prefix of the saga streams' ids: listing them lists the orders the store knows. */
export const ORDER_SAGA_STREAM_PREFIX = sagaStreamId(ORDER_SAGA, '');

/**
 * The published events of an order as the event store holds them, for rebuilding read models.
 * The saga stores the `OrderPlaced` it accepted in its own stream (the intake write). Sagas stored
 * before that kept only what they started from (`SagaStarted` with the order data, `SagaInputHandled`
 * with the event's id and time), so for them it is recovered from there (falling back to the saga's
 * time for sagas stored before `eventTime` was recorded).
 */
export async function* orderEvents(store: EventStore, orderId: string): AsyncGenerator<AnyEvent> {
  for (const streamId of orderStreamIds(orderId)) {
    const stored: StoredEvent[] = [];
    for await (const event of store.readAll(streamId)) stored.push(event);
    const isSaga = streamId === orderStreamIds(orderId)[0];
    const storedPlaced = stored.some(({ event }) => event.type === 'OrderPlaced');
    const placed = isSaga && !storedPlaced ? recoverOrderPlaced(stored) : undefined;
    if (placed) yield placed;
    for (const { event } of stored) if (isPublishable(ordersCatalog, event)) yield parseEvent(event);
  }
}

function recoverOrderPlaced(stored: readonly StoredEvent[]): AnyEvent | undefined {
  const handled = stored.find(
    ({ event }) => event.type === 'SagaInputHandled' && event.data.eventType === 'OrderPlaced',
  )?.event;
  const started = stored.find(({ event }) => event.type === 'SagaStarted')?.event;
  if (!handled || !started) return undefined;
  return parseEvent({
    id: String(handled.data.eventId),
    type: 'OrderPlaced',
    version: 2,
    source: 'orders.api',
    time: typeof handled.data.eventTime === 'string' ? handled.data.eventTime : started.time,
    correlationId: started.correlationId,
    data: (started.data as { data: unknown }).data,
  });
}

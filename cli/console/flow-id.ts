import type { EventStore } from '../../shared/kit/event-store/port.ts';
import { sagaStreamId } from '../../shared/kit/saga/runner.ts';

/**
 * The correlation id of an order's flow, or undefined when `orderId` names no order: the first event of
 * the order saga's stream carries it. Lets the console's flow search take an order id as well as a
 * correlation id. `order` is the order saga's name (orderSaga in shared/contexts/orders/sagas).
 */
export async function correlationOfOrder(
  store: Pick<EventStore, 'read'>,
  orderId: string,
): Promise<string | undefined> {
  const page = await store.read(sagaStreamId({ name: 'order' }, orderId), { limit: 1 });
  return page.events[0]?.event.correlationId;
}

import { orderSagaStreamId } from '../../shared/contexts/orders/use-cases/order-history.ts';
import type { EventStore } from '../../shared/kit/event-store/port.ts';

/**
 * The correlation id of an order's flow, or undefined when `orderId` names no order: the first event of
 * the order saga's stream carries it. Lets the console's flow search take an order id as well as a
 * correlation id.
 */
export async function correlationOfOrder(
  store: Pick<EventStore, 'read'>,
  orderId: string,
): Promise<string | undefined> {
  const page = await store.read(orderSagaStreamId(orderId), { limit: 1 });
  return page.events[0]?.event.correlationId;
}

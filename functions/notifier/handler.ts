import { ordersCatalog } from '../../shared/contexts/orders/events/catalog.ts';
import { outcomeFanOutHandlers } from '../../shared/contexts/orders/use-cases/outcome-fan-out.ts';
import { createSqsConsumer } from '../../shared/kit/consumer/runtime.ts';
import { consumerDeps, publisher } from './config.ts';

/**
 * Notifier: order outcomes (`OrderConfirmed`, `OrderCancelled`) from the bus → the notifications
 * topic, with the `type`/`source` message attributes its channel subscriptions filter on (an
 * EventBridge → SNS target cannot set message attributes, hence this small function).
 */
export const handler = createSqsConsumer({
  catalog: ordersCatalog,
  name: 'notifier',
  handlers: outcomeFanOutHandlers(publisher),
  // Reacts only to stored events (published by the outbox); anything else is refused with its reason.
  intake: [],
  ...consumerDeps,
});

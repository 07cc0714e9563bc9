import { createSqsConsumer } from '../../shared/consumer/runtime.ts';
import { orderSummaryHandlers } from '../../shared/use-cases/order-summary.ts';
import { consumerDeps, storedCheck, summaries } from './config.ts';

/**
 * Projector: folds every published order event into the order's summary (status, items, total,
 * timeline) with an optimistic lock per order. Duplicates and out-of-order events change nothing, so
 * the table can be deleted and rebuilt from the event store (`pipeline orders rebuild`).
 */
export const handler = createSqsConsumer({
  name: 'projector',
  handlers: orderSummaryHandlers(summaries),
  // Reacts only to stored events (published by the outbox); anything else is refused with its reason.
  intake: [],
  storedCheck,
  ...consumerDeps,
});

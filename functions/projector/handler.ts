import { ordersCatalog } from '../../shared/contexts/orders/events/catalog.ts';
import {
  BatchedOrderSummaries,
  batchedOrderSummaryHandlers,
} from '../../shared/contexts/orders/use-cases/order-summary.ts';
import { createStoreStreamConsumer } from '../../shared/kit/consumer/store-stream.ts';
import { logger, metrics, summaries } from './config.ts';

/** The batch's summaries: read once per order, written once per order when the batch is through. */
const batch = new BatchedOrderSummaries(summaries);

/**
 * Projector: folds every stored order event into the order's summary (status, items, total,
 * timeline) with an optimistic lock per order, reading the event store's change stream itself: what
 * it folds is what the store holds, with no queue, no message per event and no stored check in
 * between. One pass over the batch folds in memory, then one write per order changed; a commit whose
 * order could not be written is answered for Lambda to retry from. Duplicates and out-of-order events
 * change nothing, so the table can be deleted and rebuilt from the event store (`pipeline orders
 * rebuild`).
 */
export const handler = createStoreStreamConsumer({
  catalog: ordersCatalog,
  name: 'projector',
  handlers: batchedOrderSummaryHandlers(batch),
  logger,
  metrics,
  beforeBatch: () => batch.begin(),
  afterBatch: async () => (await batch.flush()).failedMessageIds,
});

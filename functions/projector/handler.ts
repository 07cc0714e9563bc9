import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { ordersCatalog } from '../../shared/contexts/orders/events/catalog.ts';
import {
  BatchedOrderSummaries,
  batchedOrderSummaryHandlers,
} from '../../shared/contexts/orders/use-cases/order-summary.ts';
import { createSqsConsumer } from '../../shared/kit/consumer/runtime.ts';
import { consumerDeps, storedCheck, summaries } from './config.ts';

/** The batch's summaries: read once per order, written once per order when the batch is through. */
const batch = new BatchedOrderSummaries(summaries);

/**
 * Folds every stored order event into the order's summary (status, items, total, timeline) with an
 * optimistic lock per order. Duplicates and out-of-order events change nothing, so the table can be
 * deleted and rebuilt from the event store (`pipeline orders rebuild`).
 */
const consumer = createSqsConsumer({
  catalog: ordersCatalog,
  name: 'projector',
  handlers: batchedOrderSummaryHandlers(batch),
  // Reacts only to stored events (delivered by the outbox); anything else is refused with its reason.
  intake: [],
  storedCheck,
  ...consumerDeps,
});

/**
 * Projector: one pass over the batch (each record checked, folded in memory, or refused), then one
 * write per order changed. Records whose order could not be written are returned for retry.
 */
export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  batch.begin();
  const response = await consumer(event);
  const { failedMessageIds } = await batch.flush();
  const failed = new Set([...response.batchItemFailures.map((f) => f.itemIdentifier), ...failedMessageIds]);
  return { batchItemFailures: [...failed].map((itemIdentifier) => ({ itemIdentifier })) };
}

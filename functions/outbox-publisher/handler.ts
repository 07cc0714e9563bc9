import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { config, publishMessages, putEvents, routes, sendMessages } from './config.ts';
import { publishStreamRecords } from './publish.ts';

/**
 * Outbox publisher: DynamoDB stream of the event store → EventBridge bus (integration events), the
 * queues of the pipeline's own consumers and the fan-out topics fed by the outbox (the stored events
 * each takes, `OUTBOX_ROUTES`).
 * Inserted commit items are delivered in order; the first record that cannot be published is
 * returned as the batch item failure, so Lambda retries from it (bisecting the batch, then sending
 * it to the on-failure queue after the mapping's retries) instead of dropping it.
 */
export async function handler(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const outcome = await publishStreamRecords(event.Records, {
    putEvents,
    sendMessages,
    publishMessages,
    ...(routes === undefined ? {} : { routes }),
    busName: config.EVENT_BUS_NAME,
    maxAttempts: config.PUBLISH_MAX_ATTEMPTS,
  });
  console.log(
    JSON.stringify({
      level: outcome.failure ? 'ERROR' : 'INFO',
      message: 'outbox batch',
      records: event.Records.length,
      published: outcome.published.length,
      skipped: outcome.skipped,
      eventIds: outcome.published,
      failure: outcome.failure,
    }),
  );
  return {
    batchItemFailures: outcome.failure ? [{ itemIdentifier: outcome.failure.sequenceNumber }] : [],
  };
}

import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { delayRetry } from '../../shared/consumer/sqs-retry.ts';
import { config, dynamo, sqs } from './config.ts';
import { envelopeFromSqsBody, recordEvent } from './record-event.ts';

/**
 * Walking-skeleton consumer: EventBridge rule → SQS → here → DynamoDB.
 * Each record succeeds or fails on its own (ReportBatchItemFailures). A failed record comes back
 * after an exponential backoff and, after maxReceiveCount receives, the queue's redrive policy moves
 * it to the DLQ. (The consumer runtime of the saga issue adds immediate dead-lettering of invalid input.)
 */
export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    try {
      const envelope = envelopeFromSqsBody(record.body);
      const outcome = await recordEvent(dynamo, config.TABLE_NAME, envelope);
      console.log(
        JSON.stringify({ level: 'INFO', outcome, eventId: envelope.id, messageId: record.messageId }),
      );
    } catch (error) {
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      const retryInSeconds = await delayRetry(sqs, config.QUEUE_URL, record);
      const receiveCount = record.attributes.ApproximateReceiveCount;
      console.log(
        JSON.stringify({
          level: 'ERROR',
          outcome: 'failed',
          messageId: record.messageId,
          reason,
          receiveCount,
          retryInSeconds,
        }),
      );
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
}

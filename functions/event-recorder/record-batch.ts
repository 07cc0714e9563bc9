import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { sendToDeadLetter } from '../../shared/kit/consumer/dead-letter.ts';
import { delayRetry } from '../../shared/kit/consumer/sqs-retry.ts';
import type { SqsPort } from '../../shared/kit/consumer/types.ts';
import { isRetryable } from '../../shared/kit/errors/pipeline-error.ts';
import { envelopeFromSqsBody, recordEvent } from './record-event.ts';

/** What one batch of the recorder needs. */
export interface RecorderDeps {
  readonly dynamo: DynamoDBClient;
  readonly sqs: SqsPort;
  readonly tableName: string;
  readonly queueUrl: string;
  /** Where a record that can never be recorded goes at once, with the reason as message attributes. */
  readonly dlqUrl: string;
  readonly now?: () => Date;
  readonly log?: (line: Record<string, unknown>) => void;
}

const errorText = (error: unknown) =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

/**
 * Records each event of a batch on its own (ReportBatchItemFailures). A record that can never be
 * recorded (not JSON, not an EventBridge event, not an envelope) goes to the DLQ at once with its
 * reason (`error-code`, `error-message`, `error-path`…), as the consumer runtime does; any other
 * failure comes back after an exponential backoff and, after maxReceiveCount receives, the queue's
 * redrive policy moves it to the DLQ. If the DLQ send itself fails, the record is retried instead.
 */
export async function recordBatch(event: SQSEvent, deps: RecorderDeps): Promise<SQSBatchResponse> {
  const now = deps.now ?? (() => new Date());
  const log = deps.log ?? ((line) => console.log(JSON.stringify(line)));
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    const keys = { messageId: record.messageId, receiveCount: record.attributes.ApproximateReceiveCount };
    try {
      const envelope = envelopeFromSqsBody(record.body);
      const outcome = await recordEvent(deps.dynamo, deps.tableName, envelope, now);
      log({ level: 'INFO', outcome, eventId: envelope.id, messageId: record.messageId });
    } catch (error) {
      if (!isRetryable(error)) {
        try {
          const target = { dlqUrl: deps.dlqUrl, failedAt: now(), sourceQueue: deps.queueUrl };
          const reason = await sendToDeadLetter(deps.sqs, record, error, target);
          log({ level: 'ERROR', outcome: 'dead-lettered', ...keys, ...reason });
          continue;
        } catch (sendError) {
          log({ level: 'ERROR', outcome: 'dlq-send-failed', ...keys, dlqError: errorText(sendError) });
        }
      }
      const retryInSeconds = await delayRetry(deps.sqs, deps.queueUrl, record);
      log({ level: 'ERROR', outcome: 'failed', ...keys, reason: errorText(error), retryInSeconds });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
}

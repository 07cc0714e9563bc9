import { ChangeMessageVisibilityCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { type BackoffPolicy, backoffSeconds } from './backoff.ts';

/**
 * Schedules the next delivery of a failed record by shortening (or lengthening) its visibility
 * timeout, instead of letting it wait out the queue's full timeout. Redrive to the DLQ still happens
 * through the queue's RedrivePolicy once maxReceiveCount is reached, exactly as on AWS.
 * A failure to change visibility is not fatal: the record then simply returns after the queue default.
 */
export async function delayRetry(
  sqs: SQSClient,
  queueUrl: string,
  record: Pick<SQSRecord, 'receiptHandle' | 'attributes'>,
  policy?: BackoffPolicy,
): Promise<number | undefined> {
  const receiveCount = Number(record.attributes.ApproximateReceiveCount ?? '1');
  const seconds = backoffSeconds(receiveCount, policy);
  try {
    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queueUrl,
        ReceiptHandle: record.receiptHandle,
        VisibilityTimeout: seconds,
      }),
    );
    return seconds;
  } catch {
    return undefined;
  }
}

import { ChangeMessageVisibilityCommand } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { type BackoffPolicy, backoffSeconds } from './backoff.ts';

/** The one SQS call {@link delayRetry} makes; `SQSClient` satisfies it. */
export interface VisibilityPort {
  send(command: ChangeMessageVisibilityCommand): Promise<unknown>;
}

/**
 * Schedules the next delivery of a failed record by shortening (or lengthening) its visibility
 * timeout, instead of letting it wait out the queue's full timeout. Redrive to the DLQ still happens
 * through the queue's RedrivePolicy once maxReceiveCount is reached, exactly as on AWS.
 * A failure to change visibility is not fatal: the record then simply returns after the queue default.
 * Returns the delay set, or `undefined` when SQS refused.
 */
export async function delayRetry(
  sqs: VisibilityPort,
  queueUrl: string,
  record: Pick<SQSRecord, 'receiptHandle' | 'attributes'>,
  policy?: BackoffPolicy,
  random: () => number = Math.random,
): Promise<number | undefined> {
  const receiveCount = Number(record.attributes.ApproximateReceiveCount ?? '1');
  const seconds = backoffSeconds(receiveCount, policy, random);
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

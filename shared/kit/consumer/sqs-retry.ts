import { ChangeMessageVisibilityCommand } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { backoffDelay } from '../retry/backoff.ts';

/** How a failed SQS record waits before it is received again. */
export interface BackoffPolicy {
  /** Delay ceiling of the first retry, in seconds. @default 2 */
  readonly baseSeconds?: number;
  /** Upper bound of any delay; SQS allows at most 12 hours of visibility. @default 900 */
  readonly maxSeconds?: number;
}

const SQS_MAX_VISIBILITY_SECONDS = 43_200;

/**
 * Exponential backoff with "equal jitter": half of the exponential step is fixed, half random.
 * The fixed half guarantees the delay grows with every receive; the random half keeps a burst of
 * failures from coming back all at once. `receiveCount` is SQS's ApproximateReceiveCount (1 on the first try).
 */
export function backoffSeconds(
  receiveCount: number,
  policy: BackoffPolicy = {},
  random: () => number = Math.random,
): number {
  const base = policy.baseSeconds ?? 2;
  const cap = Math.min(policy.maxSeconds ?? 900, SQS_MAX_VISIBILITY_SECONDS);
  // A missing or garbled ApproximateReceiveCount counts as the first attempt.
  const attempt = Number.isFinite(receiveCount) ? Math.max(1, Math.floor(receiveCount)) : 1;
  return Math.max(1, Math.round(backoffDelay(attempt, { base, cap, jitter: 'equal' }, random)));
}

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

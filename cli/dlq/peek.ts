import type { QueuePort, ReceivedMessage } from './queue-port.ts';

/**
 * How long peeked messages are hidden while a scan runs. SQS has no "peek": reading means receiving,
 * and a receive with visibility 0 would return the same messages again and again, so a scan could
 * never get past the first ten. Messages are hidden for this long and made visible again (visibility
 * 0) as soon as the scan ends; if the process dies mid-scan they reappear on their own after it.
 */
export const PEEK_VISIBILITY_SECONDS = 30;

/** Long polling asks every SQS server, so an empty answer means "nothing visible", not "unlucky sample". */
const EMPTY_POLL_WAIT_SECONDS = 1;

export interface PeekOptions {
  /** Stop after this many distinct messages. */
  readonly limit: number;
  /** Stop early once this many are seen (the queue's visible depth), saving the final empty poll. */
  readonly expected?: number;
  readonly visibilityTimeout?: number;
  /** Called after each receive with the number of distinct messages seen. */
  readonly onProgress?: (seen: number) => void;
}

export interface PeekResult {
  readonly messages: readonly ReceivedMessage[];
  /** Receipt handles whose visibility could not be reset: hidden until their timeout ends. */
  readonly notReset: number;
}

/**
 * Reads up to `limit` messages and leaves every one of them in the queue, visible again.
 * Every receive still counts: ApproximateReceiveCount grows by one per peek, so a queue with a
 * RedrivePolicy of its own could move messages onwards (callers warn about that).
 * FIFO: a message group stays locked while one of its messages is in flight, so a scan sees at most
 * the messages of each group that SQS returns in one receive.
 */
export async function peekMessages(port: QueuePort, url: string, options: PeekOptions): Promise<PeekResult> {
  const seen = new Map<string, ReceivedMessage>();
  // Only the latest receipt handle of a message can change its visibility.
  const latestHandle = new Map<string, string>();
  let notReset = 0;
  const visibilityTimeout = options.visibilityTimeout ?? PEEK_VISIBILITY_SECONDS;
  let emptyPolls = 0;
  try {
    while (seen.size < options.limit && (options.expected === undefined || seen.size < options.expected)) {
      const batch = await port.receive(url, {
        maxMessages: Math.min(10, options.limit - seen.size),
        visibilityTimeout,
        waitSeconds: emptyPolls > 0 ? EMPTY_POLL_WAIT_SECONDS : 0,
      });
      if (batch.length === 0) {
        if (++emptyPolls > 1) break;
        continue;
      }
      emptyPolls = 0;
      for (const message of batch) {
        latestHandle.set(message.messageId, message.receiptHandle);
        // A message seen again (the scan outlived its visibility) keeps its first, complete reading.
        if (!seen.has(message.messageId)) seen.set(message.messageId, message);
      }
      options.onProgress?.(seen.size);
    }
  } finally {
    const handles = [...latestHandle.values()];
    if (handles.length > 0) notReset = (await port.changeVisibility(url, handles, 0)).length;
  }
  return { messages: [...seen.values()].slice(0, options.limit), notReset };
}

import { createHash } from 'node:crypto';
import type { PutEventsEntry } from '../../shared/kit/events/eventbridge.ts';
import { snsDataAttributes } from '../../shared/kit/events/patterns.ts';
import { backoffDelay } from '../../shared/kit/retry/backoff.ts';

/** The slice of PutEvents the outbox needs; the AWS SDK client's response has this shape. */
export interface PutEventsResult {
  readonly FailedEntryCount?: number;
  readonly Entries?: readonly {
    readonly EventId?: string;
    readonly ErrorCode?: string;
    readonly ErrorMessage?: string;
  }[];
}

/** Sends one PutEvents request. */
export type PutEvents = (entries: readonly PutEventsEntry[]) => Promise<PutEventsResult>;

/** One SendMessageBatch entry: `Id` is unique within the request. */
export interface QueueMessage {
  readonly Id: string;
  readonly MessageBody: string;
  /** FIFO queues only: the stream the event belongs to, so each stream's events stay in order. */
  readonly MessageGroupId?: string;
  /** FIFO queues only: the event id, so a re-sent event is dropped by SQS within its 5-minute window. */
  readonly MessageDeduplicationId?: string;
}

/** True for a FIFO queue's URL (its name must end in `.fifo`). */
export function isFifoQueueUrl(queueUrl: string): boolean {
  return queueUrl.endsWith('.fifo');
}

/**
 * A FIFO group or deduplication id: SQS takes at most 128 printable ASCII characters, so a longer or
 * non-ASCII value (a producer's event id may be anything) is replaced by its SHA-256, still one per value.
 */
export function fifoKey(value: string): string {
  return /^[\x21-\x7e]{1,128}$/.test(value) ? value : createHash('sha256').update(value).digest('hex');
}

/** The slice of SendMessageBatch's response the outbox needs (the SDK client's shape). */
export interface SendMessagesResult {
  readonly Successful?: readonly { readonly Id?: string }[];
  readonly Failed?: readonly {
    readonly Id?: string;
    readonly Code?: string;
    readonly Message?: string;
    readonly SenderFault?: boolean;
  }[];
}

/** Sends one SendMessageBatch request to `queueUrl`. */
export type SendMessages = (
  queueUrl: string,
  messages: readonly QueueMessage[],
) => Promise<SendMessagesResult>;

/** One PublishBatch entry: the message and the attributes the topic's subscriptions filter on. */
export interface TopicMessage {
  readonly Id: string;
  readonly Message: string;
  readonly MessageAttributes: Readonly<Record<string, { DataType: string; StringValue: string }>>;
}

/** Sends one PublishBatch request to `topicArn`; SNS answers in SendMessageBatch's shape. */
export type PublishMessages = (
  topicArn: string,
  messages: readonly TopicMessage[],
) => Promise<SendMessagesResult>;

/** Why a delivery did not (yet) happen; `permanent` when sending it again cannot help. */
export interface DeliveryFailure {
  readonly reason: string;
  readonly permanent: boolean;
}

/** Sends a batch once; answers the members that failed, with a reason. */
export type SendOnce<T> = (batch: readonly T[]) => Promise<Map<T, DeliveryFailure>>;

/** Retry settings of {@link sendWithRetries}. */
export interface RetrySettings {
  /** Calls per batch, the first included; only the failed members are sent again. @default 4 */
  readonly maxAttempts?: number;
  /** Delay ceiling before the second call, doubled for each further one. @default 100 */
  readonly baseDelayMs?: number;
  /** @default 2000 */
  readonly maxDelayMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

/** Codes for which sending the same entry again cannot succeed. */
const PERMANENT_CODES = new Set(['MalformedDetail', 'InvalidArgument', 'ValidationException']);

/** Sends a batch, then only its failed members again; returns those still failing, with a reason. */
export async function sendWithRetries<T>(
  batch: readonly T[],
  sendOnce: SendOnce<T>,
  settings: RetrySettings,
): Promise<Map<T, DeliveryFailure>> {
  const maxAttempts = settings.maxAttempts ?? 4;
  const sleep = settings.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let pending = new Map<T, DeliveryFailure>(
    batch.map((item) => [item, { reason: 'not sent', permanent: false }]),
  );
  for (let attempt = 1; attempt <= maxAttempts && pending.size > 0; attempt += 1) {
    if (attempt > 1) await sleep(backoffMs(attempt - 1, settings));
    pending = await sendOnce([...pending.keys()]);
    if ([...pending.values()].every((failure) => failure.permanent)) break;
  }
  return pending;
}

/** One PutEvents call; a call that throws fails every entry it carried. */
export function putEventsOnce<T extends { readonly entry: PutEventsEntry }>(
  putEvents: PutEvents,
): SendOnce<T> {
  return async (items) => {
    const failed = new Map<T, DeliveryFailure>();
    let result: PutEventsResult;
    try {
      result = await putEvents(items.map((item) => item.entry));
    } catch (error) {
      return failAll(items, error);
    }
    const entries = result.Entries ?? [];
    // Entries answer the request in order; without a full answer, no entry is known to be accepted.
    const answered = entries.length === items.length;
    items.forEach((item, index) => {
      const code = entries[index]?.ErrorCode;
      if (!answered) {
        const reason = `no result for the entry (FailedEntryCount ${result.FailedEntryCount ?? '?'})`;
        failed.set(item, { reason, permanent: false });
      } else if (code) {
        const reason = `${code}: ${entries[index]?.ErrorMessage ?? ''}`;
        failed.set(item, { reason, permanent: PERMANENT_CODES.has(code) });
      }
    });
    return failed;
  };
}

/**
 * One SendMessageBatch call to `queueUrl`; a call that throws fails every message it carried, and a
 * message the answer names neither as sent nor as failed is taken as failed (sending it again is safe:
 * consumers are idempotent). A failure the sender caused (`SenderFault`) is permanent. To a FIFO queue
 * each message goes in its stream's group, deduplicated by event id: the group keeps one stream's events
 * in order for its consumer; consumers that depend on that order still check stream versions, because
 * a message re-sent after a partial failure may follow later ones of its group.
 */
export function sendMessagesOnce<
  T extends { readonly body: string; readonly eventId: string; readonly streamId: string },
>(sendMessages: SendMessages, queueUrl: string): SendOnce<T> {
  const fifo = isFifoQueueUrl(queueUrl);
  return async (items) => {
    const messages = items.map(
      (item, i): QueueMessage => ({
        Id: String(i),
        MessageBody: item.body,
        ...(fifo
          ? { MessageGroupId: fifoKey(item.streamId), MessageDeduplicationId: fifoKey(item.eventId) }
          : {}),
      }),
    );
    let result: SendMessagesResult;
    try {
      result = await sendMessages(queueUrl, messages);
    } catch (error) {
      return failAll(items, error);
    }
    return failedMembers(items, result);
  };
}

/**
 * One PublishBatch call to `topicArn` (a fan-out topic fed by the outbox): each event with the
 * attributes its subscriptions filter on. Failures are read as for {@link sendMessagesOnce}.
 */
export function publishMessagesOnce<
  T extends {
    readonly body: string;
    readonly attributes: TopicMessage['MessageAttributes'];
    readonly data?: unknown;
  },
>(
  publishMessages: PublishMessages,
  topicArn: string,
  dataAttributes?: Readonly<Record<string, string>>,
): SendOnce<T> {
  return async (items) => {
    const messages = items.map(
      (item, i): TopicMessage => ({
        Id: String(i),
        Message: item.body,
        MessageAttributes:
          dataAttributes === undefined
            ? item.attributes
            : {
                ...snsDataAttributes(item.data, dataAttributes),
                ...item.attributes,
              },
      }),
    );
    let result: SendMessagesResult;
    try {
      result = await publishMessages(topicArn, messages);
    } catch (error) {
      return failAll(items, error);
    }
    return failedMembers(items, result);
  };
}

/** The members a batch answer names as failed (a sender fault is permanent) or does not name as sent. */
function failedMembers<T>(items: readonly T[], result: SendMessagesResult): Map<T, DeliveryFailure> {
  const sent = new Set((result.Successful ?? []).map((entry) => entry.Id));
  const failures = new Map((result.Failed ?? []).map((entry) => [entry.Id, entry]));
  const failed = new Map<T, DeliveryFailure>();
  items.forEach((item, i) => {
    const failure = failures.get(String(i));
    if (failure) {
      const reason = `${failure.Code ?? 'Failed'}: ${failure.Message ?? ''}`;
      failed.set(item, { reason, permanent: failure.SenderFault === true });
    } else if (!sent.has(String(i))) {
      failed.set(item, { reason: 'no result for the message', permanent: false });
    }
  });
  return failed;
}

function failAll<T>(items: readonly T[], error: unknown): Map<T, DeliveryFailure> {
  const name = error instanceof Error ? error.name : 'Error';
  const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new Map(items.map((item) => [item, { reason, permanent: PERMANENT_CODES.has(name) }]));
}

/** "Equal jitter": half the exponential step fixed, half random, capped. */
function backoffMs(retry: number, settings: RetrySettings): number {
  const backoff = {
    base: settings.baseDelayMs ?? 100,
    cap: settings.maxDelayMs ?? 2000,
    jitter: 'equal',
  } as const;
  return Math.round(backoffDelay(retry, backoff, settings.random));
}

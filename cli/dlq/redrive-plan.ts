import { CONSUMER_REASON_ATTRIBUTES, EVENTBRIDGE_REASON_ATTRIBUTES } from './decode.ts';
import { type DeadLetterQueue, defaultTargetArns, parseQueueArn, type QueueRef } from './model.ts';
import type { MessageAttributeValue, OutgoingMessage, ReceivedMessage } from './queue-port.ts';

/** Names the DLQ a redriven message came from; overwritten by a later redrive. */
export const REDRIVEN_FROM_ATTRIBUTE = 'redriven-from';

/** SQS accepts at most 10 message attributes per message. */
const MAX_MESSAGE_ATTRIBUTES = 10;

/**
 * Payload limit of one SendMessageBatch request. 256 KiB is what every SQS (and emulator) accepts;
 * a larger single message goes alone in its batch.
 */
export const MAX_BATCH_BYTES = 256 * 1024;

/**
 * Group of a message sent to a FIFO target that had none (standard DLQ into a FIFO queue): the name
 * the consumer runtime uses for the same case when it dead-letters.
 */
const FALLBACK_GROUP = 'dead-letter';

const REASON_ATTRIBUTES: ReadonlySet<string> = new Set([
  ...Object.values(CONSUMER_REASON_ATTRIBUTES),
  ...Object.values(EVENTBRIDGE_REASON_ATTRIBUTES),
]);

/** Where one message should go: a queue ARN or URL to resolve, or why it cannot go anywhere. */
export type TargetChoice =
  | { readonly kind: 'target'; readonly ref: string; readonly why: string }
  | { readonly kind: 'skip'; readonly reason: string };

/**
 * Picks the queue a message goes back to, most specific first: `--to`; the queue SQS moved it from
 * (DeadLetterQueueSourceArn); the `source-queue` the consumer runtime recorded; the SQS target
 * EventBridge failed to deliver to (TARGET_ARN); the DLQ's only source queue. With several sources
 * and no hint it refuses to guess.
 */
export function chooseTarget(message: ReceivedMessage, dlq: DeadLetterQueue, to?: QueueRef): TargetChoice {
  if (to) return { kind: 'target', ref: to.url, why: '--to' };
  const moved = message.attributes.DeadLetterQueueSourceArn;
  if (moved) return { kind: 'target', ref: moved, why: 'DeadLetterQueueSourceArn' };
  const recorded = message.messageAttributes[CONSUMER_REASON_ATTRIBUTES.sourceQueue]?.StringValue;
  if (recorded && (parseQueueArn(recorded) || /^https?:\/\//.test(recorded))) {
    return { kind: 'target', ref: recorded, why: CONSUMER_REASON_ATTRIBUTES.sourceQueue };
  }
  const target = message.messageAttributes[EVENTBRIDGE_REASON_ATTRIBUTES.target]?.StringValue;
  if (target && parseQueueArn(target)) {
    return { kind: 'target', ref: target, why: EVENTBRIDGE_REASON_ATTRIBUTES.target };
  }
  const defaults = defaultTargetArns(dlq);
  if (defaults.length === 1 && defaults[0])
    return { kind: 'target', ref: defaults[0], why: 'the DLQ source' };
  if (defaults.length === 0) {
    return { kind: 'skip', reason: 'no source queue is known for this DLQ; pass --to <queue>' };
  }
  const names = defaults.map((arn) => parseQueueArn(arn)?.name ?? arn).join(', ');
  return { kind: 'skip', reason: `the DLQ has several source queues (${names}); pass --to <queue>` };
}

/**
 * Message attributes of the redriven copy: everything the message carried except the failure reason,
 * plus `redriven-from`. The reason is dropped because (1) SQS takes at most 10 attributes and the
 * runtime fills up to 10 when it dead-letters (6 reason + originals), so keeping them would leave no
 * room and a later dead-lettering would have to drop original attributes; (2) a stale reason on a
 * message back in its work queue reads like a current failure; (3) it is not lost: the audit line
 * of the move keeps it, and a new failure writes a fresh one.
 */
export function redriveAttributes(
  message: ReceivedMessage,
  dlqName: string,
): { readonly attributes: Record<string, MessageAttributeValue>; readonly marked: boolean } {
  const attributes: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(message.messageAttributes)) {
    if (REASON_ATTRIBUTES.has(name) || name === REDRIVEN_FROM_ATTRIBUTE) continue;
    attributes[name] = {
      DataType: value.DataType,
      ...(value.StringValue !== undefined ? { StringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined ? { BinaryValue: value.BinaryValue } : {}),
    };
  }
  // Ten original attributes leave no room: the message is worth more than the marker.
  if (Object.keys(attributes).length >= MAX_MESSAGE_ATTRIBUTES) return { attributes, marked: false };
  attributes[REDRIVEN_FROM_ATTRIBUTE] = { DataType: 'String', StringValue: dlqName };
  return { attributes, marked: true };
}

/**
 * Deduplication id of a message redriven into a FIFO queue, derived from its id in the DLQ: a redrive
 * that is re-run after a crash between send and delete sends the same id again, and SQS drops the
 * repeat (within its 5-minute deduplication window) instead of delivering it twice.
 */
export function redriveDeduplicationId(messageId: string): string {
  return `redrive-${messageId}`.replace(/[^A-Za-z0-9!-/:-@[-`{-~]/g, '_').slice(0, 128);
}

/** The SendMessage entry that puts `message` into `target` (body byte for byte, attributes per above). */
export function outgoingMessage(
  message: ReceivedMessage,
  dlqName: string,
  target: Pick<QueueRef, 'fifo'>,
  entryId: string,
): OutgoingMessage & { readonly marked: boolean } {
  const { attributes, marked } = redriveAttributes(message, dlqName);
  const trace = message.attributes.AWSTraceHeader;
  return {
    entryId,
    body: message.body,
    messageAttributes: attributes,
    ...(target.fifo
      ? {
          groupId: message.attributes.MessageGroupId ?? FALLBACK_GROUP,
          deduplicationId: redriveDeduplicationId(message.messageId),
        }
      : {}),
    ...(trace ? { traceHeader: trace } : {}),
    marked,
  };
}

/** Approximate request size of one entry: body plus attribute names, types and values. */
export function entryBytes(message: OutgoingMessage): number {
  let bytes = Buffer.byteLength(message.body);
  for (const [name, value] of Object.entries(message.messageAttributes)) {
    bytes += Buffer.byteLength(name) + Buffer.byteLength(value.DataType ?? '');
    bytes += value.StringValue !== undefined ? Buffer.byteLength(value.StringValue) : 0;
    bytes += value.BinaryValue?.byteLength ?? 0;
  }
  return bytes;
}

/** Splits entries into SendMessageBatch requests: at most 10 and at most `maxBytes` each, order kept. */
export function sendBatches<T extends OutgoingMessage>(
  entries: readonly T[],
  maxBytes = MAX_BATCH_BYTES,
): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const entry of entries) {
    const bytes = entryBytes(entry);
    if (current.length > 0 && (current.length === 10 || size + bytes > maxBytes)) {
      batches.push(current);
      current = [];
      size = 0;
    }
    current.push(entry);
    size += bytes;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * Messages of a FIFO redrive per message group, each group in the order SQS delivered it (which is
 * the group's order in the DLQ). Groups are independent; within one, a failed send stops the rest.
 */
export function fifoGroups<T extends { readonly message: ReceivedMessage }>(items: readonly T[]): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = item.message.attributes.MessageGroupId ?? FALLBACK_GROUP;
    const list = groups.get(group) ?? [];
    list.push(item);
    groups.set(group, list);
  }
  return [...groups.values()];
}

import { pipelineCatalog } from '../../shared/contexts/index.ts';
import {
  EVENT_STORE_KEYS,
  type ItemImage,
  isCommitItem,
  storedEventsFromItem,
} from '../../shared/kit/event-store/dynamodb-items.ts';
import type { StoredEvent } from '../../shared/kit/event-store/port.ts';
import { parseEnvelope } from '../../shared/kit/events/envelope.ts';
import { type PutEventsEntry, toPutEventsEntry } from '../../shared/kit/events/eventbridge.ts';
import { isPublishable } from '../../shared/kit/events/internal.ts';
import { snsMessageAttributes } from '../../shared/kit/events/patterns.ts';
import { markStored } from '../../shared/kit/events/stored.ts';

/** The fields of a DynamoDB stream record the outbox reads (structurally `DynamoDBRecord` of aws-lambda). */
export interface OutboxStreamRecord {
  readonly eventName?: string;
  readonly dynamodb?: {
    readonly SequenceNumber?: string;
    readonly NewImage?: ItemImage;
  };
}

/**
 * A stream record the outbox must publish, or could not turn into an entry (`problem`); `item` names
 * the stored item (`<pk> <sk>`) so an operator can find the record the log line is about.
 */
export type OutboxItem =
  | {
      readonly sequenceNumber: string;
      readonly eventId: string;
      readonly type: string;
      /** The stream the event was stored in: a FIFO queue's message group. */
      readonly streamId: string;
      /** The marked envelope as a bus entry. */
      readonly entry: PutEventsEntry;
      /** The marked envelope as a queue message body (a bare envelope, as consumers read it). */
      readonly body: string;
      /** What a topic's subscriptions filter on (`type`, `source`, `version` message attributes). */
      readonly attributes: ReturnType<typeof snsMessageAttributes>;
      /** The event's data, parsed once here: where a topic takes attributes from (`topicAttributes`). */
      readonly data: unknown;
    }
  | { readonly sequenceNumber: string; readonly item: string; readonly problem: string };

/** The records of a batch that are events to publish, in stream order, and how many were not. */
export interface OutboxSelection {
  readonly items: readonly OutboxItem[];
  readonly skipped: number;
}

/**
 * Keeps the records the outbox publishes: inserts of commit items (`sk = E#…`), each holding the events
 * of one append, published in version order. The event source mapping already filters on this;
 * checking again here keeps the function correct without the filter (local clouds, a mapping edited by
 * hand). Snapshots, TTL deletes and internal events are skipped. A commit that fails later is retried
 * from its record, so its events already published go out again: consumers are idempotent.
 */
export function selectOutboxItems(records: readonly OutboxStreamRecord[], busName: string): OutboxSelection {
  const items: OutboxItem[] = [];
  let skipped = 0;
  for (const record of records) {
    const image = record.dynamodb?.NewImage;
    if (record.eventName !== 'INSERT' || image === undefined || !isCommitItem(image)) {
      skipped += 1;
      continue;
    }
    const sequenceNumber = record.dynamodb?.SequenceNumber;
    // Without a sequence number the record cannot be reported; failing the invocation retries it.
    if (sequenceNumber === undefined) throw new Error('DynamoDB stream record without SequenceNumber');
    const selected = toOutboxItems(sequenceNumber, image, busName);
    if (selected.length > 0) items.push(...selected);
    else skipped += 1;
  }
  return { items, skipped };
}

/** The commit's events to publish (none when all are internal), or the problem that stops it. */
function toOutboxItems(sequenceNumber: string, image: ItemImage, busName: string): OutboxItem[] {
  try {
    return storedEventsFromItem(image).flatMap((stored) => toOutboxItem(sequenceNumber, stored, busName));
  } catch (error) {
    const item = `${image[EVENT_STORE_KEYS.partitionKey]?.S ?? '?'} ${image[EVENT_STORE_KEYS.sortKey]?.S ?? '?'}`;
    return [{ sequenceNumber, item, problem: error instanceof Error ? error.message : String(error) }];
  }
}

/** The entry of one stored event; none for an internal event, which stays in the store. */
function toOutboxItem(sequenceNumber: string, stored: StoredEvent, busName: string): OutboxItem[] {
  // Validated on append already; checked again because a hand-edited item must not reach the bus.
  const event = parseEnvelope(stored.event, `events.${stored.streamVersion}`);
  // Internal events (stock movements, saga transitions) and types of no context never leave the store.
  if (!isPublishable(pipelineCatalog, event)) return [];
  // Marked as stored: consumers' rules select on the mark, so they react to what the store holds.
  const published = markStored(event, stored.streamId, stored.streamVersion);
  return [
    {
      sequenceNumber,
      eventId: event.id,
      type: event.type,
      streamId: stored.streamId,
      entry: toPutEventsEntry(published, busName),
      body: JSON.stringify(published),
      attributes: snsMessageAttributes(published),
      data: published.data,
    },
  ];
}

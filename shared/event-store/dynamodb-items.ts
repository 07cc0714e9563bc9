import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { ValidationError } from '../errors/pipeline-error.ts';
import type { EventEnvelope } from '../events/envelope.ts';
import { parseJsonText } from '../events/json.ts';
import type { IdempotencyRecord } from './core.ts';
import type { StoredEvent } from './port.ts';

/**
 * Key schema of the event store table; the CDK construct builds the table from these. Both keys are
 * DynamoDB strings (`S`); `ttlAttribute` holds epoch seconds and only idempotency records carry it.
 */
export const EVENT_STORE_KEYS = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'expiresAt',
} as const satisfies Record<string, string>;

/**
 * Key prefixes of the single-table design:
 * - event     `pk = STREAM#<streamId>`, `sk = E#<streamVersion, 10 digits>`
 * - snapshot  `pk = STREAM#<streamId>`, `sk = S#<version, 10 digits>` (padded so the newest sorts last)
 * - idempotency `pk = IDEMPOTENCY#<key>`, `sk = I`
 * The table's stream carries all three; the outbox publisher keeps only `E#` items ({@link isEventItem}).
 */
export const EVENT_STORE_PREFIXES = {
  stream: 'STREAM#',
  event: 'E#',
  snapshot: 'S#',
  idempotency: 'IDEMPOTENCY#',
  idempotencySortKey: 'I',
} as const;

/** An item as the SDK returns it or as a DynamoDB stream record's `NewImage` holds it. */
export type ItemImage = Readonly<Record<string, { readonly S?: string; readonly N?: string } | undefined>>;

type Item = Record<string, AttributeValue>;

const VERSION_DIGITS = 10;
const { partitionKey: PK, sortKey: SK, ttlAttribute: TTL } = EVENT_STORE_KEYS;
const P = EVENT_STORE_PREFIXES;

/** Zero-padded so string order is version order. */
export function padVersion(version: number): string {
  return String(version).padStart(VERSION_DIGITS, '0');
}

/** Key of a stream's event at `version`. */
export function eventKey(streamId: string, version: number): Item {
  return { [PK]: { S: P.stream + streamId }, [SK]: { S: P.event + padVersion(version) } };
}

/** Key of an idempotency record. */
export function idempotencyKeyOf(key: string): Item {
  return { [PK]: { S: P.idempotency + key }, [SK]: { S: P.idempotencySortKey } };
}

/**
 * The item of one event. Everything the outbox needs is in it, so the stream's NEW_IMAGE alone
 * rebuilds the event: the full envelope as JSON, plus top-level copies of the fields people filter on.
 */
export function eventItem(stored: StoredEvent): Item {
  const { event } = stored;
  return {
    ...eventKey(stored.streamId, stored.streamVersion),
    streamId: { S: stored.streamId },
    streamVersion: { N: String(stored.streamVersion) },
    eventId: { S: event.id },
    type: { S: event.type },
    version: { N: String(event.version) },
    source: { S: event.source },
    correlationId: { S: event.correlationId },
    ...(event.causationId === undefined ? {} : { causationId: { S: event.causationId } }),
    time: { S: event.time },
    recordedAt: { S: stored.recordedAt },
    envelope: { S: JSON.stringify(event) },
  };
}

/** True for event items (`sk = E#…`), the only items the outbox publishes. */
export function isEventItem(image: ItemImage): boolean {
  return image[SK]?.S?.startsWith(P.event) === true && image[PK]?.S?.startsWith(P.stream) === true;
}

/** Rebuilds a stored event from its item or from a stream record's NEW_IMAGE. Does not upcast. */
export function storedEventFromItem(image: ItemImage): StoredEvent {
  return {
    streamId: stringAttr(image, 'streamId'),
    streamVersion: numberAttr(image, 'streamVersion'),
    recordedAt: stringAttr(image, 'recordedAt'),
    event: parseEnvelopeText(stringAttr(image, 'envelope')),
  };
}

/** The stored envelope JSON; text that is not JSON is a {@link ValidationError} at `envelope`. */
function parseEnvelopeText(text: string): EventEnvelope {
  return parseJsonText(text, 'envelope') as EventEnvelope;
}

/** The idempotency record item; `expiresAt` lets DynamoDB TTL delete it. */
export function idempotencyItem(
  key: string,
  record: IdempotencyRecord,
  createdAt: Date,
  expiresAt: number,
): Item {
  return {
    ...idempotencyKeyOf(key),
    fingerprint: { S: record.fingerprint },
    results: { S: JSON.stringify(record.results) },
    createdAt: { S: createdAt.toISOString() },
    [TTL]: { N: String(expiresAt) },
  };
}

/** Reads an idempotency record item back. */
export function idempotencyRecordFromItem(image: ItemImage): IdempotencyRecord {
  return {
    fingerprint: stringAttr(image, 'fingerprint'),
    results: JSON.parse(stringAttr(image, 'results')) as IdempotencyRecord['results'],
  };
}

/** A snapshot item; state is stored as JSON so any JSON-safe shape round-trips exactly. */
export function snapshotItem(streamId: string, version: number, state: unknown, savedAt: string): Item {
  return {
    [PK]: { S: P.stream + streamId },
    [SK]: { S: P.snapshot + padVersion(version) },
    streamId: { S: streamId },
    version: { N: String(version) },
    state: { S: JSON.stringify(state) },
    savedAt: { S: savedAt },
  };
}

/** Stream version held in an event item's sort key. */
export function versionFromSortKey(sortKey: string): number {
  return Number(sortKey.slice(sortKey.indexOf('#') + 1));
}

/** Reads a string attribute; a missing one means the item is not what the caller thinks it is. */
export function stringAttr(image: ItemImage, name: string): string {
  const value = image[name]?.S;
  if (value === undefined) throw new ValidationError('missing string attribute', name);
  return value;
}

/** Reads a number attribute. */
export function numberAttr(image: ItemImage, name: string): number {
  const value = image[name]?.N;
  if (value === undefined) throw new ValidationError('missing number attribute', name);
  return Number(value);
}

import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { jsonAttribute, jsonAttributeText } from '../aws/dynamodb-json.ts';
import { ValidationError } from '../errors/pipeline-error.ts';
import type { EventEnvelope } from '../events/envelope.ts';
import { parseJsonText } from '../events/json.ts';
import type { CommitInput } from './core.ts';
import { type CommitIndexContext, commitIndexAttributes, correlationKeyOf } from './dynamodb-indexes.ts';
import type { StoredEvent } from './port.ts';

/**
 * Key schema of the event store table; the CDK construct builds the table from these. Both keys are
 * DynamoDB strings (`S`); `ttlAttribute` is enabled on the table for items that should expire (none of
 * the event store's own items do: events, snapshots and the inputs recorded in commits are kept).
 */
export const EVENT_STORE_KEYS = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'expiresAt',
} as const satisfies Record<string, string>;

/**
 * Key prefixes of the single-table design:
 * - commit    `pk = STREAM#<streamId>`, `sk = E#<first version it holds, 10 digits>`: the events one
 *   append wrote to the stream, together (split over several items only when they exceed one item)
 * - snapshot  `pk = STREAM#<streamId>`, `sk = S#<version, 10 digits>` (padded so the newest sorts last)
 * The table's stream carries both; the outbox publisher keeps only commit items ({@link isCommitItem}).
 */
export const EVENT_STORE_PREFIXES = {
  stream: 'STREAM#',
  event: 'E#',
  snapshot: 'S#',
} as const;

/**
 * Most bytes of envelopes one commit item holds. DynamoDB items stop at 400 KB (names and values);
 * the rest is left for the keys and the other attributes.
 */
export const MAX_COMMIT_ITEM_BYTES = 360 * 1024;

/**
 * An item as the SDK returns it or as a DynamoDB stream record's `NewImage` holds it (there a binary
 * value is base64 text, from the SDK it is bytes).
 */
export type ItemImage = Readonly<
  Record<
    string,
    | {
        readonly S?: string;
        readonly N?: string;
        readonly B?: Uint8Array | string;
        readonly SS?: readonly string[];
      }
    | undefined
  >
>;

type Item = Record<string, AttributeValue>;

/** Where a commit item sits in its stream and which input wrote it; what appends and reads reason on. */
export interface CommitInfo {
  readonly fromVersion: number;
  readonly toVersion: number;
  /** The append's idempotency key and fingerprint, when it had one. */
  readonly input?: CommitInput;
  /** Its correlation key (`correlationKeyOf` its events' correlation ids): what the next commit compares. */
  readonly correlation?: string;
}

const VERSION_DIGITS = 10;
const { partitionKey: PK, sortKey: SK } = EVENT_STORE_KEYS;
const P = EVENT_STORE_PREFIXES;

/** Zero-padded so string order is version order. */
export function padVersion(version: number): string {
  return String(version).padStart(VERSION_DIGITS, '0');
}

/** Key of the commit item whose first event has `fromVersion`. */
export function commitKey(streamId: string, fromVersion: number): Item {
  return { [PK]: { S: P.stream + streamId }, [SK]: { S: P.event + padVersion(fromVersion) } };
}

/**
 * The items of one stream's append: its events in version order, cut into as few items as fit
 * ({@link MAX_COMMIT_ITEM_BYTES}); almost always one. Each holds the envelopes as one JSON array, so
 * the stream's NEW_IMAGE alone rebuilds them, plus the input that wrote them (recognised on a repeat).
 */
export function commitItems(
  stored: readonly StoredEvent[],
  input: CommitInput | undefined,
  index: CommitIndexContext = {},
): Item[] {
  const chunks: StoredEvent[][] = [];
  let bytes = 0;
  for (const event of stored) {
    const size = Buffer.byteLength(JSON.stringify(event.event));
    const current = chunks.at(-1);
    if (current === undefined || bytes + size > MAX_COMMIT_ITEM_BYTES) {
      chunks.push([event]);
      bytes = size;
    } else {
      current.push(event);
      bytes += size;
    }
  }
  let previousCorrelation = index.previousCorrelation;
  return chunks.map((chunk) => {
    const item = commitItem(chunk, input, { ...index, previousCorrelation });
    previousCorrelation = correlationKeyOf(chunk.map((stored) => stored.event.correlationId));
    return item;
  });
}

function commitItem(
  chunk: readonly StoredEvent[],
  input: CommitInput | undefined,
  index: CommitIndexContext,
): Item {
  const first = chunk[0] as StoredEvent;
  const last = chunk.at(-1) as StoredEvent;
  return {
    ...commitKey(first.streamId, first.streamVersion),
    streamId: { S: first.streamId },
    fromVersion: { N: String(first.streamVersion) },
    toVersion: { N: String(last.streamVersion) },
    recordedAt: { S: first.recordedAt },
    ...jsonAttribute('events', JSON.stringify(chunk.map((stored) => stored.event))),
    // What `pipeline trace` filters its scan on (without the correlation index), readable whether or
    // not the events are compressed.
    correlationIds: { SS: [...new Set(chunk.map((stored) => stored.event.correlationId))] },
    ...commitIndexAttributes(
      first.streamId,
      first.streamVersion,
      chunk.map((stored) => stored.event.correlationId),
      index,
    ),
    ...(input === undefined
      ? {}
      : { inputKey: { S: input.key }, inputFingerprint: { S: input.fingerprint } }),
  };
}

/** The envelope JSON of a commit item, text or gzipped ({@link jsonAttribute}). */
function eventsText(image: ItemImage): string {
  return jsonAttributeText(image, 'events') ?? stringAttr(image, 'events');
}

/** True for commit items (`sk = E#…`), the only items the outbox publishes. */
export function isCommitItem(image: ItemImage): boolean {
  return image[SK]?.S?.startsWith(P.event) === true && image[PK]?.S?.startsWith(P.stream) === true;
}

/** Position and input of a commit item, without parsing its events. */
export function commitInfoOf(image: ItemImage): CommitInfo {
  const key = image.inputKey?.S;
  const fingerprint = image.inputFingerprint?.S;
  const correlationIds = image.correlationIds?.SS;
  return {
    fromVersion: numberAttr(image, 'fromVersion'),
    toVersion: numberAttr(image, 'toVersion'),
    ...(key === undefined || fingerprint === undefined ? {} : { input: { key, fingerprint } }),
    ...(correlationIds && correlationIds.length > 0 ? { correlation: correlationKeyOf(correlationIds) } : {}),
  };
}

/**
 * Rebuilds the stored events of a commit item or of a stream record's NEW_IMAGE, in version order.
 * Does not upcast. An item whose event count disagrees with its versions is a {@link ValidationError}.
 */
export function storedEventsFromItem(image: ItemImage): StoredEvent[] {
  const streamId = stringAttr(image, 'streamId');
  const { fromVersion, toVersion } = commitInfoOf(image);
  const recordedAt = stringAttr(image, 'recordedAt');
  const events = parseJsonText(eventsText(image), 'events');
  if (!Array.isArray(events) || events.length !== toVersion - fromVersion + 1) {
    throw new ValidationError(`must hold versions ${fromVersion} to ${toVersion}`, 'events');
  }
  return events.map((event, i) => ({
    streamId,
    streamVersion: fromVersion + i,
    recordedAt,
    event: event as EventEnvelope,
  }));
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

import { createHash } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/**
 * The event store table's two global secondary indexes, both over commit items only and both
 * KEYS_ONLY (why: below). Their key attributes are written on every commit item by the adapter
 * ({@link commitIndexAttributes}), whether or not the stage deploys the index: an index added later is
 * backfilled by DynamoDB from the items already there, and an attribute without an index costs only
 * its bytes in the item.
 *
 * - `byCorrelation`: partition key `correlationKey` = the correlation id the commit's events share,
 *   written only on the commit where a run of one flow's commits starts in its stream (see
 *   {@link commitIndexAttributes}). What `pipeline trace` queries instead of scanning the table. Every event of one decision carries
 *   its input's correlation id (`causedBy`, the saga runner, the inventory use case), so a commit
 *   holds one flow; the port does not forbid an append mixing flows, and such a commit is indexed under
 *   {@link MIXED_CORRELATIONS} instead, a partition the reader also queries and filters (empty in this
 *   product, so that query reads nothing). Optional per stage (`traceIndex` in `infra/stages.ts`).
 * - `streamCatalog`: a sparse index of streams: only a stream's first commit (version 1) carries
 *   `streamCatalogKey` = `<stream type>#<shard>`, sorted by `streamId`. What `orders rebuild` pages
 *   through instead of scanning. The type is the stream id's part before its first `#`
 *   (`saga-order#o-1` → `saga-order`). The shard (a hash of the stream id, 0..shards-1) spreads one
 *   busy type over several index partitions: a GSI that cannot keep up throttles the table's own
 *   writes, and one partition key value takes about 1,000 writes/s. Always deployed: one entry per new
 *   stream of a catalogued type, 1 WRU. An order opens 4 streams (its saga, inventory, payment and
 *   notification streams); only the saga's is what a rebuild lists, so a context names the types it
 *   catalogues (`catalogedStreamTypes`), and an order costs 1 catalog WRU instead of 4.
 *
 * Projection: KEYS_ONLY for both. DynamoDB bills an index write by the size of the projected entry
 * (1 WRU per started KB, the entry counting its attributes plus 100 bytes); a keys-only entry (table
 * keys + index keys) is about 150–250 bytes: 1 WRU, whatever the commit holds. With ALL (or INCLUDE
 * `events`, which is what a trace needs) each entry is a copy of the commit item. Measured (the real
 * `commitItems` over the commits the in-memory pipeline of `test/fakes` writes for a one-line order,
 * with a 32-character input key and a sha256 fingerprint): 7 commit items of 341–681 bytes, so ALL
 * would also be 1 WRU each today, but an OrderPlaced with a few more lines or a longer contact crosses
 * 1 KB and then every index write doubles, and the index would store a second copy of the whole event
 * store ($0.25/GB-month) where keys-only stores ~200 bytes per commit. What keys-only costs instead is
 * on the read side, per investigation rather than per order: trace fetches the flow's items by key
 * (BatchGetItem, 0.5 RRU per item up to 4 KB; 7 items ≈ 3.5 RRU). Writes per order, reads per
 * question: keys only.
 */
export const EVENT_STORE_INDEXES = {
  byCorrelation: { name: 'byCorrelation', partitionKey: 'correlationKey' },
  streamCatalog: {
    name: 'streamCatalog',
    partitionKey: 'streamCatalogKey',
    sortKey: 'streamId',
    shards: 8,
  },
} as const;

/** `correlationKey` of a commit whose events belong to more than one flow. */
export const MIXED_CORRELATIONS = '#mixed-flows';

/** The stream type of a stream id: its part before the first `#`, or the whole id without one. */
export function streamTypeOf(streamId: string): string {
  const hash = streamId.indexOf('#');
  return hash < 0 ? streamId : streamId.slice(0, hash);
}

/** The catalog shard of a stream: a stable hash of its id, `0 … shards-1`. */
export function streamCatalogShard(streamId: string): number {
  const digest = createHash('sha256').update(streamId).digest();
  return digest.readUInt32BE(0) % EVENT_STORE_INDEXES.streamCatalog.shards;
}

/** `streamCatalogKey` of a stream: `<type>#<shard>`. */
export function streamCatalogKey(streamId: string): string {
  return `${streamTypeOf(streamId)}#${streamCatalogShard(streamId)}`;
}

/** Every `streamCatalogKey` of a stream type, shard 0 first: what a reader queries to list them all. */
export function streamCatalogKeys(streamType: string): string[] {
  if (streamType.length === 0 || streamType.includes('#')) {
    throw new Error(`"${streamType}" is not a stream type (non-empty, no "#")`);
  }
  return Array.from({ length: EVENT_STORE_INDEXES.streamCatalog.shards }, (_, n) => `${streamType}#${n}`);
}

/** `correlationKey` of a commit holding events of these correlation ids. */
export function correlationKeyOf(correlationIds: readonly string[]): string {
  const distinct = new Set(correlationIds);
  const [only] = distinct;
  if (only === undefined) throw new Error('a commit holds at least one event');
  return distinct.size === 1 ? only : MIXED_CORRELATIONS;
}

/** Where a commit sits, for {@link commitIndexAttributes}. */
export interface CommitIndexContext {
  /**
   * The correlation key of the commit just before this one in its stream (the one ending at its
   * `fromVersion - 1`), when the writer knows it; unknown means "index this commit".
   */
  readonly previousCorrelation?: string | undefined;
  /**
   * Whether streams of this type are listed in the stream catalog. @default every type
   */
  readonly catalogued?: (streamType: string) => boolean;
}

/**
 * The index attributes of one commit item.
 *
 * `correlationKey` only where a run of the flow's commits starts in its stream: on the stream's first
 * commit, and on any commit whose flow differs from the commit before it (or that mixes flows). A
 * trace finds each run's first commit through the index and reads the stream on from there while the
 * commits stay in its flow (`commitsOfCorrelation`). An order's saga stream is one run of four or more
 * commits, so one index write instead of one per commit; a stream shared by flows (a SKU's stock) still
 * indexes each order's commits, as the flows alternate.
 *
 * `streamCatalogKey` on a stream's first commit, for the stream types that are catalogued.
 */
export function commitIndexAttributes(
  streamId: string,
  fromVersion: number,
  correlationIds: readonly string[],
  context: CommitIndexContext = {},
): Record<string, AttributeValue> {
  const { byCorrelation, streamCatalog } = EVENT_STORE_INDEXES;
  const key = correlationKeyOf(correlationIds);
  const startsRun = fromVersion === 1 || key === MIXED_CORRELATIONS || key !== context.previousCorrelation;
  const catalogued = context.catalogued?.(streamTypeOf(streamId)) ?? true;
  return {
    ...(startsRun ? { [byCorrelation.partitionKey]: { S: key } } : {}),
    ...(fromVersion === 1 && catalogued
      ? { [streamCatalog.partitionKey]: { S: streamCatalogKey(streamId) } }
      : {}),
  };
}

/**
 * Which stream types the catalog lists, from a comma-separated list (`EVENT_STORE_CATALOG_TYPES`):
 * undefined lists every type; an empty list none.
 */
export function cataloguedTypes(list: string | undefined): ((streamType: string) => boolean) | undefined {
  if (list === undefined) return undefined;
  const types = new Set(
    list
      .split(',')
      .map((type) => type.trim())
      .filter((type) => type.length > 0),
  );
  for (const type of types) streamCatalogKeys(type);
  return (streamType) => types.has(streamType);
}

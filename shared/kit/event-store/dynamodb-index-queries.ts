import { type AttributeValue, paginateQuery, QueryCommand } from '@aws-sdk/client-dynamodb';
import { EVENT_STORE_INDEXES, MIXED_CORRELATIONS, streamCatalogKeys } from './dynamodb-indexes.ts';
import { EVENT_STORE_KEYS, EVENT_STORE_PREFIXES, type ItemImage } from './dynamodb-items.ts';
import { queryCommits, type TableRef } from './dynamodb-queries.ts';

/**
 * Operator reads of the event store through its indexes (`dynamodb-indexes.ts`): the commit items of
 * one flow, and the streams of one type. Index reads are eventually consistent (DynamoDB offers
 * nothing else on a GSI): a commit written a moment ago may be missing.
 */

type Key = Record<string, AttributeValue>;
const { partitionKey: PK, sortKey: SK } = EVENT_STORE_KEYS;

/** Commit items a walk reads per query: a flow's run in one stream is a handful of commits. */
const WALK_PAGE = 10;

/**
 * Every commit item of the flow `correlationId` (and the commits mixing flows, which the caller filters
 * by event). The `byCorrelation` index holds the first commit of each run of the flow's commits in a
 * stream (`commitIndexAttributes`); each run is read from there, in stream order, up to the first
 * commit of another flow. Items written when every commit was indexed are found either way (a run
 * already read is not read again). `itemsRead` counts the table items read: the flow's own, plus at
 * most one per run (the commit that ended it), plus the mixed-flow commits.
 */
export async function commitsOfCorrelation(
  table: TableRef,
  correlationId: string,
): Promise<{ items: ItemImage[]; itemsRead: number }> {
  const heads: Key[] = [];
  for (const key of new Set([correlationId, MIXED_CORRELATIONS])) {
    for await (const page of paginateQuery(
      { client: table.client },
      {
        TableName: table.tableName,
        IndexName: EVENT_STORE_INDEXES.byCorrelation.name,
        KeyConditionExpression: '#key = :key',
        ExpressionAttributeNames: { '#key': EVENT_STORE_INDEXES.byCorrelation.partitionKey },
        ExpressionAttributeValues: { ':key': { S: key } },
      },
    )) {
      for (const entry of page.Items ?? []) {
        heads.push({ [PK]: entry[PK] as AttributeValue, [SK]: entry[SK] as AttributeValue });
      }
    }
  }
  // Stream by stream, oldest run first, so a run that covers a later entry (an item indexed before
  // runs were) reads it once.
  heads.sort((a, b) => idOf(a).localeCompare(idOf(b)));
  const found = new Map<string, ItemImage>();
  let itemsRead = 0;
  for (const head of heads) {
    if (found.has(idOf(head))) continue;
    itemsRead += await walkRun(table, head, correlationId, found);
  }
  return { items: [...found.values()], itemsRead };
}

/**
 * Reads one stream from the run's first commit on while its commits belong to `correlationId`,
 * adding them to `found`; the first commit is taken whatever its flow (a mixed commit, which the
 * caller filters). Returns the items read.
 */
async function walkRun(
  table: TableRef,
  head: Key,
  correlationId: string,
  found: Map<string, ItemImage>,
): Promise<number> {
  // The index entry holds the table keys only: `STREAM#<stream id>` and `E#<first version>`.
  const streamId = (head[PK]?.S ?? '').slice(EVENT_STORE_PREFIXES.stream.length);
  const from = Number((head[SK]?.S ?? '').slice(EVENT_STORE_PREFIXES.event.length));
  let read = 0;
  let startKey: Key | undefined;
  do {
    const page = await queryCommits(table, streamId, { from }, { limit: WALK_PAGE, startKey });
    for (const item of page.items) {
      read++;
      const first = read === 1;
      const flows = item.correlationIds?.SS ?? [];
      const inFlow = flows.length === 1 && flows[0] === correlationId;
      if (!first && !inFlow) return read;
      found.set(idOf(item), item);
    }
    startKey = page.lastKey;
  } while (startKey);
  return read;
}

function idOf(key: Key | ItemImage): string {
  return `${key[PK]?.S}\n${key[SK]?.S}`;
}

/**
 * Where a walk over the streams of one type stands: the catalog shard, and the last index key read in
 * it (absent at the start of a shard). JSON-safe, so a checkpoint can hold it.
 */
export interface StreamCatalogPosition {
  readonly shard: number;
  readonly startKey?: Key;
}

/** One page of stream ids of a type, and where the next page starts (absent after the last). */
export interface StreamCatalogPage {
  readonly streamIds: string[];
  /** Index entries read: one per stream id returned. */
  readonly itemsRead: number;
  readonly next?: StreamCatalogPosition;
}

/**
 * One page of the ids of streams of `streamType` from the `streamCatalog` index: up to `limit` from
 * the shard at `position` (a page never spans shards); start with `{ shard: 0 }`. Ids come in id
 * order within a shard.
 */
export async function streamCatalogPage(
  table: TableRef,
  streamType: string,
  position: StreamCatalogPosition,
  limit?: number,
): Promise<StreamCatalogPage> {
  const { name, partitionKey, sortKey } = EVENT_STORE_INDEXES.streamCatalog;
  const shardKeys = streamCatalogKeys(streamType);
  const shardKey = shardKeys[position.shard];
  if (shardKey === undefined) throw new Error(`no catalog shard ${position.shard}`);
  const out = await table.client.send(
    new QueryCommand({
      TableName: table.tableName,
      IndexName: name,
      KeyConditionExpression: '#key = :key',
      ExpressionAttributeNames: { '#key': partitionKey, '#id': sortKey },
      ExpressionAttributeValues: { ':key': { S: shardKey } },
      ProjectionExpression: '#id',
      ...(position.startKey ? { ExclusiveStartKey: position.startKey } : {}),
      ...(limit ? { Limit: limit } : {}),
    }),
  );
  const streamIds = (out.Items ?? []).flatMap((item) => (item[sortKey]?.S ? [item[sortKey].S] : []));
  const nextShard = position.shard + 1;
  const next: StreamCatalogPosition | undefined = out.LastEvaluatedKey
    ? { shard: position.shard, startKey: out.LastEvaluatedKey }
    : nextShard < shardKeys.length
      ? { shard: nextShard }
      : undefined;
  return { streamIds, itemsRead: out.ScannedCount ?? streamIds.length, ...(next ? { next } : {}) };
}

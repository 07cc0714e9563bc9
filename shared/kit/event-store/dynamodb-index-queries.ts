import { setTimeout as sleep } from 'node:timers/promises';
import {
  type AttributeValue,
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  paginateQuery,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { EVENT_STORE_INDEXES, MIXED_CORRELATIONS, streamCatalogKeys } from './dynamodb-indexes.ts';
import { EVENT_STORE_KEYS, type ItemImage } from './dynamodb-items.ts';
import type { TableRef } from './dynamodb-queries.ts';

/**
 * Operator reads of the event store through its indexes (`dynamodb-indexes.ts`): the commit items of
 * one flow, and the streams of one type. Index reads are eventually consistent (DynamoDB offers
 * nothing else on a GSI): a commit written a moment ago may be missing.
 */

type Key = Record<string, AttributeValue>;
const { partitionKey: PK, sortKey: SK } = EVENT_STORE_KEYS;
/** BatchGetItem takes at most 100 keys. */
const BATCH_GET_KEYS = 100;

/**
 * Every commit item indexed under `correlationId` (and the mixed-flow commits, which the caller
 * filters by event): the keys from the `byCorrelation` index, page by page, then the items by key.
 * `itemsRead` counts index entries; each is one item fetched.
 */
export async function commitsOfCorrelation(
  table: TableRef,
  correlationId: string,
): Promise<{ items: ItemImage[]; itemsRead: number }> {
  const keys: Key[] = [];
  const seen = new Set<string>();
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
        const tableKey = { [PK]: entry[PK] as AttributeValue, [SK]: entry[SK] as AttributeValue };
        const id = `${tableKey[PK].S}\n${tableKey[SK].S}`;
        if (!seen.has(id)) keys.push(tableKey);
        seen.add(id);
      }
    }
  }
  return { items: await itemsByKey(table, keys), itemsRead: keys.length };
}

/** The items with these keys (eventually consistent), retrying what DynamoDB leaves unprocessed. */
async function itemsByKey(table: TableRef, keys: readonly Key[]): Promise<ItemImage[]> {
  const items: ItemImage[] = [];
  for (let start = 0; start < keys.length; start += BATCH_GET_KEYS) {
    let pending: Key[] | undefined = keys.slice(start, start + BATCH_GET_KEYS);
    for (let attempt = 0; pending !== undefined && pending.length > 0; attempt++) {
      if (attempt > 0) await sleep(Math.min(50 * 2 ** attempt, 2_000));
      const out: BatchGetItemCommandOutput = await table.client.send(
        new BatchGetItemCommand({ RequestItems: { [table.tableName]: { Keys: pending } } }),
      );
      items.push(...(out.Responses?.[table.tableName] ?? []));
      pending = out.UnprocessedKeys?.[table.tableName]?.Keys;
    }
  }
  return items;
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

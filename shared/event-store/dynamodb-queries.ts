import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { epochSeconds } from './core.ts';
import {
  EVENT_STORE_KEYS,
  EVENT_STORE_PREFIXES,
  type ItemImage,
  idempotencyKeyOf,
  numberAttr,
  padVersion,
  storedEventFromItem,
} from './dynamodb-items.ts';
import type { StoredEvent } from './port.ts';

/**
 * The reads the DynamoDB event store makes. All strongly consistent: a command handler must see the
 * events it (or a competing handler) just wrote.
 */

/** The table a query runs against. */
export interface TableRef {
  readonly client: DynamoDBClient;
  readonly tableName: string;
}

type Key = Record<string, AttributeValue>;
const { partitionKey: PK, sortKey: SK, ttlAttribute: TTL } = EVENT_STORE_KEYS;
const P = EVENT_STORE_PREFIXES;

/** One query page of event items with versions `from..to`; DynamoDB may cut it at 1 MB. */
export async function queryEvents(
  table: TableRef,
  streamId: string,
  range: { readonly from: number; readonly to: number },
  page: { readonly limit?: number; readonly startKey?: Key } = {},
): Promise<{ items: Key[]; lastKey: Key | undefined }> {
  const out = await table.client.send(
    new QueryCommand({
      TableName: table.tableName,
      KeyConditionExpression: `${PK} = :pk AND ${SK} BETWEEN :from AND :to`,
      ExpressionAttributeValues: {
        ':pk': { S: P.stream + streamId },
        ':from': { S: P.event + padVersion(range.from) },
        ':to': { S: P.event + padVersion(range.to) },
      },
      Limit: page.limit,
      ExclusiveStartKey: page.startKey,
      ConsistentRead: true,
    }),
  );
  return { items: out.Items ?? [], lastKey: out.LastEvaluatedKey };
}

/** Every stored event `from..to` as written (no upcasting), across as many pages as it takes. */
export async function readEventRange(
  table: TableRef,
  streamId: string,
  from: number,
  to: number,
): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  let startKey: Key | undefined;
  do {
    const page = await queryEvents(table, streamId, { from, to }, startKey ? { startKey } : {});
    events.push(...page.items.map(storedEventFromItem));
    startKey = page.lastKey;
  } while (startKey);
  return events;
}

/** The stream's item with the highest sort key under `prefix` (newest event or snapshot). */
export async function latestItem(
  table: TableRef,
  streamId: string,
  prefix: string,
): Promise<ItemImage | undefined> {
  const out = await table.client.send(
    new QueryCommand({
      TableName: table.tableName,
      KeyConditionExpression: `${PK} = :pk AND begins_with(${SK}, :prefix)`,
      ExpressionAttributeValues: { ':pk': { S: P.stream + streamId }, ':prefix': { S: prefix } },
      ScanIndexForward: false,
      Limit: 1,
      ConsistentRead: true,
    }),
  );
  return out.Items?.[0];
}

/** Current stream version: the newest event's, 0 for a stream that does not exist. */
export async function headVersion(table: TableRef, streamId: string): Promise<number> {
  const item = await latestItem(table, streamId, P.event);
  return item ? numberAttr(item, 'streamVersion') : 0;
}

/** The idempotency record of `key`, unless it is missing or past its TTL (TTL deletion lags by days). */
export async function liveIdempotencyItem(
  table: TableRef,
  key: string,
  now: Date,
): Promise<ItemImage | undefined> {
  const out = await table.client.send(
    new GetItemCommand({ TableName: table.tableName, Key: idempotencyKeyOf(key), ConsistentRead: true }),
  );
  const expiresAt = out.Item?.[TTL]?.N;
  return expiresAt !== undefined && Number(expiresAt) > epochSeconds(now) ? out.Item : undefined;
}

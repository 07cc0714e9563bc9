import { type AttributeValue, type DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { MAX_STREAM_VERSION } from './core.ts';
import { EVENT_STORE_KEYS, EVENT_STORE_PREFIXES, type ItemImage, padVersion } from './dynamodb-items.ts';

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
const { partitionKey: PK, sortKey: SK } = EVENT_STORE_KEYS;
const P = EVENT_STORE_PREFIXES;

/**
 * One query page of commit items whose first version is in `from..to`, in version order; DynamoDB
 * cuts pages at `limit` items or 1 MB.
 */
export async function queryCommits(
  table: TableRef,
  streamId: string,
  range: { readonly from: number; readonly to?: number },
  page: { readonly limit?: number; readonly startKey?: Key } = {},
): Promise<{ items: Key[]; lastKey: Key | undefined }> {
  const out = await table.client.send(
    new QueryCommand({
      TableName: table.tableName,
      KeyConditionExpression: `${PK} = :pk AND ${SK} BETWEEN :from AND :to`,
      ExpressionAttributeValues: {
        ':pk': { S: P.stream + streamId },
        ':from': { S: P.event + padVersion(range.from) },
        ':to': { S: P.event + padVersion(range.to ?? MAX_STREAM_VERSION) },
      },
      Limit: page.limit,
      ExclusiveStartKey: page.startKey,
      ConsistentRead: true,
    }),
  );
  return { items: out.Items ?? [], lastKey: out.LastEvaluatedKey };
}

/** Every commit item whose first version is in `from..to`, across as many pages as it takes. */
export async function commitsBetween(
  table: TableRef,
  streamId: string,
  from: number,
  to?: number,
): Promise<Key[]> {
  const items: Key[] = [];
  let startKey: Key | undefined;
  do {
    const range = to === undefined ? { from } : { from, to };
    const page = await queryCommits(table, streamId, range, startKey ? { startKey } : {});
    items.push(...page.items);
    startKey = page.lastKey;
  } while (startKey);
  return items;
}

/**
 * The commit item holding `version`, or the stream's last one when the stream ends before it: the item
 * with the highest first version ≤ `version` (1 read unit for items up to 4 KB).
 */
export function commitAtOrBefore(
  table: TableRef,
  streamId: string,
  version: number,
): Promise<ItemImage | undefined> {
  return newestItem(table, streamId, `${SK} BETWEEN :from AND :to`, {
    ':from': { S: P.event + padVersion(0) },
    ':to': { S: P.event + padVersion(version) },
  });
}

/** The stream's item with the highest sort key under `prefix` (newest commit or snapshot). */
export function latestItem(
  table: TableRef,
  streamId: string,
  prefix: string,
): Promise<ItemImage | undefined> {
  return newestItem(table, streamId, `begins_with(${SK}, :prefix)`, { ':prefix': { S: prefix } });
}

/** The stream's item with the highest sort key meeting `sortKeyCondition`. */
async function newestItem(
  table: TableRef,
  streamId: string,
  sortKeyCondition: string,
  values: Record<string, AttributeValue>,
): Promise<ItemImage | undefined> {
  const out = await table.client.send(
    new QueryCommand({
      TableName: table.tableName,
      KeyConditionExpression: `${PK} = :pk AND ${sortKeyCondition}`,
      ExpressionAttributeValues: { ':pk': { S: P.stream + streamId }, ...values },
      ScanIndexForward: false,
      Limit: 1,
      ConsistentRead: true,
    }),
  );
  return out.Items?.[0];
}

/** Current stream version: the newest commit's last version, 0 for a stream that does not exist. */
export async function headVersion(table: TableRef, streamId: string): Promise<number> {
  const item = await latestItem(table, streamId, P.event);
  const to = item?.toVersion?.N;
  return to === undefined ? 0 : Number(to);
}

import {
  type AttributeValue,
  BatchGetItemCommand,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  type PutItemCommandInput,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { jsonAttribute, jsonAttributeText } from '../../../kit/aws/dynamodb-json.ts';
import { ConcurrencyError } from '../../../kit/event-store/errors.ts';
import type { OrderStatus, OrderSummary } from '../domain/order-summary.ts';
import type { OrderSummaryRepository, VersionedSummary } from '../use-cases/order-summary.ts';

/**
 * Key design of the order summary table; the CDK construct builds the table from these.
 * - `orderId` (S) is the partition key: one item per order, read and written by id.
 * - `byStatus` is a global secondary index on `status` (S) sorted by `updatedAt` (S, ISO time of the
 *   newest event), so "the latest CANCELLED orders" is one Query. It projects the keys only: every
 *   projector write moves the order in the index (a delete and a put, `updatedAt` changes), and a
 *   keys-only index entry costs one write unit where a copy of the summary would cost its size; a
 *   listing fetches the summaries it shows with BatchGetItem. Six statuses are six partitions of the
 *   index: fine for operator listings; shard the index key (`status#n`) for thousands of writes per
 *   second per status.
 */
export const ORDER_SUMMARY_KEYS = {
  partitionKey: 'orderId',
  statusIndex: 'byStatus',
  statusAttribute: 'status',
  updatedAtAttribute: 'updatedAt',
} as const;

/** Every status, in the order a listing without a status filter merges them. */
export const ORDER_STATUSES: readonly OrderStatus[] = [
  'PLACED',
  'INVENTORY_RESERVED',
  'PAYMENT_AUTHORIZED',
  'CANCELLING',
  'CONFIRMED',
  'CANCELLED',
];

/** Options of {@link DynamoDbOrderSummaryRepository.list}. */
export interface ListOrderSummariesOptions {
  readonly status?: OrderStatus;
  /** @default 20 */
  readonly limit?: number;
}

/** Dependencies of {@link DynamoDbOrderSummaryRepository}. */
export interface DynamoDbOrderSummaryRepositoryOptions {
  readonly client: Pick<DynamoDBClient, 'send'>;
  readonly tableName: string;
}

type Item = Record<string, AttributeValue>;
const K = ORDER_SUMMARY_KEYS;

/**
 * {@link OrderSummaryRepository} on its own DynamoDB table. The summary travels as one JSON attribute
 * (exact round trip of the read model; `summaryGzip` once it is large enough to cost a write unit more); `status`, `updatedAt`, `customerId` and `total` are copied to
 * top-level attributes for the index and for people browsing the table. `version` is the optimistic
 * lock: a put requires the version it was decided against, so two projector invocations folding
 * events of the same order never overwrite each other.
 */
export class DynamoDbOrderSummaryRepository implements OrderSummaryRepository {
  private readonly client: Pick<DynamoDBClient, 'send'>;
  private readonly tableName: string;

  constructor(options: DynamoDbOrderSummaryRepositoryOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
  }

  async get(orderId: string): Promise<VersionedSummary | undefined> {
    const { Item: item } = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: keyOf(orderId), ConsistentRead: true }),
    );
    return item === undefined ? undefined : fromItem(item);
  }

  async put(summary: OrderSummary, expectedVersion: number): Promise<void> {
    const condition: Pick<
      PutItemCommandInput,
      'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
    > =
      expectedVersion === 0
        ? {
            ConditionExpression: 'attribute_not_exists(#pk)',
            ExpressionAttributeNames: { '#pk': K.partitionKey },
          }
        : {
            ConditionExpression: '#version = :expected',
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':expected': { N: String(expectedVersion) } },
          };
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: toItem(summary, expectedVersion + 1),
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          ...condition,
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const actual = error.Item?.version?.N;
      throw new ConcurrencyError(
        `summary#${summary.orderId}`,
        expectedVersion,
        actual === undefined ? 0 : Number(actual),
        { cause: error },
      );
    }
  }

  /** The most recently updated summaries, newest first; of one status, or of all of them merged. */
  async list(options: ListOrderSummariesOptions = {}): Promise<OrderSummary[]> {
    const limit = options.limit ?? 20;
    const statuses = options.status === undefined ? ORDER_STATUSES : [options.status];
    const pages = await Promise.all(statuses.map((status) => this.latestOf(status, limit)));
    const latest = pages
      .flat()
      .sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0))
      .slice(0, limit);
    const summaries = await this.summariesOf(latest.map((entry) => entry.orderId));
    // An order that moved on (or was deleted) between the index read and the fetch is left out.
    return latest.flatMap((entry) => summaries.get(entry.orderId) ?? []);
  }

  /** The summaries of `orderIds` (BatchGetItem, 100 keys per request, unprocessed keys asked again). */
  private async summariesOf(orderIds: readonly string[]): Promise<Map<string, OrderSummary>> {
    const found = new Map<string, OrderSummary>();
    for (let i = 0; i < orderIds.length; i += 100) {
      let keys: Item[] = orderIds.slice(i, i + 100).map(keyOf);
      for (let attempt = 0; keys.length > 0 && attempt < 5; attempt += 1) {
        const out = await this.client.send(
          new BatchGetItemCommand({ RequestItems: { [this.tableName]: { Keys: keys } } }),
        );
        for (const item of out.Responses?.[this.tableName] ?? []) {
          const { summary } = fromItem(item);
          found.set(summary.orderId, summary);
        }
        keys = (out.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Item[];
      }
    }
    return found;
  }

  /** Removes one summary (a rebuild then replays its events into an empty slot). */
  async delete(orderId: string): Promise<void> {
    await this.client.send(new DeleteItemCommand({ TableName: this.tableName, Key: keyOf(orderId) }));
  }

  /** Every order id in the table (a full scan: for rebuilds and tools, not for request paths). */
  async allOrderIds(): Promise<string[]> {
    const ids: string[] = [];
    let startKey: Item | undefined;
    do {
      const page = await this.client.send(
        new ScanCommand({
          TableName: this.tableName,
          ProjectionExpression: '#pk',
          ExpressionAttributeNames: { '#pk': K.partitionKey },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? [])
        if (item[K.partitionKey]?.S) ids.push(item[K.partitionKey]?.S ?? '');
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return ids;
  }

  private async latestOf(status: OrderStatus, limit: number) {
    const page = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: K.statusIndex,
        KeyConditionExpression: '#status = :status',
        ExpressionAttributeNames: { '#status': K.statusAttribute },
        ExpressionAttributeValues: { ':status': { S: status } },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (page.Items ?? []).map((item) => ({
      orderId: item[K.partitionKey]?.S ?? '',
      updatedAt: item[K.updatedAtAttribute]?.S ?? '',
    }));
  }
}

function keyOf(orderId: string): Item {
  return { [K.partitionKey]: { S: orderId } };
}

/** Time of the newest timeline entry: what "recently updated" sorts on. */
function updatedAt(summary: OrderSummary): string {
  return summary.timeline.at(-1)?.at ?? new Date(0).toISOString();
}

function toItem(summary: OrderSummary, version: number): Item {
  return {
    ...keyOf(summary.orderId),
    [K.statusAttribute]: { S: summary.status },
    [K.updatedAtAttribute]: { S: updatedAt(summary) },
    version: { N: String(version) },
    // Gzipped from 640 bytes: a summary with its timeline is ~1.1 KB of JSON (2 write units per put).
    ...jsonAttribute('summary', JSON.stringify(summary)),
    ...(summary.customerId === undefined ? {} : { customerId: { S: summary.customerId } }),
    ...(summary.total === undefined ? {} : { total: { N: String(summary.total) } }),
  };
}

function fromItem(item: Item): VersionedSummary {
  return {
    summary: JSON.parse(jsonAttributeText(item, 'summary') ?? '{}') as OrderSummary,
    version: Number(item.version?.N ?? '0'),
  };
}

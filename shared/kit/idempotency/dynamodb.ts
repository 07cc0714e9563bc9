import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { BeginOptions, BeginResult, IdempotencyStore } from './port.ts';

/** Where {@link DynamoDbIdempotencyStore} keeps its records; defaults fit the event store table. */
export interface DynamoDbIdempotencyStoreOptions {
  readonly client: Pick<DynamoDBClient, 'send'>;
  readonly tableName: string;
  /** @default 'pk' */
  readonly partitionKey?: string;
  /** Sort key attribute, when the table has one. @default 'sk' */
  readonly sortKey?: string | null;
  /**
   * Prefix of the partition key value. The default keeps these records apart from the event store's
   * own `IDEMPOTENCY#` append records when both share a table.
   * @default 'ONCE#'
   */
  readonly keyPrefix?: string;
}

/** Value of the sort key of every record (one item per key). */
const RECORD_SORT_KEY = 'R';

type Item = Record<string, AttributeValue>;

/**
 * {@link IdempotencyStore} on DynamoDB with one conditional PutItem per claim:
 * the put succeeds when no record exists, the record expired, or its IN_PROGRESS claim lapsed.
 * When it fails, `ReturnValuesOnConditionCheckFailure: ALL_OLD` hands back the live record in the
 * same round trip. `expiresAt` is epoch seconds, the attribute DynamoDB TTL reads; TTL deletes lazily
 * (up to days later), which is why expiry is also part of the condition.
 */
export class DynamoDbIdempotencyStore implements IdempotencyStore {
  private readonly client: Pick<DynamoDBClient, 'send'>;
  private readonly tableName: string;
  private readonly pk: string;
  private readonly sk: string | null;
  private readonly prefix: string;

  constructor(options: DynamoDbIdempotencyStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.pk = options.partitionKey ?? 'pk';
    this.sk = options.sortKey === undefined ? 'sk' : options.sortKey;
    this.prefix = options.keyPrefix ?? 'ONCE#';
  }

  async begin(key: string, options: BeginOptions): Promise<BeginResult> {
    const now = options.now.getTime();
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            ...this.keyOf(key),
            status: { S: 'IN_PROGRESS' },
            inProgressUntil: { N: String(options.inProgressUntil.getTime()) },
            expiresAt: { N: String(epochSeconds(options.expiresAt)) },
          },
          ConditionExpression:
            'attribute_not_exists(#pk) OR #expiresAt <= :nowSeconds OR ' +
            '(#status = :inProgress AND #inProgressUntil <= :nowMs)',
          ExpressionAttributeNames: {
            '#pk': this.pk,
            '#expiresAt': 'expiresAt',
            '#status': 'status',
            '#inProgressUntil': 'inProgressUntil',
          },
          ExpressionAttributeValues: {
            ':nowSeconds': { N: String(Math.floor(now / 1000)) },
            ':nowMs': { N: String(now) },
            ':inProgress': { S: 'IN_PROGRESS' },
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { status: 'started' };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return liveRecord(error.Item);
    }
  }

  async complete(key: string, result: unknown, expiresAt: Date): Promise<void> {
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: {
          ...this.keyOf(key),
          status: { S: 'COMPLETED' },
          result: { S: JSON.stringify(result ?? null) },
          expiresAt: { N: String(epochSeconds(expiresAt)) },
        },
      }),
    );
  }

  async release(key: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: this.keyOf(key),
          ConditionExpression: '#status = :inProgress',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':inProgress': { S: 'IN_PROGRESS' } },
        }),
      );
    } catch (error) {
      // Nothing to release: the record is gone or completed, both fine for a retry.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  private keyOf(key: string): Item {
    const item: Item = { [this.pk]: { S: this.prefix + key } };
    if (this.sk !== null) item[this.sk] = { S: RECORD_SORT_KEY };
    return item;
  }
}

/** The record that made the claim fail; an emulator that omits it gets a short in-progress answer. */
function liveRecord(item: Item | undefined): BeginResult {
  if (item?.status?.S === 'COMPLETED') {
    const text = item.result?.S;
    return { status: 'completed', result: text === undefined ? null : JSON.parse(text) };
  }
  const until = Number(item?.inProgressUntil?.N ?? Date.now() + 1000);
  return { status: 'in-progress', until: new Date(until) };
}

function epochSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

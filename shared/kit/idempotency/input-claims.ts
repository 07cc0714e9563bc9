import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { EVENT_STORE_KEYS } from '../event-store/dynamodb-items.ts';

/**
 * Which content first came with an input id. An event store append recognises a repeated input in
 * the stream it writes to; an id that a producer reuses for another stream (another order) never meets
 * that stream. Consumers that take events first-hand (the intake) claim each id here, keyed per
 * consumer (`<consumer>#<event id>`), before acting on it.
 */
export interface InputClaims {
  /**
   * Claims `key` for `fingerprint` unless a live claim exists; answers the fingerprint the key is
   * claimed with (the caller's own when it was free or claimed by the same content before).
   */
  claim(key: string, fingerprint: string, now: Date): Promise<string>;
}

/** Claims outlive the longest SQS retention (14 days), so a late redelivery still meets its claim. */
export const INPUT_CLAIM_TTL_SECONDS = 15 * 24 * 60 * 60;

const PREFIX = 'INPUT#';
const SORT_KEY = 'I';
const { partitionKey: PK, sortKey: SK, ttlAttribute: TTL } = EVENT_STORE_KEYS;

/**
 * {@link InputClaims} as items of the event store table (`pk = INPUT#<key>`, `sk = I`, expiring by the
 * table's TTL): one conditional PutItem of a small item (1 WCU) per first-hand input. No transaction
 * with the append that follows: a claim without an append (the handler failed after it) is the same
 * claim when the input comes back, so the two need not be atomic.
 */
export class DynamoDbInputClaims implements InputClaims {
  constructor(
    private readonly options: {
      readonly client: DynamoDBClient;
      readonly tableName: string;
      readonly ttlSeconds?: number;
    },
  ) {}

  async claim(key: string, fingerprint: string, now: Date): Promise<string> {
    const { client, tableName } = this.options;
    const nowSeconds = Math.floor(now.getTime() / 1000);
    const Key = { [PK]: { S: PREFIX + key }, [SK]: { S: SORT_KEY } };
    try {
      await client.send(
        new PutItemCommand({
          TableName: tableName,
          Item: {
            ...Key,
            fingerprint: { S: fingerprint },
            claimedAt: { S: now.toISOString() },
            [TTL]: { N: String(nowSeconds + (this.options.ttlSeconds ?? INPUT_CLAIM_TTL_SECONDS)) },
          },
          // An expired claim may linger until TTL deletes it (up to days): it counts as absent.
          ConditionExpression: `attribute_not_exists(${PK}) OR fingerprint = :fingerprint OR ${TTL} <= :now`,
          ExpressionAttributeValues: {
            ':fingerprint': { S: fingerprint },
            ':now': { N: String(nowSeconds) },
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return fingerprint;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const held = error.Item?.fingerprint?.S;
      if (held !== undefined) return held;
      // Not every endpoint returns the item with the failure: read it.
      const out = await client.send(new GetItemCommand({ TableName: tableName, Key, ConsistentRead: true }));
      return out.Item?.fingerprint?.S ?? fingerprint;
    }
  }
}

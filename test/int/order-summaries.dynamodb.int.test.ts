import { randomUUID } from 'node:crypto';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  GetItemCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DynamoDbOrderSummaryRepository,
  ORDER_SUMMARY_KEYS,
} from '../../shared/contexts/orders/adapters/dynamodb-order-summaries.ts';
import type { OrderSummary } from '../../shared/contexts/orders/domain/order-summary.ts';
import {
  describeOrderSummaryRepositoryContract,
  placedSummary,
} from '../contract/order-summary-repository.contract.ts';
import { emulatorClientConfig } from '../support/aws.ts';

const client = new DynamoDBClient(emulatorClientConfig());
const tableName = `order-summaries-int-${randomUUID().slice(0, 8)}`;
const K = ORDER_SUMMARY_KEYS;

beforeAll(async () => {
  // The table as the orders definition declares it: `orderId` key, `byStatus` index on status + updatedAt.
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: K.partitionKey, AttributeType: 'S' },
        { AttributeName: K.statusAttribute, AttributeType: 'S' },
        { AttributeName: K.updatedAtAttribute, AttributeType: 'S' },
      ],
      KeySchema: [{ AttributeName: K.partitionKey, KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
        {
          IndexName: K.statusIndex,
          KeySchema: [
            { AttributeName: K.statusAttribute, KeyType: 'HASH' },
            { AttributeName: K.updatedAtAttribute, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ],
    }),
  );
  await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1, maxDelay: 2 }, { TableName: tableName });
});

afterAll(async () => {
  await client.send(new DeleteTableCommand({ TableName: tableName }));
  client.destroy();
});

const repository = () => new DynamoDbOrderSummaryRepository({ client, tableName });

describeOrderSummaryRepositoryContract('DynamoDB', async () => repository());

/** A summary of `status` whose newest event happened at `at`. */
function summaryAt(status: OrderSummary['status'], at: string): OrderSummary {
  const placed = placedSummary(`list-${randomUUID().slice(0, 8)}`);
  return { ...placed, status, timeline: [{ ...(placed.timeline[0] as OrderSummary['timeline'][0]), at }] };
}

describe('DynamoDB order summaries: storage', () => {
  it('stores a summary of a full saga gzipped, under one write unit, and reads it back exactly, listings included', async () => {
    // Arrange: a summary with the timeline of a whole saga, well over the 640 bytes compression starts at.
    const repo = repository();
    const placed = placedSummary(`gz-${randomUUID().slice(0, 8)}`);
    const first = placed.timeline[0] as OrderSummary['timeline'][0];
    const types = [
      'OrderPlaced',
      'InventoryReserved',
      'PaymentAuthorized',
      'OrderConfirmed',
      'NotificationSent',
      'NotificationSent',
    ] as const;
    const summary: OrderSummary = {
      ...placed,
      status: 'CONFIRMED',
      timeline: types.map((type, i) => ({
        ...first,
        eventId: randomUUID(),
        type,
        at: `2020-01-01T00:00:0${i}.000Z`,
      })),
    };
    expect(Buffer.byteLength(JSON.stringify(summary))).toBeGreaterThan(640);

    // Act
    await repo.put(summary, 0);
    const { Item } = await client.send(
      new GetItemCommand({ TableName: tableName, Key: { [K.partitionKey]: { S: summary.orderId } } }),
    );
    const read = await repo.get(summary.orderId);
    const listed = await repo.list({ status: 'CONFIRMED', limit: 1000 });

    // Assert
    expect(Item?.summary).toBeUndefined();
    expect(Item?.summaryGzip?.B?.byteLength).toBeLessThan(1024 - 200);
    expect(read).toEqual({ summary, version: 1 });
    expect(listed.find((s) => s.orderId === summary.orderId)).toEqual(summary);
  });
});

describe('DynamoDB order summaries: listings for operators', () => {
  it('lists the latest summaries of one status, newest first, up to the limit', async () => {
    // Arrange
    const repo = repository();
    const older = summaryAt('CANCELLED', '2030-01-01T00:00:01.000Z');
    const newer = summaryAt('CANCELLED', '2030-01-01T00:00:03.000Z');
    const newest = summaryAt('CANCELLED', '2030-01-01T00:00:05.000Z');
    const confirmed = summaryAt('CONFIRMED', '2030-01-01T00:00:04.000Z');
    for (const summary of [older, newer, newest, confirmed]) await repo.put(summary, 0);

    // Act
    const cancelled = await repo.list({ status: 'CANCELLED', limit: 2 });
    const any = await repo.list({ limit: 3 });

    // Assert
    expect(cancelled.map((s) => s.orderId)).toEqual([newest.orderId, newer.orderId]);
    expect(any.map((s) => s.orderId)).toEqual([newest.orderId, confirmed.orderId, newer.orderId]);
  });

  it('deletes a summary and knows every order id it holds', async () => {
    // Arrange
    const repo = repository();
    const kept = placedSummary();
    const gone = placedSummary();
    await repo.put(kept, 0);
    await repo.put(gone, 0);

    // Act
    await repo.delete(gone.orderId);
    const ids = await repo.allOrderIds();

    // Assert
    expect(await repo.get(gone.orderId)).toBeUndefined();
    expect(ids).toContain(kept.orderId);
    expect(ids).not.toContain(gone.orderId);
  });
});

import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ordersCatalog } from '../../shared/contexts/orders/events/catalog.ts';
import { DynamoDbEventStore } from '../../shared/kit/event-store/dynamodb.ts';
import {
  commitInfoOf,
  commitKey,
  EVENT_STORE_KEYS,
  isCommitItem,
  storedEventsFromItem,
} from '../../shared/kit/event-store/dynamodb-items.ts';
import { createEventStoreTable } from '../../shared/kit/event-store/dynamodb-table.ts';
import { dynamoDbStoredEventCheck } from '../../shared/kit/event-store/stored-check.ts';
import { describeEventStoreContract } from '../contract/event-store.contract.ts';
import { aStreamId, someEvents } from '../contract/event-store.fixtures.ts';
import { describeStoredCheckContract } from '../contract/stored-check.contract.ts';
import { emulatorClientConfig } from '../support/aws.ts';

const client = new DynamoDBClient(emulatorClientConfig());
const tableName = `event-store-int-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  await createEventStoreTable(client, tableName);
});

afterAll(async () => {
  await client.send(new DeleteTableCommand({ TableName: tableName }));
  client.destroy();
});

describeEventStoreContract('DynamoDB', async (options = {}) => ({
  store: new DynamoDbEventStore({ client, tableName, ...options }),
}));

describeStoredCheckContract('DynamoDB', async () => ({
  store: new DynamoDbEventStore({ client, tableName }),
  check: dynamoDbStoredEventCheck({ client, tableName, catalog: ordersCatalog }),
}));

describe('DynamoDB event store items', () => {
  it('stores the events of one append as one item the outbox can rebuild from its new image alone', async () => {
    const store = new DynamoDbEventStore({ client, tableName });
    const streamId = aStreamId();
    const { events } = await store.append(streamId, someEvents(3), {
      expectedVersion: 0,
      idempotencyKey: `input#${streamId}`,
      idempotencyFingerprint: 'sha256:input',
    });

    const { Item } = await client.send(
      new GetItemCommand({ TableName: tableName, Key: commitKey(streamId, 1), ConsistentRead: true }),
    );

    expect(Item?.[EVENT_STORE_KEYS.sortKey]?.S).toBe('E#0000000001');
    expect(Item && isCommitItem(Item)).toBe(true);
    expect(Item && commitInfoOf(Item)).toEqual({
      fromVersion: 1,
      toVersion: 3,
      input: { key: `input#${streamId}`, fingerprint: 'sha256:input' },
    });
    expect(Item && storedEventsFromItem(Item)).toEqual(events);
  });
});

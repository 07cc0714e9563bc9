import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbEventStore } from '../../shared/kit/event-store/dynamodb.ts';
import { createEventStoreTable } from '../../shared/kit/event-store/dynamodb-table.ts';
import { DynamoDbIdempotencyStore } from '../../shared/kit/idempotency/dynamodb.ts';
import { runOnce } from '../../shared/kit/idempotency/run-once.ts';
import { someEvents } from '../contract/event-store.fixtures.ts';
import { describeIdempotencyStoreContract } from '../contract/idempotency-store.contract.ts';
import { emulatorClientConfig } from '../support/aws.ts';

const client = new DynamoDBClient(emulatorClientConfig());
// The idempotency records share the event store's table, as they do when deployed.
const tableName = `idempotency-int-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  await createEventStoreTable(client, tableName);
});

afterAll(async () => {
  await client.send(new DeleteTableCommand({ TableName: tableName }));
  client.destroy();
});

describeIdempotencyStoreContract('DynamoDB', async () => new DynamoDbIdempotencyStore({ client, tableName }));

describe('DynamoDB idempotency store next to the event store', () => {
  it('keeps its records apart from the event store records with the same key', async () => {
    const events = new DynamoDbEventStore({ client, tableName });
    const once = new DynamoDbIdempotencyStore({ client, tableName });
    const key = `shared-${randomUUID()}`;

    await events.append(`stream-${randomUUID()}`, someEvents(1), { expectedVersion: 0, idempotencyKey: key });
    const result = await runOnce(once, key, async () => 'ran');

    expect(result).toEqual({ result: 'ran', replayed: false });
  });
});

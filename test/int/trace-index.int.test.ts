import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsOf } from '../../cli/ops/trace.ts';
import { DynamoDbEventStore } from '../../shared/kit/event-store/dynamodb.ts';
import { createEventStoreTable } from '../../shared/kit/event-store/dynamodb-table.ts';
import { anEvent, aStreamId } from '../contract/event-store.fixtures.ts';
import { emulatorClientConfig } from '../support/aws.ts';

const client = new DynamoDBClient(emulatorClientConfig());
const suffix = randomUUID().slice(0, 8);
const tables = { indexed: `trace-indexed-${suffix}`, unindexed: `trace-unindexed-${suffix}` };
const flow = `flow-${suffix}`;
/** Other flows beside the traced one: what a scan reads and an index query does not. */
const OTHER_FLOWS = 30;

beforeAll(async () => {
  await Promise.all([
    createEventStoreTable(client, tables.indexed),
    createEventStoreTable(client, tables.unindexed, { traceIndex: false }),
  ]);
  for (const tableName of Object.values(tables)) {
    const store = new DynamoDbEventStore({ client, tableName });
    const order = aStreamId('trace-order#');
    await store.append(order, [anEvent({ correlationId: flow })], { expectedVersion: 0 });
    await store.append(order, [anEvent({ correlationId: flow })], { expectedVersion: 1 });
    await store.append(aStreamId('trace-stock#'), [anEvent({ correlationId: flow })], { expectedVersion: 0 });
    for (let n = 0; n < OTHER_FLOWS; n++) {
      await store.append(aStreamId('trace-order#'), [anEvent({ correlationId: `other-${n}` })], {
        expectedVersion: 0,
      });
    }
  }
});

afterAll(async () => {
  for (const TableName of Object.values(tables)) await client.send(new DeleteTableCommand({ TableName }));
  client.destroy();
});

describe('pipeline trace reads', () => {
  it('reads the flow alone through the correlation index', async () => {
    const found = await eventsOf({ client, tableName: tables.indexed }, flow);

    expect(found.source).toBe('index');
    expect(found.itemsRead).toBe(3);
    expect(found.events).toHaveLength(3);
    expect(new Set(found.events.map((e) => e.event.correlationId))).toEqual(new Set([flow]));
  });

  it('falls back to scanning the whole table where the stage left the index out, and finds the same events', async () => {
    const [indexed, scanned] = await Promise.all([
      eventsOf({ client, tableName: tables.indexed }, flow),
      eventsOf({ client, tableName: tables.unindexed }, flow),
    ]);

    expect(scanned.source).toBe('scan');
    expect(scanned.itemsRead).toBe(3 + OTHER_FLOWS);
    expect(scanned.events.map((e) => e.streamVersion)).toEqual(indexed.events.map((e) => e.streamVersion));
    expect(scanned.events).toHaveLength(3);
  });

  it('scans when asked, for flows stored before the index existed, even where the index is there', async () => {
    const found = await eventsOf({ client, tableName: tables.indexed }, flow, { scan: true });

    expect(found.source).toBe('scan');
    expect(found.itemsRead).toBe(3 + OTHER_FLOWS);
    expect(found.events).toHaveLength(3);
  });
});

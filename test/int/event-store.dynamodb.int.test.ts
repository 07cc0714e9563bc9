import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ordersCatalog } from '../../shared/contexts/orders/events/catalog.ts';
import { DynamoDbEventStore } from '../../shared/kit/event-store/dynamodb.ts';
import {
  commitsOfCorrelation,
  streamCatalogPage,
} from '../../shared/kit/event-store/dynamodb-index-queries.ts';
import {
  cataloguedTypes,
  correlationKeyOf,
  EVENT_STORE_INDEXES,
  streamCatalogShard,
  streamTypeOf,
} from '../../shared/kit/event-store/dynamodb-indexes.ts';
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
import { anEvent, aStreamId, someEvents } from '../contract/event-store.fixtures.ts';
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
      correlation: correlationKeyOf(events.map((e) => e.event.correlationId)),
    });
    expect(Item && storedEventsFromItem(Item)).toEqual(events);
  });
});

describe('DynamoDB event store indexes', () => {
  const table = { client, tableName };

  it('finds the commits of one flow through the correlation index, across streams, and no others', async () => {
    // Arrange: one flow over two streams (three commits), another flow beside it.
    const store = new DynamoDbEventStore({ client, tableName });
    const flow = `flow-${randomUUID()}`;
    const [order, stock] = [aStreamId('idx-order#'), aStreamId('idx-stock#')];
    await store.append(order, [anEvent({ correlationId: flow })], { expectedVersion: 0 });
    await store.append(order, [anEvent({ correlationId: flow }), anEvent({ correlationId: flow })], {
      expectedVersion: 1,
    });
    await store.append(stock, [anEvent({ correlationId: flow })], { expectedVersion: 0 });
    await store.append(aStreamId('idx-order#'), [anEvent({ correlationId: `other-${flow}` })], {
      expectedVersion: 0,
    });

    // Act
    const found = await commitsOfCorrelation(table, flow);
    // What any trace reads besides its own commits: those mixing flows (other tests write some).
    const mixed = await commitsOfCorrelation(table, `no-such-flow-${randomUUID()}`);

    // Assert
    expect(found.itemsRead).toBe(3 + mixed.itemsRead);
    const events = found.items.flatMap(storedEventsFromItem).filter((e) => e.event.correlationId === flow);
    expect(events.map((e) => `${e.streamId}@${e.streamVersion}`).sort()).toEqual(
      [`${order}@1`, `${order}@2`, `${order}@3`, `${stock}@1`].sort(),
    );
  });

  it('finds a commit that mixes flows from either flow', async () => {
    const store = new DynamoDbEventStore({ client, tableName });
    const [a, b] = [`flow-a-${randomUUID()}`, `flow-b-${randomUUID()}`];
    const streamId = aStreamId('idx-mixed#');
    await store.append(streamId, [anEvent({ correlationId: a }), anEvent({ correlationId: b })], {
      expectedVersion: 0,
    });

    const [ofA, ofB] = await Promise.all([commitsOfCorrelation(table, a), commitsOfCorrelation(table, b)]);

    expect(ofA.items.map((item) => item.streamId?.S)).toContain(streamId);
    expect(ofB.items.map((item) => item.streamId?.S)).toContain(streamId);
  });

  it('lists each stream of a type once, from its first commit, page by page over every shard', async () => {
    // Arrange: streams of a type no other test writes, some with several commits; one of another type.
    const store = new DynamoDbEventStore({ client, tableName });
    const type = `idx-type-${randomUUID().slice(0, 8)}`;
    const streams = Array.from({ length: 12 }, (_, i) => `${type}#s-${i}`);
    for (const streamId of streams) {
      await store.append(streamId, someEvents(1), { expectedVersion: 0 });
      await store.append(streamId, someEvents(1), { expectedVersion: 1 });
    }
    await store.append(`${type}-other#s-0`, someEvents(1), { expectedVersion: 0 });

    // Act: pages of 2, as a paced rebuild reads them.
    const listed: string[] = [];
    const shardsSeen = new Set<number>();
    let position: Parameters<typeof streamCatalogPage>[2] | undefined = { shard: 0 };
    let pages = 0;
    while (position !== undefined) {
      const page = await streamCatalogPage(table, streamTypeOf(`${type}#x`), position, 2);
      expect(page.streamIds.length).toBeLessThanOrEqual(2);
      expect(page.itemsRead).toBe(page.streamIds.length);
      shardsSeen.add(position.shard);
      listed.push(...page.streamIds);
      position = page.next;
      pages++;
    }

    // Assert
    expect(listed.sort()).toEqual([...streams].sort());
    expect(shardsSeen.size).toBe(EVENT_STORE_INDEXES.streamCatalog.shards);
    expect(pages).toBeGreaterThanOrEqual(streams.length / 2);
    expect(new Set(streams.map(streamCatalogShard)).size).toBeGreaterThan(1);
  });

  it('indexes only where a run of a flow starts in a stream, and the trace still reads every commit of it', async () => {
    // Arrange: a stream shared by two flows (as a SKU's stock is by orders): A, A, A, B, A; then A again
    // from a second store instance, which knows nothing of the stream and reads its last commit.
    const writer = new DynamoDbEventStore({ client, tableName });
    const [a, b] = [`flow-a-${randomUUID()}`, `flow-b-${randomUUID()}`];
    const streamId = aStreamId('idx-runs#');
    const flows = [a, a, a, b, a];
    for (const [i, flow] of flows.entries()) {
      await writer.append(streamId, [anEvent({ correlationId: flow })], { expectedVersion: i });
    }
    await new DynamoDbEventStore({ client, tableName }).append(streamId, [anEvent({ correlationId: a })], {
      expectedVersion: 5,
    });
    const indexed = async (version: number) => {
      const { Item } = await client.send(
        new GetItemCommand({ TableName: tableName, Key: commitKey(streamId, version), ConsistentRead: true }),
      );
      return Item?.[EVENT_STORE_INDEXES.byCorrelation.partitionKey]?.S;
    };

    // Act
    const ofA = await commitsOfCorrelation(table, a);
    const ofB = await commitsOfCorrelation(table, b);
    const mixed = await commitsOfCorrelation(table, `no-such-flow-${randomUUID()}`);

    // Assert: index entries at versions 1, 4 and 5 only (where the flow changes).
    expect(await Promise.all([1, 2, 3, 4, 5, 6].map(indexed))).toEqual([
      a,
      undefined,
      undefined,
      b,
      a,
      undefined,
    ]);
    const versions = (found: typeof ofA) =>
      found.items
        .flatMap(storedEventsFromItem)
        .filter((e) => e.streamId === streamId)
        .map((e) => e.streamVersion);
    expect(versions(ofA).sort()).toEqual([1, 2, 3, 5, 6]);
    expect(versions(ofB)).toEqual([4]);
    // A's two runs read its five commits and the one of B that ended the first run; B's run reads
    // its commit and the one of A after it.
    expect(ofA.itemsRead).toBe(6 + mixed.itemsRead);
    expect(ofB.itemsRead).toBe(2 + mixed.itemsRead);
  });

  it('lists only the catalogued stream types in the stream catalog', async () => {
    const type = `idx-cat-${randomUUID().slice(0, 8)}`;
    const store = new DynamoDbEventStore({ client, tableName, catalogued: cataloguedTypes(type) });
    await store.append(`${type}#s-1`, someEvents(1), { expectedVersion: 0 });
    await store.append(`${type}-not#s-1`, someEvents(1), { expectedVersion: 0 });

    const listed = async (streamType: string) => {
      const ids: string[] = [];
      let position: Parameters<typeof streamCatalogPage>[2] | undefined = { shard: 0 };
      while (position !== undefined) {
        const page = await streamCatalogPage(table, streamType, position);
        ids.push(...page.streamIds);
        position = page.next;
      }
      return ids;
    };

    expect(await listed(type)).toEqual([`${type}#s-1`]);
    expect(await listed(`${type}-not`)).toEqual([]);
  });
});

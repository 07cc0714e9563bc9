import { randomUUID } from 'node:crypto';
import {
  type AttributeValue,
  BatchWriteItemCommand,
  type BatchWriteItemCommandOutput,
  DescribeTableCommand,
  paginateScan,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OUTPUTS } from '../../infra/stacks/outputs.ts';
import { EVENT_STORE_INDEXES, streamCatalogKey } from '../../shared/kit/event-store/dynamodb-indexes.ts';
import {
  EVENT_STORE_KEYS,
  EVENT_STORE_PREFIXES,
  padVersion,
} from '../../shared/kit/event-store/dynamodb-items.ts';
import { testClients } from '../support/aws.ts';
import { e2eStack, runCliJson } from '../support/cli.ts';
import { stackOutput } from '../support/stack-outputs.ts';
import { sagaWorld } from './saga-world.ts';

/**
 * `pipeline trace` and `orders rebuild` read what they show through the event store's indexes, so what
 * they read is bounded by the flow (or the order streams), not by the table: proven on a table holding
 * tens of thousands of unrelated items, which the scans they replaced read in full.
 */

const world = sagaWorld();
const { dynamo } = testClients();
const tableName = stackOutput(OUTPUTS.eventStoreTable);
const { partitionKey: PK, sortKey: SK } = EVENT_STORE_KEYS;
const { byCorrelation, streamCatalog } = EVENT_STORE_INDEXES;

/** Unrelated items seeded into the table: the number the issue names (tens of thousands). */
const JUNK_ITEMS = 20_000;
const junkRun = `junk-${randomUUID().slice(0, 8)}`;
const junkKeys: Record<string, AttributeValue>[] = [];

/**
 * One unrelated item: a stream of a type no order uses, with a flow of its own, carrying both index
 * keys (so the indexes hold tens of thousands of other entries too). A snapshot-shaped item (`S#…`),
 * not a commit: the outbox's stream filter passes commit items only, so the seed publishes nothing.
 */
function junkItem(n: number): Record<string, AttributeValue> {
  const streamId = `e2e-${junkRun}-type${n % 5}#s-${n}`;
  return {
    [PK]: { S: `${EVENT_STORE_PREFIXES.stream}${streamId}` },
    [SK]: { S: `${EVENT_STORE_PREFIXES.snapshot}${padVersion(1)}` },
    streamId: { S: streamId },
    version: { N: '1' },
    state: { S: JSON.stringify({ note: 'unrelated to any order', n, padding: 'x'.repeat(120) }) },
    savedAt: { S: new Date().toISOString() },
    [byCorrelation.partitionKey]: { S: `${junkRun}-flow-${n % 2_000}` },
    [streamCatalog.partitionKey]: { S: streamCatalogKey(streamId) },
  };
}

/** BatchWriteItem in calls of 25, a few at a time, retrying what DynamoDB leaves unprocessed. */
async function batchWrite(requests: WriteRequest[]): Promise<void> {
  const calls: WriteRequest[][] = [];
  for (let i = 0; i < requests.length; i += 25) calls.push(requests.slice(i, i + 25));
  const worker = async () => {
    for (let call = calls.pop(); call !== undefined; call = calls.pop()) {
      let pending: WriteRequest[] | undefined = call;
      while (pending !== undefined && pending.length > 0) {
        const out: BatchWriteItemCommandOutput = await dynamo.send(
          new BatchWriteItemCommand({ RequestItems: { [tableName]: pending } }),
        );
        pending = out.UnprocessedItems?.[tableName];
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

/** Items of the table matching `filter` (a scan: the test's own ground truth), and how many it read. */
async function scanCount(filter: string, values: Record<string, AttributeValue>) {
  let matching = 0;
  let scanned = 0;
  for await (const page of paginateScan(
    { client: dynamo },
    {
      TableName: tableName,
      FilterExpression: filter,
      ExpressionAttributeNames: { '#pk': PK, '#sk': SK },
      ExpressionAttributeValues: values,
      Select: 'COUNT',
    },
  )) {
    matching += page.Count ?? 0;
    scanned += page.ScannedCount ?? 0;
  }
  return { matching, scanned };
}

const sku = world.unique('INDEXED');
const orderId = world.unique('indexed-order');
const otherOrderId = world.unique('indexed-other');

beforeAll(async () => {
  // Arrange: the unrelated items first, then two real orders through the bus, settled.
  const items = Array.from({ length: JUNK_ITEMS }, (_, n) => junkItem(n));
  junkKeys.push(
    ...items.map((item) => ({ [PK]: item[PK] as AttributeValue, [SK]: item[SK] as AttributeValue })),
  );
  await batchWrite(items.map((Item) => ({ PutRequest: { Item } })));
  await world.stock(sku, 5);
  await world.place(
    world.order({ orderId, items: [{ sku, qty: 1, unitPrice: 10 }], total: 10 }),
    world.order({ orderId: otherOrderId, items: [{ sku, qty: 1, unitPrice: 10 }], total: 10 }),
  );
  for (const id of [orderId, otherOrderId]) {
    await world.summary(
      id,
      (s) => s.status === 'CONFIRMED' && s.timeline.some((e) => e.type === 'NotificationSent'),
    );
  }
  await world.drained();
}, 300_000);

afterAll(async () => {
  // The stack is shared by the e2e files after this one: leave its table as it was.
  await batchWrite(junkKeys.map((Key) => ({ DeleteRequest: { Key } })));
}, 300_000);

describe('operator reads through the event store indexes, on a table of tens of thousands of items', () => {
  it('deploys both indexes keys-only through CloudFormation', async () => {
    const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: tableName }));

    // Not their IndexStatus: MiniStack leaves it out for a template's table (conformance gap
    // ddb-cfn-index-status-missing); the queries below prove they serve.
    const indexes = (Table?.GlobalSecondaryIndexes ?? []).map((index) => ({
      name: index.IndexName,
      projection: index.Projection?.ProjectionType,
    }));
    expect(indexes).toEqual(
      expect.arrayContaining([
        { name: streamCatalog.name, projection: 'KEYS_ONLY' },
        { name: byCorrelation.name, projection: 'KEYS_ONLY' },
      ]),
    );
  });

  it('traces an order by reading its own items only, not the table', async () => {
    // Arrange: the flow's commit items, counted by a scan of the whole table.
    const correlationId = `e2e-${orderId}`;
    const flowItems = () =>
      scanCount('contains(correlationIds, :id) AND begins_with(#sk, :e) AND begins_with(#pk, :p)', {
        ':p': { S: EVENT_STORE_PREFIXES.stream },
        ':id': { S: correlationId },
        ':e': { S: EVENT_STORE_PREFIXES.event },
      });
    const before = await flowItems();

    // Act
    const trace = await runCliJson<{ events: number; itemsRead: number; source: string; verdict: string[] }>([
      'trace',
      correlationId,
      '--stack',
      e2eStack,
    ]);

    // Assert
    expect(before.scanned).toBeGreaterThan(JUNK_ITEMS);
    expect(before.matching).toBeGreaterThan(1);
    expect(trace.source).toBe('index');
    // The flow's own items, and at most one more per run of them in a stream (the commit of another
    // order that ended the run on a shared SKU stream): never the table.
    expect(trace.itemsRead).toBeGreaterThanOrEqual(before.matching);
    expect(trace.itemsRead).toBeLessThanOrEqual(2 * before.matching);
    expect(trace.events).toBeGreaterThanOrEqual(before.matching);
    expect((await flowItems()).matching).toBe(before.matching);
    expect(trace.verdict).toContain(`saga-order#${orderId}: completed`);
  });

  it('rebuilds every order by listing the order saga streams alone, not the table', async () => {
    // Arrange: the order saga streams (their first commits), counted by a scan of the whole table.
    const sagaStreams = () =>
      scanCount('begins_with(#pk, :saga) AND #sk = :first', {
        ':saga': { S: `${EVENT_STORE_PREFIXES.stream}saga-order#` },
        ':first': { S: `${EVENT_STORE_PREFIXES.event}${padVersion(1)}` },
      });
    const before = await sagaStreams();

    // Act
    const rebuilt = await runCliJson<{ orders: number; itemsRead: number }>([
      'orders',
      'rebuild',
      '--stack',
      e2eStack,
    ]);

    // Assert
    expect(before.matching).toBeGreaterThanOrEqual(2);
    expect(rebuilt.itemsRead).toBe(before.matching);
    expect(rebuilt.orders).toBe(before.matching);
    expect(rebuilt.itemsRead).toBeLessThan(JUNK_ITEMS);
  });
});

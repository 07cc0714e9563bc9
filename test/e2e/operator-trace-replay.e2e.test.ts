import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { OUTPUTS } from '../../infra/stacks/outputs.ts';
import { causedBy, createEvent, exampleEvent } from '../../shared/contexts/orders/events/catalog.ts';
import { DynamoDbEventStore } from '../../shared/kit/event-store/dynamodb.ts';
import { eventually } from '../support/aws.ts';
import { e2eStack, runCli, startCli } from '../support/cli.ts';

const outputs = inject('stackOutputs');
const store = new DynamoDbEventStore({
  client: new DynamoDBClient({ region: process.env.AWS_REGION ?? 'us-east-1' }),
  tableName: outputs[OUTPUTS.eventStoreTable] as string,
});

describe('pipeline trace and replay against the deployed stack', () => {
  it('traces a flow as a causation tree of its stored events', async () => {
    // Arrange: an order and the reservation it caused, in two streams.
    const correlationId = `trace-${randomUUID()}`;
    const placed = exampleEvent('OrderPlaced', { correlationId });
    const reserved = createEvent(
      'InventoryReserved',
      { orderId: placed.data.orderId, items: [{ sku: 'BOOK-123', qty: 2 }] },
      causedBy(placed),
    );
    await store.append(`e2e-order#${correlationId}`, [placed], { expectedVersion: 0 });
    await store.append(`e2e-inventory#${correlationId}`, [reserved], { expectedVersion: 0 });

    // Act
    const run = runCli(['trace', correlationId, '--stack', e2eStack, '--json']);

    // Assert
    expect(run.status).toBe(0);
    const trace = JSON.parse(run.stdout) as {
      events: number;
      itemsRead: number;
      source: string;
      roots: { id: string; children: { id: string }[] }[];
    };
    // The outbox publishes both and the deployed saga may already have reacted (more events of this
    // correlation id, all descending from the order): the tree holds at least these two.
    expect(trace.events).toBeGreaterThanOrEqual(2);
    expect(trace.roots).toHaveLength(1);
    expect(trace.roots[0]?.id).toBe(placed.id);
    expect(trace.roots[0]?.children.map((c) => c.id)).toContain(reserved.id);
    // Says what finding it cost: through the correlation index, the flow's own commit items.
    expect(trace.source).toBe('index');
    expect(trace.itemsRead).toBeGreaterThanOrEqual(2);
  });

  it('says so, with a non-zero exit, when nothing carries the correlation id', () => {
    const run = runCli(['trace', `nothing-${randomUUID()}`, '--stack', e2eStack]);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('No stored event carries this correlation id.');
  });

  it('replays archived events back onto the bus', async () => {
    // Arrange: an event that reaches the bus (and so the archive), then a tail that waits for its replay.
    const injected = runCli(['inject', 'OrderPlaced', '--example', '--stack', e2eStack, '--json']);
    const eventId = (JSON.parse(injected.stdout) as { events: { eventId: string }[] }).events[0]?.eventId;
    const tail = startCli(
      ['tail', '--stack', e2eStack, '--type', 'OrderPlaced', '--timeout', '60', '--json', '--max', '400'],
      'Tailing',
    );
    await tail.ready;

    // Act
    // A short window: every OrderPlaced of the run is archived twice (as put, and as the outbox
    // published it once stored), and the tail stops at --max.
    const replay = runCli(['replay', '--archive', '--from', '2m', '--stack', e2eStack, '--json']);
    const replayedSeen = await eventually(async () =>
      tail.stdout().includes(eventId as string) ? true : undefined,
    );
    tail.child.kill('SIGINT');
    const tailed = await tail.done;

    // Assert
    expect(replay.status).toBe(0);
    expect(JSON.parse(replay.stdout)).toMatchObject({ state: 'COMPLETED' });
    const seen = tailed.stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { id: string; replayName?: string });
    expect(replayedSeen).toBe(true);
    // The event is on the bus twice besides the replay: as injected, and as the outbox published it
    // once the saga stored it; the tail may catch the stored copy too. The replayed copy is marked.
    const copies = seen.filter((e) => e.id === eventId);
    expect(copies.map((e) => e.replayName)).toContain(JSON.parse(replay.stdout).replayName);
  });

  it('rejects a replay without --from as a usage error', () => {
    const run = runCli(['replay', '--archive', '--stack', e2eStack]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--from is required');
  });
});

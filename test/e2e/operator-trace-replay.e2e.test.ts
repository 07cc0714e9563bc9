import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { OUTPUTS } from '../../infra/stacks/outputs.ts';
import { causedBy, createEvent, exampleEvent } from '../../shared/contexts/orders/events/catalog.ts';
import { DynamoDbEventStore } from '../../shared/kit/event-store/dynamodb.ts';
import { e2eStack, runCli } from '../support/cli.ts';

const outputs = inject('stackOutputs');
const store = new DynamoDbEventStore({
  client: new DynamoDBClient({ region: process.env.AWS_REGION ?? 'us-east-1' }),
  tableName: outputs[OUTPUTS.eventStoreTable] as string,
});

// Archive replays (paced, addressed, side-effect safe) are tested in replay.e2e.test.ts.
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

  it('rejects a replay without --from as a usage error', () => {
    const run = runCli(['replay', '--archive', '--stack', e2eStack]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--from is required');
  });
});

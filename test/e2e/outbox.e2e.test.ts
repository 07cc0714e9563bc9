import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OUTPUTS } from '../../infra/stacks/outputs.ts';
import { eventCatalog } from '../../shared/contexts/orders/events/catalog.ts';
import { DynamoDbEventStore } from '../../shared/kit/event-store/dynamodb.ts';
import type { EventEnvelope } from '../../shared/kit/events/envelope.ts';
import { testClients } from '../support/aws.ts';
import { stackOutput } from '../support/stack-outputs.ts';
import { type BusCapture, type CapturedEvent, captureBusEvents } from './bus-capture.ts';

const clients = testClients();

/** A valid catalog event of this test run (its correlation id is what the capture rule matches). */
function anEvent(
  type: 'OrderPlaced' | 'InventoryReserved' | 'PaymentAuthorized',
  correlationId: string,
): EventEnvelope {
  const definition = eventCatalog[type];
  return {
    id: randomUUID(),
    type,
    version: definition.version,
    source: definition.source,
    time: new Date().toISOString(),
    correlationId,
    causationId: `cause-${randomUUID()}`,
    data: definition.example as Record<string, unknown>,
  };
}

const countById = (events: readonly CapturedEvent[]) =>
  events.reduce(
    (counts, e) => counts.set(String(e.detail.id), (counts.get(String(e.detail.id)) ?? 0) + 1),
    new Map<string, number>(),
  );

describe('outbox: event store → DynamoDB stream → publisher Lambda → bus and consumer queues', () => {
  const correlationId = `outbox-e2e-${randomUUID()}`;
  let capture: BusCapture;

  beforeAll(async () => {
    capture = await captureBusEvents(clients, stackOutput(OUTPUTS.busName), {
      detail: { correlationId: [correlationId] },
    });
  });

  afterAll(async () => {
    await capture?.dispose();
  });

  it('publishes each appended integration event to the bus exactly once, marked, and keeps the pipeline’s own events off it', async () => {
    // Arrange
    const store = new DynamoDbEventStore({
      client: clients.dynamo,
      tableName: stackOutput(OUTPUTS.eventStoreTable),
    });
    const order = `order-${randomUUID()}`;
    const placed = anEvent('OrderPlaced', correlationId);
    const reserved = anEvent('InventoryReserved', correlationId);
    const authorized = anEvent('PaymentAuthorized', correlationId);
    const other = anEvent('OrderPlaced', correlationId);
    const appended = [placed, reserved, authorized, other];
    // Replies and commands go from the outbox straight to the queues of the consumers that take them.
    const onTheBus = [placed, other];

    // Act: one stream in two appends (the second idempotent, and repeated), a second stream, a snapshot.
    await store.append(order, [placed], { expectedVersion: 0 });
    const key = `e2e-${randomUUID()}`;
    await store.append(order, [reserved, authorized], { expectedVersion: 1, idempotencyKey: key });
    await store.append(order, [reserved, authorized], { expectedVersion: 1, idempotencyKey: key });
    await store.saveSnapshot(order, 3, { status: 'paid' });
    const otherStream = `order-${randomUUID()}`;
    await store.append(otherStream, [other], { expectedVersion: 0 });
    const storedAt = new Map<string, [string, number]>([
      [placed.id, [order, 1]],
      [reserved.id, [order, 2]],
      [authorized.id, [order, 3]],
      [other.id, [otherStream, 1]],
    ]);
    // The deployed consumers react to these events (the saga starts on OrderPlaced) with events of the
    // same correlation id; only the appended ones are the outbox's to publish.
    const ids = new Set(appended.map((e) => e.id));
    const ours = (events: readonly CapturedEvent[]) => events.filter((e) => ids.has(String(e.detail.id)));
    const received = await capture.collect((events) => countById(ours(events)).size >= onTheBus.length, {
      timeoutMs: 60_000,
      settleMs: 6_000,
    });

    // Assert: each integration event once, as the envelope that was appended (marked with the stream and
    // version it was stored at), routed by its type and source; the others never (the capture settled).
    const counts = countById(ours(received));
    expect(Object.fromEntries(counts)).toEqual(Object.fromEntries(onTheBus.map((e) => [e.id, 1])));
    for (const event of onTheBus) {
      const delivered = received.find((e) => e.detail.id === event.id);
      const [stream, streamVersion] = storedAt.get(event.id) ?? [];
      expect(delivered?.detail).toEqual({
        ...event,
        metadata: { storedStream: stream, storedVersion: streamVersion },
      });
      expect(delivered?.type).toBe(event.type);
      expect(delivered?.source).toBe(event.source);
    }
  });
});

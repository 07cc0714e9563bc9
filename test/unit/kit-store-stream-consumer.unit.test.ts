import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createStoreStreamConsumer } from '../../shared/kit/consumer/store-stream.ts';
import type { EventHandlers } from '../../shared/kit/consumer/types.ts';
import { commitItems, snapshotItem } from '../../shared/kit/event-store/dynamodb-items.ts';
import type { EventEnvelope } from '../../shared/kit/events/envelope.ts';
import { STORED_METADATA_KEY } from '../../shared/kit/events/stored.ts';
import { CountingOutcomeMetrics } from '../../shared/kit/observability/metrics.ts';
import { RecordingLogger } from '../fakes/logger.ts';
import { type Shop, shopCatalog, shopEvent } from '../fakes/test-context.ts';

let sequence = 1000;

/** A stream record inserting the commit of `events` at `fromVersion` of `streamId`. */
function commit(events: readonly EventEnvelope[], streamId = 'cart-1', fromVersion = 1): DynamoDBRecord {
  sequence += 1;
  const stored = events.map((event, i) => ({
    streamId,
    streamVersion: fromVersion + i,
    recordedAt: '2026-12-02T10:00:00.000Z',
    event,
  }));
  const [image] = commitItems(stored, undefined);
  return {
    eventName: 'INSERT',
    dynamodb: { SequenceNumber: String(sequence), NewImage: image as never },
  };
}

function batch(...records: DynamoDBRecord[]): DynamoDBStreamEvent {
  return { Records: records };
}

function setup(handlers: EventHandlers<Shop>, afterBatch?: () => Promise<readonly string[]>) {
  const logger = new RecordingLogger();
  const metrics = new CountingOutcomeMetrics();
  const consumer = createStoreStreamConsumer({
    name: 'cart-view',
    catalog: shopCatalog,
    handlers,
    logger,
    metrics,
    ...(afterBatch ? { afterBatch } : {}),
  });
  return { consumer, logger, metrics };
}

const added = (sku: string) => shopEvent('ItemAdded', { cartId: 'cart-1', sku, qty: 1 });

describe('kit: a consumer of the event store stream', () => {
  it('hands each stored event of its types to its handler, marked stored, with the commit as carrier', async () => {
    // Arrange
    const seen: { type: string; stream: unknown; messageId: string }[] = [];
    const { consumer, metrics } = setup({
      ItemAdded: async (event, context) => {
        seen.push({
          type: event.type,
          stream: event.metadata?.[STORED_METADATA_KEY],
          messageId: context.messageId,
        });
        return 'handled';
      },
    });
    const first = commit([added('A'), added('B')]);

    // Act
    const response = await consumer(batch(first));

    // Assert: both events of the commit, in order, each marked with its stream.
    expect(response.batchItemFailures).toEqual([]);
    expect(seen).toEqual([
      { type: 'ItemAdded', stream: 'cart-1', messageId: first.dynamodb?.SequenceNumber },
      { type: 'ItemAdded', stream: 'cart-1', messageId: first.dynamodb?.SequenceNumber },
    ]);
    expect(metrics.totals.success).toBe(1);
  });

  it('passes over other types, snapshots and removals without calling anything', async () => {
    // Arrange
    const handled: string[] = [];
    const { consumer, logger } = setup({ ItemRemoved: async (event) => void handled.push(event.type) });
    const snapshot: DynamoDBRecord = {
      eventName: 'INSERT',
      dynamodb: { SequenceNumber: '1', NewImage: snapshotItem('cart-1', 3, {}, 'now') as never },
    };
    const removal: DynamoDBRecord = { eventName: 'REMOVE', dynamodb: { SequenceNumber: '2' } };

    // Act
    const response = await consumer(batch(commit([added('A')]), snapshot, removal));

    // Assert
    expect(response.batchItemFailures).toEqual([]);
    expect(handled).toEqual([]);
    expect(logger.lines.find((line) => line.message === 'batch processed')?.fields).toMatchObject({
      records: 3,
      passedOver: 3,
      handled: 0,
    });
  });

  it('answers the first commit that failed, so Lambda retries from it and nothing after it is skipped', async () => {
    // Arrange: the second of three commits fails.
    const handled: string[] = [];
    const { consumer, metrics } = setup({
      ItemAdded: async (event) => {
        if (event.data.sku === 'BAD') throw new Error('read model unavailable');
        handled.push(event.data.sku);
        return 'handled';
      },
    });
    const records = [
      commit([added('A')]),
      commit([added('BAD')], 'cart-1', 2),
      commit([added('C')], 'cart-1', 3),
    ];

    // Act
    const response = await consumer(batch(...records));

    // Assert: the third commit is not handled in this invocation; the failure names the second.
    expect(handled).toEqual(['A']);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: records[1]?.dynamodb?.SequenceNumber }]);
    expect(metrics.totals.retry).toBe(1);
  });

  it('fails a commit whose event does not parse instead of passing it over', async () => {
    // Arrange: a hand-edited item whose ItemAdded lost its quantity.
    const { consumer, logger } = setup({ ItemAdded: async () => undefined });
    const broken = { ...added('A'), data: { cartId: 'cart-1', sku: 'A' } } as EventEnvelope;
    const record = commit([broken]);

    // Act
    const response = await consumer(batch(record));

    // Assert
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: record.dynamodb?.SequenceNumber }]);
    const warning = logger.lines.find((line) => line.level === 'warn');
    expect(warning?.fields).toMatchObject({ consumer: 'cart-view', item: 'STREAM#cart-1 E#0000000001' });
  });

  it('answers the earliest commit whose effect the batch could not write', async () => {
    // Arrange: the handler gathers; writing the second commit's effect fails at the end.
    const records = [commit([added('A')]), commit([added('B')], 'cart-2'), commit([added('C')], 'cart-3')];
    const { consumer } = setup({ ItemAdded: async () => undefined }, async () => [
      records[2]?.dynamodb?.SequenceNumber as string,
      records[1]?.dynamodb?.SequenceNumber as string,
    ]);

    // Act
    const response = await consumer(batch(...records));

    // Assert
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: records[1]?.dynamodb?.SequenceNumber }]);
  });
});

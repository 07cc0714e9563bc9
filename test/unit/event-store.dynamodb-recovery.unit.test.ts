import {
  type DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { appendFingerprint } from '../../shared/event-store/core.ts';
import { DynamoDbEventStore } from '../../shared/event-store/dynamodb.ts';
import { eventItem, idempotencyItem } from '../../shared/event-store/dynamodb-items.ts';
import { ConcurrencyError } from '../../shared/event-store/errors.ts';
import type { StoredEvent } from '../../shared/event-store/port.ts';
import { anEvent } from '../contract/event-store.fixtures.ts';

const cancelledWithoutReasons = () =>
  new TransactionCanceledException({ message: 'Transaction cancelled', $metadata: {} });

/** A client whose transaction is always cancelled without reasons, over a fixed table content. */
function fakeClient(table: { events: StoredEvent[]; idempotency?: Record<string, unknown> }): DynamoDBClient {
  const send = async (command: unknown) => {
    if (command instanceof TransactWriteItemsCommand) throw cancelledWithoutReasons();
    if (command instanceof GetItemCommand) return { Item: table.idempotency };
    if (command instanceof QueryCommand) {
      const newestFirst = command.input.ScanIndexForward === false;
      const items = table.events.map(eventItem);
      return { Items: newestFirst ? items.reverse().slice(0, 1) : items };
    }
    throw new Error('unexpected command');
  };
  return { send } as unknown as DynamoDBClient;
}

const stored = (streamVersion: number): StoredEvent => ({
  streamId: 'order-1',
  streamVersion,
  recordedAt: '2026-11-22T10:00:00.000Z',
  event: anEvent({ id: `e-${streamVersion}`, data: { n: streamVersion } }),
});

describe('DynamoDB event store without cancellation reasons', () => {
  it('answers from the idempotency record when one exists for the key', async () => {
    // Arrange
    const first = stored(1);
    const fingerprint = appendFingerprint([
      { streamId: 'order-1', expectedVersion: 0, events: [first.event] },
    ]);
    const record = { fingerprint, results: [{ streamId: 'order-1', fromVersion: 1, toVersion: 1 }] };
    const idempotency = idempotencyItem('k', record, new Date(), 4_000_000_000);
    const store = new DynamoDbEventStore({
      client: fakeClient({ events: [first], idempotency }),
      tableName: 't',
    });

    // Act
    const result = await store.append('order-1', [first.event], { expectedVersion: 0, idempotencyKey: 'k' });

    // Assert
    expect(result).toEqual({ streamId: 'order-1', fromVersion: 1, toVersion: 1, events: [first] });
  });

  it('reports a conflict with the actual version read from the stream head', async () => {
    const store = new DynamoDbEventStore({
      client: fakeClient({ events: [stored(1), stored(2)] }),
      tableName: 't',
    });

    const attempt = store.append('order-1', [anEvent()], { expectedVersion: 1 });

    await expect(attempt).rejects.toBeInstanceOf(ConcurrencyError);
    await expect(attempt).rejects.toMatchObject({ expectedVersion: 1, actualVersion: 2 });
  });

  it('rethrows the cancellation when every stream is where the caller expected it', async () => {
    const store = new DynamoDbEventStore({ client: fakeClient({ events: [stored(1)] }), tableName: 't' });

    const attempt = store.append('order-1', [anEvent()], { expectedVersion: 1 });

    await expect(attempt).rejects.toBeInstanceOf(TransactionCanceledException);
  });
});

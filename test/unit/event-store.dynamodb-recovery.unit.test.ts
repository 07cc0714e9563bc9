import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoDbEventStore } from '../../shared/kit/event-store/dynamodb.ts';
import { commitItems } from '../../shared/kit/event-store/dynamodb-items.ts';
import { ConcurrencyError } from '../../shared/kit/event-store/errors.ts';
import type { StoredEvent } from '../../shared/kit/event-store/port.ts';
import { anEvent } from '../contract/event-store.fixtures.ts';

type Item = Record<string, AttributeValue>;

/**
 * A table of commit items answering the few requests the store makes, and counting them. Transactions
 * are cancelled without reasons (as some emulators and older SDKs report them); PutItem honours its
 * `attribute_not_exists` condition.
 */
function fakeTable(items: Item[]) {
  const sent: string[] = [];
  const keyOf = (item: Item) => `${item.pk?.S}|${item.sk?.S}`;
  const send = async (command: unknown) => {
    sent.push((command as { constructor: { name: string } }).constructor.name);
    if (command instanceof TransactWriteItemsCommand) {
      throw new TransactionCanceledException({ message: 'Transaction cancelled', $metadata: {} });
    }
    if (command instanceof PutItemCommand) {
      const item = command.input.Item as Item;
      if (items.some((existing) => keyOf(existing) === keyOf(item))) {
        throw new ConditionalCheckFailedException({
          message: 'The conditional request failed',
          $metadata: {},
        });
      }
      items.push(item);
      return {};
    }
    if (command instanceof QueryCommand) {
      const values = command.input.ExpressionAttributeValues ?? {};
      const [from, to] = [values[':from']?.S ?? '', values[':to']?.S ?? '\uffff'];
      const prefix = values[':prefix']?.S;
      const inRange = items
        .filter((item) => item.pk?.S === values[':pk']?.S)
        .filter((item) => {
          const sk = item.sk?.S ?? '';
          return prefix === undefined ? sk >= from && sk <= to : sk.startsWith(prefix);
        })
        .sort((a, b) => (a.sk?.S ?? '').localeCompare(b.sk?.S ?? ''));
      const ordered = command.input.ScanIndexForward === false ? inRange.reverse() : inRange;
      return { Items: ordered.slice(0, command.input.Limit ?? ordered.length) };
    }
    throw new Error('unexpected command');
  };
  return { client: { send } as unknown as DynamoDBClient, sent };
}

const stored = (streamId: string, streamVersion: number): StoredEvent => ({
  streamId,
  streamVersion,
  recordedAt: '2026-11-22T10:00:00.000Z',
  event: anEvent({ id: `${streamId}-e-${streamVersion}`, data: { n: streamVersion } }),
});

describe('DynamoDB event store, one item per append', () => {
  it('writes an append to one stream as a single PutItem, without a transaction', async () => {
    const { client, sent } = fakeTable([]);
    const store = new DynamoDbEventStore({ client, tableName: 't' });

    const result = await store.append('order-1', [anEvent(), anEvent()], { expectedVersion: 0 });

    expect(result).toMatchObject({ fromVersion: 1, toVersion: 2 });
    expect(sent).toEqual(['PutItemCommand']);
  });

  it('appends after its own read without a further query: the read proved where the stream ends', async () => {
    const { client, sent } = fakeTable(commitItems([stored('order-1', 1), stored('order-1', 2)], undefined));
    const store = new DynamoDbEventStore({ client, tableName: 't' });
    const events = [];
    for await (const e of store.readAll('order-1')) events.push(e);
    sent.length = 0;

    await store.append('order-1', [anEvent()], { expectedVersion: events.length });

    expect(sent).toEqual(['PutItemCommand']);
  });

  it('refuses an expected version inside a commit, where a write would overlap it', async () => {
    const { client } = fakeTable(commitItems([stored('order-1', 1), stored('order-1', 2)], undefined));
    const store = new DynamoDbEventStore({ client, tableName: 't' });

    const attempt = store.append('order-1', [anEvent()], { expectedVersion: 1 });

    await expect(attempt).rejects.toBeInstanceOf(ConcurrencyError);
    await expect(attempt).rejects.toMatchObject({ expectedVersion: 1, actualVersion: 2 });
  });

  it('refuses an expected version beyond the stream, where a write would leave a gap', async () => {
    const { client, sent } = fakeTable(commitItems([stored('order-1', 1)], undefined));
    const store = new DynamoDbEventStore({ client, tableName: 't' });

    const attempt = store.append('order-1', [anEvent()], { expectedVersion: 3 });

    await expect(attempt).rejects.toMatchObject({ code: 'CONCURRENCY', actualVersion: 1 });
    expect(sent).not.toContain('PutItemCommand');
  });

  it('finds the stale stream itself when a transaction is cancelled without reasons', async () => {
    const { client } = fakeTable([
      ...commitItems([stored('order-1', 1)], undefined),
      ...commitItems([stored('stock-1', 1), stored('stock-1', 2)], undefined),
    ]);
    const store = new DynamoDbEventStore({ client, tableName: 't' });

    const attempt = store.appendMany([
      { streamId: 'order-1', events: [anEvent()], expectedVersion: 1 },
      { streamId: 'stock-1', events: [anEvent()], expectedVersion: 0 },
    ]);

    await expect(attempt).rejects.toMatchObject({
      code: 'CONCURRENCY',
      streamId: 'stock-1',
      actualVersion: 2,
    });
  });

  it('answers a racing repeat of an input from the commit it wrote, without writing', async () => {
    const input = { key: 'saga#e-1', fingerprint: 'sha256:a' };
    const first = [stored('order-1', 1)];
    const { client, sent } = fakeTable(commitItems(first, input));
    const store = new DynamoDbEventStore({ client, tableName: 't' });

    const again = await store.append('order-1', [anEvent()], {
      expectedVersion: 0,
      idempotencyKey: input.key,
      idempotencyFingerprint: input.fingerprint,
    });

    expect(again).toEqual({ streamId: 'order-1', fromVersion: 1, toVersion: 1, events: first });
    expect(sent.filter((name) => name === 'PutItemCommand')).toHaveLength(1);
  });
});

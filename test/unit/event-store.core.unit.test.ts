import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../shared/errors/pipeline-error.ts';
import { appendFingerprint, canonicalJson, validateAppends } from '../../shared/event-store/core.ts';
import {
  classifyCancellation,
  type TransactionSlot,
} from '../../shared/event-store/dynamodb-cancellation.ts';
import {
  eventItem,
  idempotencyItem,
  isEventItem,
  snapshotItem,
  storedEventFromItem,
} from '../../shared/event-store/dynamodb-items.ts';
import { InMemoryEventStore } from '../../shared/event-store/in-memory.ts';
import { anEvent, aStreamId, someEvents } from '../contract/event-store.fixtures.ts';

describe('append fingerprint', () => {
  it('stays the same when a retried command regenerates ids, times and the expected version', () => {
    // Arrange
    const first = [{ streamId: 's', expectedVersion: 0, events: [anEvent({ data: { a: 1, b: 2 } })] }];
    const retry = [
      {
        streamId: 's',
        expectedVersion: 3,
        events: [anEvent({ time: '2027-01-01T00:00:00Z', data: { b: 2, a: 1 } })],
      },
    ];

    // Act / Assert
    expect(appendFingerprint(retry)).toBe(appendFingerprint(first));
  });

  it('changes when the data, the type or the stream differs', () => {
    const base = { streamId: 's', expectedVersion: 0, events: [anEvent({ data: { a: 1 } })] };

    const fingerprints = new Set([
      appendFingerprint([base]),
      appendFingerprint([{ ...base, events: [anEvent({ data: { a: 2 } })] }]),
      appendFingerprint([{ ...base, events: [anEvent({ type: 'OrderCancelled', data: { a: 1 } })] }]),
      appendFingerprint([{ ...base, streamId: 't' }]),
    ]);

    expect(fingerprints.size).toBe(4);
  });

  it('serializes objects with sorted keys and without undefined members', () => {
    expect(canonicalJson({ b: [1, { d: 1, c: undefined }], a: 'x' })).toBe('{"a":"x","b":[1,{"d":1}]}');
  });
});

describe('append validation', () => {
  it('rejects the same stream twice in one appendMany', () => {
    const append = { streamId: 's', expectedVersion: 0, events: someEvents(1) };

    expect(() => validateAppends([append, append])).toThrow(ValidationError);
  });

  it('rejects an empty event list and a negative expected version', () => {
    expect(() => validateAppends([{ streamId: 's', expectedVersion: 0, events: [] }])).toThrow(
      /at least one event/,
    );
    expect(() => validateAppends([{ streamId: 's', expectedVersion: -1, events: someEvents(1) }])).toThrow(
      /expectedVersion/,
    );
  });

  it('accepts exactly 100 transaction items and rejects 101', () => {
    const existing = { streamId: 's', expectedVersion: 4, events: someEvents(98) };

    expect(() => validateAppends([existing], 'key')).not.toThrow();
    expect(() => validateAppends([{ ...existing, events: someEvents(99) }], 'key')).toThrow(
      /101 transaction items/,
    );
  });
});

describe('read cursors', () => {
  it('rejects a cursor that belongs to another stream', async () => {
    const store = new InMemoryEventStore({ pageSizeBytes: 1 });
    const [a, b] = [aStreamId(), aStreamId()];
    await store.append(a, someEvents(2), { expectedVersion: 0 });
    const { nextCursor } = await store.read(a);

    const attempt = store.read(b, { cursor: nextCursor ?? '' });

    await expect(attempt).rejects.toMatchObject({ code: 'VALIDATION', path: 'cursor' });
  });
});

describe('transaction cancellation reasons', () => {
  const slots: TransactionSlot[] = [
    { kind: 'versionCheck', streamIndex: 0 },
    { kind: 'event', streamIndex: 0 },
    { kind: 'event', streamIndex: 1 },
    { kind: 'idempotency' },
  ];
  const none = { Code: 'None' };
  const failed = { Code: 'ConditionalCheckFailed' };

  it('prefers the idempotency record over version conflicts, because a repeat carries a stale version', () => {
    const item = { pk: { S: 'IDEMPOTENCY#k' } };

    const outcome = classifyCancellation([failed, failed, none, { ...failed, Item: item }], slots);

    expect(outcome).toEqual({ kind: 'idempotencyHit', item });
  });

  it('names the stream whose version condition failed', () => {
    expect(classifyCancellation([none, none, failed, none], slots)).toMatchObject({
      kind: 'conflict',
      streamIndex: 1,
    });
    expect(classifyCancellation([failed, none, none, none], slots)).toMatchObject({
      kind: 'conflict',
      streamIndex: 0,
    });
  });

  it('treats a transaction conflict as a concurrency conflict', () => {
    const outcome = classifyCancellation([none, none, { Code: 'TransactionConflict' }, none], slots);

    expect(outcome).toMatchObject({ kind: 'conflict', streamIndex: 1 });
  });

  it('leaves throttling alone and asks for a lookup when reasons are missing or do not line up', () => {
    expect(classifyCancellation([none, { Code: 'ThrottlingError' }, none, none], slots)).toEqual({
      kind: 'other',
    });
    expect(classifyCancellation(undefined, slots)).toEqual({ kind: 'unknown' });
    expect(classifyCancellation([failed], slots)).toEqual({ kind: 'unknown' });
  });
});

describe('DynamoDB items', () => {
  it('rebuilds a stored event from a stream record image and tells event items from the rest', () => {
    const stored = {
      streamId: 'order-1',
      streamVersion: 7,
      recordedAt: '2026-11-22T10:00:00.000Z',
      event: anEvent(),
    };
    const image = eventItem(stored);

    expect(storedEventFromItem(image)).toEqual(stored);
    expect(isEventItem(image)).toBe(true);
    expect(isEventItem(snapshotItem('order-1', 7, {}, stored.recordedAt))).toBe(false);
    expect(isEventItem(idempotencyItem('k', { fingerprint: 'f', results: [] }, new Date(), 1))).toBe(false);
  });

  it('pads versions so the sort key orders like the number', () => {
    const sortKey = (v: number) =>
      eventItem({ streamId: 's', streamVersion: v, recordedAt: '', event: anEvent() }).sk?.S;

    expect([sortKey(10), sortKey(9)].sort()).toEqual(['E#0000000009', 'E#0000000010']);
  });
});

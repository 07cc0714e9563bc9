import { describe, expect, it } from 'vitest';
import { COMPRESS_JSON_FROM_BYTES } from '../../shared/kit/aws/dynamodb-json.ts';
import { ValidationError } from '../../shared/kit/errors/pipeline-error.ts';
import {
  appendFingerprint,
  canonicalJson,
  recogniseInput,
  validateAppends,
} from '../../shared/kit/event-store/core.ts';
import { classifyCancellation } from '../../shared/kit/event-store/dynamodb-cancellation.ts';
import {
  commitInfoOf,
  commitItems,
  commitKey,
  isCommitItem,
  MAX_COMMIT_ITEM_BYTES,
  snapshotItem,
  storedEventsFromItem,
} from '../../shared/kit/event-store/dynamodb-items.ts';
import { DuplicateError } from '../../shared/kit/event-store/errors.ts';
import { InMemoryEventStore } from '../../shared/kit/event-store/in-memory.ts';
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

  it('accepts exactly 100 events in one append and rejects 101', () => {
    const existing = { streamId: 's', expectedVersion: 4, events: someEvents(100) };

    expect(() => validateAppends([existing], 'key')).not.toThrow();
    expect(() => validateAppends([{ ...existing, events: someEvents(101) }], 'key')).toThrow(
      /append has 101 events, the limit is 100/,
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
  // Items of a two-stream append: the first stream's commit took two items, the second one.
  const streamOfItem = [0, 0, 1];
  const none = { Code: 'None' };
  const failed = { Code: 'ConditionalCheckFailed' };

  it('names the stream whose commit slot was taken', () => {
    expect(classifyCancellation([none, none, failed], streamOfItem)).toMatchObject({
      kind: 'conflict',
      streamIndex: 1,
    });
    expect(classifyCancellation([none, failed, none], streamOfItem)).toMatchObject({
      kind: 'conflict',
      streamIndex: 0,
    });
  });

  it('treats a transaction conflict as a concurrency conflict', () => {
    const outcome = classifyCancellation([none, none, { Code: 'TransactionConflict' }], streamOfItem);

    expect(outcome).toMatchObject({ kind: 'conflict', streamIndex: 1 });
  });

  it('leaves throttling alone and asks for a lookup when reasons are missing or do not line up', () => {
    expect(classifyCancellation([none, { Code: 'ThrottlingError' }, none], streamOfItem)).toEqual({
      kind: 'other',
    });
    expect(classifyCancellation(undefined, streamOfItem)).toEqual({ kind: 'unknown' });
    expect(classifyCancellation([failed], streamOfItem)).toEqual({ kind: 'unknown' });
  });
});

describe('recognising an input from the stream', () => {
  const input = { key: 'saga#e-1', fingerprint: 'sha256:a' };
  const commits = [
    { fromVersion: 1, toVersion: 2, input: { key: 'saga#e-0', fingerprint: 'sha256:z' } },
    { fromVersion: 3, toVersion: 4, input },
    { fromVersion: 5, toVersion: 5 },
  ];

  it('finds the commit ending at the expected version, the caller having read its own write', () => {
    expect(recogniseInput(commits, 4, input)).toBe(commits[1]);
  });

  it('finds a commit written after the expected version, the caller having raced it', () => {
    expect(recogniseInput(commits, 2, input)).toBe(commits[1]);
  });

  it('does not look further back than the commit ending at the expected version', () => {
    expect(recogniseInput(commits, 5, input)).toBeUndefined();
  });

  it('refuses the key with another fingerprint as a DuplicateError naming both', () => {
    const attempt = () => recogniseInput(commits, 4, { ...input, fingerprint: 'sha256:b' });

    expect(attempt).toThrow(DuplicateError);
    expect(attempt).toThrow(
      expect.objectContaining({ storedFingerprint: 'sha256:a', fingerprint: 'sha256:b' }),
    );
  });
});

describe('DynamoDB commit items', () => {
  const storedAt = (streamVersion: number, data: Record<string, unknown> = {}) => ({
    streamId: 'order-1',
    streamVersion,
    recordedAt: '2026-11-22T10:00:00.000Z',
    event: anEvent({ data: { n: streamVersion, ...data } }),
  });

  it('holds the events of one append in one item that a stream record image rebuilds', () => {
    const stored = [storedAt(7), storedAt(8), storedAt(9)];
    const input = { key: 'saga#e-1', fingerprint: 'sha256:a' };

    const items = commitItems(stored, input);

    expect(items).toHaveLength(1);
    const image = items[0] as NonNullable<(typeof items)[0]>;
    expect(storedEventsFromItem(image)).toEqual(stored);
    expect(commitInfoOf(image)).toEqual({
      fromVersion: 7,
      toVersion: 9,
      input,
      correlation: stored[0]?.event.correlationId,
    });
    expect(isCommitItem(image)).toBe(true);
    expect(isCommitItem(snapshotItem('order-1', 7, {}, '2026-11-22T10:00:00.000Z'))).toBe(false);
  });

  it('cuts an append into several items only when its events outgrow one item, keyed by first version', () => {
    const padding = 'x'.repeat(100 * 1024);
    const stored = [1, 2, 3, 4, 5].map((v) => storedAt(v, { padding }));

    const items = commitItems(stored, undefined);

    expect(items.length).toBeGreaterThan(1);
    expect(items.flatMap(storedEventsFromItem)).toEqual(stored);
    for (const item of items) {
      const json = JSON.stringify(storedEventsFromItem(item).map((e) => e.event));
      expect(Buffer.byteLength(json)).toBeLessThanOrEqual(MAX_COMMIT_ITEM_BYTES);
    }
    expect(items.map((item) => item.sk?.S)).toEqual(
      items.map((item) => `E#${String(commitInfoOf(item).fromVersion).padStart(10, '0')}`),
    );
  });

  it('stores the envelopes gzipped once their JSON reaches the threshold, as text below it, and reads both back', () => {
    const small = [storedAt(1)];
    const large = [storedAt(1, { note: 'y'.repeat(COMPRESS_JSON_FROM_BYTES) })];

    const [text] = commitItems(small, undefined);
    const [packed] = commitItems(large, undefined);

    expect(text?.events?.S).toBe(JSON.stringify(small.map((s) => s.event)));
    expect(text?.eventsGzip).toBeUndefined();
    expect(packed?.events).toBeUndefined();
    expect(packed?.eventsGzip?.B?.byteLength).toBeLessThan(JSON.stringify(large[0]?.event).length / 2);
    expect(storedEventsFromItem(text ?? {})).toEqual(small);
    expect(storedEventsFromItem(packed ?? {})).toEqual(large);
  });

  it('reads a gzipped commit from a stream record image, where a binary value is base64 text', () => {
    const stored = [storedAt(3, { note: 'z'.repeat(2 * COMPRESS_JSON_FROM_BYTES) })];
    const [item] = commitItems(stored, undefined);
    const bytes = item?.eventsGzip?.B as Uint8Array;

    const image = { ...item, eventsGzip: { B: Buffer.from(bytes).toString('base64') } };

    expect(storedEventsFromItem(image)).toEqual(stored);
  });

  it('names the correlation ids of its events on every commit item, compressed or not', () => {
    const stored = [
      storedAt(1, { note: 'w'.repeat(COMPRESS_JSON_FROM_BYTES) }),
      { ...storedAt(2), event: anEvent({ correlationId: 'corr-other' }) },
    ];

    const [item] = commitItems(stored, undefined);

    expect(item?.eventsGzip).toBeDefined();
    expect([...(item?.correlationIds?.SS ?? [])].sort()).toEqual(
      [...new Set(stored.map((s) => s.event.correlationId))].sort(),
    );
  });

  it('refuses a commit whose gzipped events are not gzip, naming the attribute', () => {
    const image = { ...commitItems([storedAt(1)], undefined)[0], eventsGzip: { B: 'bm90IGd6aXA=' } };

    expect(() => storedEventsFromItem(image)).toThrow(/eventsGzip/);
  });

  it('refuses an item whose events disagree with its versions', () => {
    const image = { ...commitItems([storedAt(1)], undefined)[0], toVersion: { N: '2' } };

    expect(() => storedEventsFromItem(image)).toThrow(/must hold versions 1 to 2/);
  });

  it('pads versions so the sort key orders like the number', () => {
    const sortKey = (v: number) => commitKey('s', v).sk?.S;

    expect([sortKey(10), sortKey(9)].sort()).toEqual(['E#0000000009', 'E#0000000010']);
  });
});

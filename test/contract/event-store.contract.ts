import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../shared/kit/errors/pipeline-error.ts';
import { ConcurrencyError, DuplicateError } from '../../shared/kit/event-store/errors.ts';
import type { EventStore, Upcaster } from '../../shared/kit/event-store/port.ts';
import { retryOnConflict } from '../../shared/kit/event-store/retry.ts';
import { anEvent, aStreamId, collect, someEvents } from './event-store.fixtures.ts';
import { describeEventStoreReadContract } from './event-store-read.contract.ts';

/** What a contract case may ask of the adapter under test. */
export interface ContractStoreOptions {
  readonly upcast?: Upcaster;
  readonly clock?: () => Date;
}

/** Builds a store for one case; stores may share a table, cases use fresh stream ids. */
export type MakeEventStore = (options?: ContractStoreOptions) => Promise<{ store: EventStore }>;

/**
 * The behaviour every {@link EventStore} adapter promises. Run it once per adapter; a case that an
 * adapter cannot pass is a bug in the adapter (or a named emulator gap), never a reason to fork it.
 */
export function describeEventStoreContract(name: string, makeStore: MakeEventStore): void {
  describe(`${name} event store contract`, () => {
    describeAppendContract(makeStore);
    describeIdempotencyContract(makeStore);
    describeEventStoreReadContract(makeStore);
  });
}

function describeAppendContract(makeStore: MakeEventStore): void {
  describe('append', () => {
    it('appends to a new stream and reads the events back in order with versions 1 to n', async () => {
      const { store } = await makeStore();
      const streamId = aStreamId();
      const events = someEvents(3);

      const result = await store.append(streamId, events, { expectedVersion: 0 });
      const page = await store.read(streamId);

      expect(result).toMatchObject({ streamId, fromVersion: 1, toVersion: 3 });
      expect(result.events.map((e) => e.streamVersion)).toEqual([1, 2, 3]);
      expect(page.events.map((e) => [e.streamVersion, e.event.id])).toEqual(
        events.map((e, i) => [i + 1, e.id]),
      );
      expect(page.events).toEqual(result.events);
    });

    it('continues a stream from the version the caller last saw', async () => {
      const { store } = await makeStore();
      const streamId = aStreamId();
      await store.append(streamId, someEvents(2), { expectedVersion: 0 });

      const result = await store.append(streamId, someEvents(2), { expectedVersion: 2 });

      expect(result).toMatchObject({ fromVersion: 3, toVersion: 4 });
      expect((await collect(store.readAll(streamId))).map((e) => e.streamVersion)).toEqual([1, 2, 3, 4]);
    });

    it('rejects a stale expected version with a retryable ConcurrencyError naming the actual version', async () => {
      const { store } = await makeStore();
      const streamId = aStreamId();
      await store.append(streamId, someEvents(2), { expectedVersion: 0 });

      const attempt = store.append(streamId, someEvents(1), { expectedVersion: 1 });

      await expect(attempt).rejects.toBeInstanceOf(ConcurrencyError);
      await expect(attempt).rejects.toMatchObject({
        code: 'CONCURRENCY',
        retryable: true,
        streamId,
        expectedVersion: 1,
        actualVersion: 2,
      });
    });

    it('rejects an expected version ahead of the stream, so versions never have gaps', async () => {
      const { store } = await makeStore();
      const streamId = aStreamId();
      await store.append(streamId, someEvents(2), { expectedVersion: 0 });

      const attempt = store.append(streamId, someEvents(1), { expectedVersion: 5 });

      await expect(attempt).rejects.toMatchObject({ code: 'CONCURRENCY', actualVersion: 2 });
      expect((await store.read(streamId)).events).toHaveLength(2);
    });

    it('rejects an expected version inside an earlier append, so appends never overlap', async () => {
      const { store } = await makeStore();
      const streamId = aStreamId();
      await store.append(streamId, someEvents(3), { expectedVersion: 0 });

      const attempt = store.append(streamId, someEvents(1), { expectedVersion: 2 });

      await expect(attempt).rejects.toMatchObject({
        code: 'CONCURRENCY',
        expectedVersion: 2,
        actualVersion: 3,
      });
      expect((await store.read(streamId)).events.map((e) => e.streamVersion)).toEqual([1, 2, 3]);
    });

    it('lets exactly one of five concurrent appends at the same expected version win', async () => {
      const { store } = await makeStore();
      const streamId = aStreamId();
      await store.append(streamId, someEvents(1), { expectedVersion: 0 });

      const outcomes = await Promise.allSettled(
        Array.from({ length: 5 }, () => store.append(streamId, someEvents(2), { expectedVersion: 1 })),
      );

      const winners = outcomes.filter((o) => o.status === 'fulfilled');
      const losers = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason] : []));
      expect(winners).toHaveLength(1);
      expect(losers).toHaveLength(4);
      for (const loser of losers) expect(loser).toBeInstanceOf(ConcurrencyError);
      expect((await store.read(streamId)).events.map((e) => e.streamVersion)).toEqual([1, 2, 3]);
    });

    it('writes nothing to any stream when one stream of an appendMany conflicts', async () => {
      const { store } = await makeStore();
      const [fresh, busy] = [aStreamId('payment'), aStreamId('order')];
      await store.append(busy, someEvents(1), { expectedVersion: 0 });

      const attempt = store.appendMany([
        { streamId: fresh, events: someEvents(2), expectedVersion: 0 },
        { streamId: busy, events: someEvents(1), expectedVersion: 0 },
      ]);

      await expect(attempt).rejects.toMatchObject({ code: 'CONCURRENCY', streamId: busy });
      expect((await store.read(fresh)).events).toEqual([]);
      expect((await store.read(busy)).events).toHaveLength(1);
    });

    it('appends to several streams at once and returns their results in request order', async () => {
      const { store } = await makeStore();
      const [order, payment] = [aStreamId('order'), aStreamId('payment')];
      await store.append(payment, someEvents(1), { expectedVersion: 0 });

      const results = await store.appendMany([
        { streamId: order, events: someEvents(2), expectedVersion: 0 },
        { streamId: payment, events: someEvents(1), expectedVersion: 1 },
      ]);

      expect(results.map((r) => [r.streamId, r.fromVersion, r.toVersion])).toEqual([
        [order, 1, 2],
        [payment, 2, 2],
      ]);
      expect((await store.read(payment)).events).toHaveLength(2);
    });

    it('rejects an append of more than 100 events, one decision being far less', async () => {
      const { store } = await makeStore();
      const streamId = aStreamId();

      const attempt = store.append(streamId, someEvents(101), {
        expectedVersion: 0,
        idempotencyKey: streamId,
      });

      await expect(attempt).rejects.toBeInstanceOf(ValidationError);
      expect((await store.read(streamId)).events).toEqual([]);
    });

    it('rejects an event that is not a valid envelope, naming the field', async () => {
      const { store } = await makeStore();

      const attempt = store.append(aStreamId(), [anEvent({ type: 'order-placed' })], { expectedVersion: 0 });

      await expect(attempt).rejects.toMatchObject({ code: 'VALIDATION', path: 'appends.0.events.0.type' });
    });
  });
}

function describeIdempotencyContract(makeStore: MakeEventStore): void {
  describe('idempotent append', () => {
    it('writes nothing on a repeat with the same key and returns the first result', async () => {
      const { store } = await makeStore();
      const streamId = aStreamId();
      const first = await store.append(streamId, someEvents(2), {
        expectedVersion: 0,
        idempotencyKey: streamId,
      });

      // A redelivered command regenerates event ids and has already seen its own events.
      const again = await store.append(streamId, someEvents(2), {
        expectedVersion: 2,
        idempotencyKey: streamId,
      });

      expect(again).toEqual(first);
      expect((await store.read(streamId)).events).toEqual(first.events);
    });

    it('returns the first results of an appendMany repeated with the same key', async () => {
      const { store } = await makeStore();
      const [order, stock] = [aStreamId('order'), aStreamId('stock')];
      const appends = [
        { streamId: order, events: someEvents(1), expectedVersion: 0 },
        { streamId: stock, events: someEvents(2), expectedVersion: 0 },
      ];
      const first = await store.appendMany(appends, { idempotencyKey: order });

      const again = await store.appendMany(appends, { idempotencyKey: order });

      expect(again).toEqual(first);
      expect((await store.read(stock)).events).toHaveLength(2);
    });

    it('throws a DuplicateError when a key is reused for a different append', async () => {
      const { store } = await makeStore();
      const streamId = aStreamId();
      await store.append(streamId, someEvents(1), { expectedVersion: 0, idempotencyKey: streamId });

      const attempt = store.append(streamId, someEvents(1, { other: true }), {
        expectedVersion: 1,
        idempotencyKey: streamId,
      });

      await expect(attempt).rejects.toBeInstanceOf(DuplicateError);
      await expect(attempt).rejects.toMatchObject({ code: 'DUPLICATE', retryable: false });
      expect((await store.read(streamId)).events).toHaveLength(1);
    });

    it('judges a reused key by the caller fingerprint: the same input returns the first result, another input is a DuplicateError naming both', async () => {
      const { store } = await makeStore();
      const streamId = aStreamId();
      const key = `input#${streamId}`;
      const first = await store.append(streamId, someEvents(1), {
        expectedVersion: 0,
        idempotencyKey: key,
        idempotencyFingerprint: 'sha256:input-a',
      });

      // A redelivery of the same input that decided differently (other data) is still the same input.
      const again = await store.append(streamId, someEvents(1, { decidedLater: true }), {
        expectedVersion: 1,
        idempotencyKey: key,
        idempotencyFingerprint: 'sha256:input-a',
      });
      const reused = store.append(streamId, someEvents(1), {
        expectedVersion: 1,
        idempotencyKey: key,
        idempotencyFingerprint: 'sha256:input-b',
      });

      expect(again.events.map((e) => e.event.id)).toEqual(first.events.map((e) => e.event.id));
      await expect(reused).rejects.toMatchObject({
        code: 'DUPLICATE',
        storedFingerprint: 'sha256:input-a',
        fingerprint: 'sha256:input-b',
      });
      expect((await store.read(streamId)).events).toHaveLength(1);
    });

    it('writes once when concurrent appends share a key and retry their conflicts', async () => {
      const { store } = await makeStore();
      const streamId = aStreamId();
      const events = someEvents(2);

      const results = await Promise.all(
        Array.from({ length: 3 }, () =>
          retryOnConflict(
            () => store.append(streamId, events, { expectedVersion: 0, idempotencyKey: streamId }),
            {
              attempts: 6,
              baseDelayMs: 10,
            },
          ),
        ),
      );

      expect(new Set(results.map((r) => JSON.stringify(r))).size).toBe(1);
      expect((await store.read(streamId)).events).toHaveLength(2);
    });

    it('judges a key older than the commit at the expected version on its version alone', async () => {
      const { store } = await makeStore();
      const streamId = aStreamId();
      await store.append(streamId, someEvents(1), { expectedVersion: 0, idempotencyKey: streamId });
      await store.append(streamId, someEvents(1), { expectedVersion: 1 });

      // Only the stream's newest commits are looked at; consumers recognise older inputs from state.
      const later = await store.append(streamId, someEvents(1), {
        expectedVersion: 2,
        idempotencyKey: streamId,
      });

      expect(later).toMatchObject({ fromVersion: 3, toVersion: 3 });
    });
  });
}

import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadAggregate } from '../../shared/kit/event-store/load-aggregate.ts';
import type { EventEnvelope } from '../../shared/kit/events/envelope.ts';
import type { MakeEventStore } from './event-store.contract.ts';
import { aStreamId, collect, orderTotals, readPages, someEvents } from './event-store.fixtures.ts';

const bumpToV2 = (event: EventEnvelope): EventEnvelope =>
  event.version === 1 ? { ...event, version: 2, data: { ...event.data, currency: 'EUR' } } : event;

/** Read side of the contract: paging, upcasting, snapshots. Called by `describeEventStoreContract`. */
export function describeEventStoreReadContract(makeStore: MakeEventStore): void {
  describe('read', () => {
    it('reads a stream that does not exist as an empty page without a cursor', async () => {
      const { store } = await makeStore();
      const streamId = aStreamId();

      const page = await store.read(streamId);

      expect(page).toEqual({ events: [] });
      expect(await collect(store.readAll(streamId))).toEqual([]);
      expect(await store.loadSnapshot(streamId)).toBeUndefined();
    });

    it('pages by limit and continues exactly where the previous page ended', async () => {
      const { store } = await makeStore();
      const streamId = aStreamId();
      await store.append(streamId, someEvents(7), { expectedVersion: 0 });

      const { pages, events } = await readPages(store, streamId, 3);

      expect(pages.length).toBeGreaterThanOrEqual(3);
      expect(pages[0]?.events).toHaveLength(3);
      expect(events.map((e) => e.streamVersion)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    });

    it('starts a read at fromVersion, for a page and for readAll', async () => {
      const { store } = await makeStore();
      const streamId = aStreamId();
      await store.append(streamId, someEvents(5), { expectedVersion: 0 });

      const page = await store.read(streamId, { fromVersion: 4 });
      const tail = await collect(store.readAll(streamId, 3));

      expect(page.events.map((e) => e.streamVersion)).toEqual([4, 5]);
      expect(tail.map((e) => e.streamVersion)).toEqual([3, 4, 5]);
    });

    it('returns more than 1 MB of events in order, over more than one page', async () => {
      const { store } = await makeStore();
      const streamId = aStreamId();
      // Random text, so the store's compression cannot fold 30 events back under one page.
      const padding = randomBytes(45 * 1024).toString('base64');
      await store.append(streamId, someEvents(30, { padding }), { expectedVersion: 0 });

      const { pages, events } = await readPages(store, streamId);
      const all = await collect(store.readAll(streamId));

      expect(pages.length).toBeGreaterThan(1);
      expect(events.map((e) => e.event.data.n)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
      expect(all.map((e) => e.streamVersion)).toEqual(events.map((e) => e.streamVersion));
    });
  });

  describe('upcasting', () => {
    it('passes every event read through the upcaster, but stores and returns appends as written', async () => {
      const { store } = await makeStore({ upcast: bumpToV2 });
      const streamId = aStreamId();
      const appended = await store.append(streamId, someEvents(3), { expectedVersion: 0 });

      const page = await store.read(streamId, { limit: 2 });
      const all = await collect(store.readAll(streamId));

      expect(appended.events.map((e) => e.event.version)).toEqual([1, 1, 1]);
      expect(page.events.map((e) => e.event.version)).toEqual([2, 2]);
      expect(all.map((e) => [e.event.version, e.event.data.currency])).toEqual([
        [2, 'EUR'],
        [2, 'EUR'],
        [2, 'EUR'],
      ]);
    });
  });

  describe('snapshots', () => {
    it('rebuilds the same state from snapshot plus tail as from a full replay', async () => {
      const { store } = await makeStore();
      const streamId = aStreamId();
      await store.append(streamId, someEvents(5), { expectedVersion: 0 });
      const first = await loadAggregate(store, streamId, { ...orderTotals, snapshotEvery: 4 });
      await store.append(streamId, someEvents(3), { expectedVersion: 5 });

      const fromSnapshot = await loadAggregate(store, streamId, orderTotals);
      const replayed = (await collect(store.readAll(streamId))).reduce(
        (state, stored) => orderTotals.evolve(state, stored.event),
        orderTotals.initial(),
      );

      expect(first).toMatchObject({ version: 5, eventsApplied: 5, snapshotSaved: true });
      expect(fromSnapshot).toMatchObject({ version: 8, eventsApplied: 3, snapshotSaved: false });
      expect(fromSnapshot.state).toEqual(replayed);
      expect(replayed).toEqual({ count: 8, total: 21 });
    });

    it('loads the snapshot with the highest version', async () => {
      const { store } = await makeStore();
      const streamId = aStreamId();
      await store.saveSnapshot(streamId, 2, { count: 2 });
      await store.saveSnapshot(streamId, 12, { count: 12 });
      await store.saveSnapshot(streamId, 9, { count: 9 });

      const snapshot = await store.loadSnapshot<{ count: number }>(streamId);

      expect(snapshot).toMatchObject({ streamId, version: 12, state: { count: 12 } });
    });

    it('writes a snapshot only once snapshotEvery events piled up since the last one', async () => {
      const { store } = await makeStore();
      const streamId = aStreamId();
      await store.append(streamId, someEvents(3), { expectedVersion: 0 });

      const below = await loadAggregate(store, streamId, { ...orderTotals, snapshotEvery: 4 });
      await store.append(streamId, someEvents(1), { expectedVersion: 3 });
      const reached = await loadAggregate(store, streamId, { ...orderTotals, snapshotEvery: 4 });

      expect(below.snapshotSaved).toBe(false);
      expect(reached.snapshotSaved).toBe(true);
      expect(await store.loadSnapshot(streamId)).toMatchObject({ version: 4, state: { count: 4, total: 7 } });
    });
  });
}

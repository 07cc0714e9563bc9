import { describe, expect, it } from 'vitest';
import {
  cataloguedTypes,
  commitIndexAttributes,
  correlationKeyOf,
  EVENT_STORE_INDEXES,
  MIXED_CORRELATIONS,
  streamCatalogKey,
  streamCatalogKeys,
  streamCatalogShard,
  streamTypeOf,
} from '../../shared/kit/event-store/dynamodb-indexes.ts';
import { commitItems, MAX_COMMIT_ITEM_BYTES } from '../../shared/kit/event-store/dynamodb-items.ts';
import type { StoredEvent } from '../../shared/kit/event-store/port.ts';
import { someEvents } from '../contract/event-store.fixtures.ts';

const { byCorrelation, streamCatalog } = EVENT_STORE_INDEXES;

function stored(streamId: string, fromVersion: number, correlationIds: readonly string[]): StoredEvent[] {
  return someEvents(correlationIds.length).map((event, i) => ({
    streamId,
    streamVersion: fromVersion + i,
    recordedAt: '2026-12-01T10:00:00.000Z',
    event: { ...event, correlationId: correlationIds[i] as string },
  }));
}

describe('event store index keys', () => {
  it('takes a stream type from the stream id up to its first #, or the whole id without one', () => {
    expect(streamTypeOf('saga-order#o-1')).toBe('saga-order');
    expect(streamTypeOf('inventory-sku#BOOK#1')).toBe('inventory-sku');
    expect(streamTypeOf('standalone')).toBe('standalone');
  });

  it('spreads the streams of one type over every catalog shard, each stream always on the same one', () => {
    const shards = Array.from({ length: 400 }, (_, i) => streamCatalogShard(`saga-order#o-${i}`));

    expect(new Set(shards)).toEqual(new Set(Array.from({ length: streamCatalog.shards }, (_, n) => n)));
    expect(streamCatalogShard('saga-order#o-7')).toBe(shards[7]);
    // Spread evenly enough that no shard holds more than twice its share of 400 streams.
    const counts = shards.reduce((m, s) => m.set(s, (m.get(s) ?? 0) + 1), new Map<number, number>());
    expect(Math.max(...counts.values())).toBeLessThan((2 * 400) / streamCatalog.shards);
  });

  it('lists every shard key of a type, one of which is the key of each of its streams', () => {
    const keys = streamCatalogKeys('saga-order');

    expect(keys).toHaveLength(streamCatalog.shards);
    expect(keys[0]).toBe('saga-order#0');
    expect(keys).toContain(streamCatalogKey('saga-order#o-42'));
    expect(() => streamCatalogKeys('saga-order#o-1')).toThrow(/not a stream type/);
    expect(() => streamCatalogKeys('')).toThrow(/not a stream type/);
  });

  it('keys a commit by the correlation id its events share, and a commit mixing flows under the mixed key', () => {
    expect(correlationKeyOf(['flow-a', 'flow-a'])).toBe('flow-a');
    expect(correlationKeyOf(['flow-a', 'flow-b'])).toBe(MIXED_CORRELATIONS);
    expect(() => correlationKeyOf([])).toThrow();
  });

  it('puts a stream in the catalog on its first commit only', () => {
    expect(commitIndexAttributes('saga-order#o-1', 1, ['c'])).toEqual({
      [byCorrelation.partitionKey]: { S: 'c' },
      [streamCatalog.partitionKey]: { S: streamCatalogKey('saga-order#o-1') },
    });
    expect(commitIndexAttributes('saga-order#o-1', 4, ['c'])).toEqual({
      [byCorrelation.partitionKey]: { S: 'c' },
    });
  });

  it('indexes a commit under its flow only where a run of that flow starts in the stream', () => {
    const key = byCorrelation.partitionKey;

    // The commit before it is of the same flow: the run goes on, no index write.
    expect(commitIndexAttributes('saga-order#o-1', 4, ['c'], { previousCorrelation: 'c' })).toEqual({});
    // Another flow before it (a SKU's stock shared by orders), or nothing known of it: a run starts.
    expect(commitIndexAttributes('stock#s', 4, ['c'], { previousCorrelation: 'd' })[key]).toEqual({ S: 'c' });
    expect(commitIndexAttributes('stock#s', 4, ['c'], { previousCorrelation: undefined })[key]).toEqual({
      S: 'c',
    });
    // A commit mixing flows is always indexed, and so is the one after it.
    expect(
      commitIndexAttributes('stock#s', 4, ['c', 'd'], { previousCorrelation: MIXED_CORRELATIONS })[key],
    ).toEqual({ S: MIXED_CORRELATIONS });
    expect(
      commitIndexAttributes('stock#s', 5, ['c'], { previousCorrelation: MIXED_CORRELATIONS })[key],
    ).toEqual({ S: 'c' });
  });

  it('lists in the catalog only the stream types it is told to, and every type when told nothing', () => {
    const catalogued = cataloguedTypes('saga-order, cart');
    const catalogKey = streamCatalog.partitionKey;

    expect(commitIndexAttributes('saga-order#o-1', 1, ['c'], { catalogued })[catalogKey]).toBeDefined();
    expect(commitIndexAttributes('cart#c-1', 1, ['c'], { catalogued })[catalogKey]).toBeDefined();
    expect(commitIndexAttributes('payment#o-1', 1, ['c'], { catalogued })[catalogKey]).toBeUndefined();
    expect(commitIndexAttributes('payment#o-1', 1, ['c'], {})[catalogKey]).toBeDefined();
    expect(cataloguedTypes(undefined)).toBeUndefined();
    expect(cataloguedTypes('')?.('saga-order')).toBe(false);
    expect(() => cataloguedTypes('saga-order#1')).toThrow(/not a stream type/);
  });
});

describe('commit items carry their index keys', () => {
  it('writes the correlation key and, on version 1, the catalog key and the stream id it sorts by', () => {
    const [first] = commitItems(stored('saga-order#o-9', 1, ['flow-1', 'flow-1']), undefined);
    const [later] = commitItems(stored('saga-order#o-9', 3, ['flow-1']), undefined, {
      previousCorrelation: 'flow-0',
    });
    const [sameRun] = commitItems(stored('saga-order#o-9', 3, ['flow-1']), undefined, {
      previousCorrelation: 'flow-1',
    });

    expect(first?.[byCorrelation.partitionKey]).toEqual({ S: 'flow-1' });
    expect(first?.[streamCatalog.partitionKey]).toEqual({ S: streamCatalogKey('saga-order#o-9') });
    expect(first?.[streamCatalog.sortKey]).toEqual({ S: 'saga-order#o-9' });
    expect(later?.[byCorrelation.partitionKey]).toEqual({ S: 'flow-1' });
    expect(later?.[streamCatalog.partitionKey]).toBeUndefined();
    expect(sameRun?.[byCorrelation.partitionKey]).toBeUndefined();
    expect(sameRun?.correlationIds).toEqual({ SS: ['flow-1'] });
  });

  it('keys each item of an append split by size on its own first version and its own events', () => {
    // Two events too big to share an item: the second item starts at version 2, off the catalog.
    const big = 'x'.repeat(MAX_COMMIT_ITEM_BYTES / 2 + 1);
    const events = stored('notes#n-1', 1, ['flow-1', 'flow-2']).map((e) => ({
      ...e,
      event: { ...e.event, data: { ...e.event.data, big } },
    }));

    const items = commitItems(events, undefined);

    expect(items).toHaveLength(2);
    expect(items.map((item) => item[byCorrelation.partitionKey]?.S)).toEqual(['flow-1', 'flow-2']);
    expect(items.map((item) => item[streamCatalog.partitionKey]?.S)).toEqual([
      streamCatalogKey('notes#n-1'),
      undefined,
    ]);
  });
});

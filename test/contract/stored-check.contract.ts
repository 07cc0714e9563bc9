import { describe, expect, it } from 'vitest';
import type { EventStore } from '../../shared/event-store/port.ts';
import type { StoredEventCheck } from '../../shared/events/stored.ts';
import { aStreamId, someEvents } from './event-store.fixtures.ts';

/** A store and the check that reads it, for one case. */
export type MakeStoredCheck = () => Promise<{ store: EventStore; check: StoredEventCheck }>;

/**
 * What every {@link StoredEventCheck} promises: it confirms exactly the event a stream holds at a
 * version, and nothing a mark could claim beyond that (another id, another version, another stream,
 * a version no stream can have).
 */
export function describeStoredCheckContract(name: string, make: MakeStoredCheck): void {
  describe(`${name} stored-event check`, () => {
    it('confirms the event a stream holds at a version and nothing else a mark could claim', async () => {
      // Arrange
      const { store, check } = await make();
      const streamId = aStreamId();
      const [first, second] = someEvents(2);
      await store.append(
        streamId,
        [first, second].filter((e) => e !== undefined),
        { expectedVersion: 0 },
      );
      const firstId = first?.id ?? '';

      // Act
      const answers = await Promise.all([
        check({ streamId, version: 1 }, firstId),
        check({ streamId, version: 2 }, firstId),
        check({ streamId, version: 1 }, 'not-the-stored-id'),
        check({ streamId: aStreamId(), version: 1 }, firstId),
        check({ streamId, version: Number.NaN }, firstId),
        check({ streamId, version: 0 }, firstId),
      ]);

      // Assert
      expect(answers).toEqual([true, false, false, false, false, false]);
    });
  });
}

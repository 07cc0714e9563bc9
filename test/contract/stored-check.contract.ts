import { describe, expect, it } from 'vitest';
import { exampleEvent, parseEvent } from '../../shared/contexts/orders/events/catalog.ts';
import type { EventStore } from '../../shared/kit/event-store/port.ts';
import type { StoredEventCheck } from '../../shared/kit/events/stored.ts';
import { aStreamId } from './event-store.fixtures.ts';

/** A store and the check that reads it, for one case. */
export type MakeStoredCheck = () => Promise<{ store: EventStore; check: StoredEventCheck }>;

/**
 * What every {@link StoredEventCheck} promises: it confirms exactly the event a stream holds at a
 * version, same id and same content, and nothing a mark could claim beyond that (another id, other
 * content under the stored id, another version, another stream, a version no stream can have).
 */
export function describeStoredCheckContract(name: string, make: MakeStoredCheck): void {
  describe(`${name} stored-event check`, () => {
    it('confirms the event a stream holds at a version and nothing else a mark could claim', async () => {
      // Arrange
      const { store, check } = await make();
      const streamId = aStreamId();
      const first = exampleEvent('OrderPlaced');
      const second = exampleEvent('OrderConfirmed');
      await store.append(streamId, [first, second], { expectedVersion: 0 });
      const otherContent = { ...first, data: { ...first.data, total: 999 } };

      // Act
      const answers = await Promise.all([
        check({ streamId, version: 1 }, first),
        check({ streamId, version: 2 }, first),
        check({ streamId, version: 1 }, { ...first, id: 'not-the-stored-id' }),
        check({ streamId, version: 1 }, otherContent),
        check({ streamId: aStreamId(), version: 1 }, first),
        check({ streamId, version: Number.NaN }, first),
        check({ streamId, version: 0 }, first),
      ]);

      // Assert
      expect(answers).toEqual([true, false, false, false, false, false, false]);
    });

    it('matches an event stored at an older schema version with the upcast event a consumer parsed', async () => {
      // Arrange: stored as v1 (one email), received as consumers see it (v2, contact).
      const { store, check } = await make();
      const streamId = aStreamId();
      const v1 = {
        ...exampleEvent('OrderPlaced'),
        version: 1,
        data: {
          orderId: 'ord-1000',
          customerId: 'cus-42',
          items: [{ sku: 'BOOK-123', qty: 2, unitPrice: 12.5 }],
          total: 25,
          currency: 'EUR',
          paymentToken: 'tok_visa_4242',
          email: 'ada@example.com',
        },
      };
      await store.append(streamId, [v1], { expectedVersion: 0 });

      // Act
      const confirmed = await check({ streamId, version: 1 }, parseEvent(v1));

      // Assert
      expect(confirmed).toBe(true);
    });
  });
}

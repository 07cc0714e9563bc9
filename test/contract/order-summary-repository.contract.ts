import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { evolveOrderSummary, type OrderSummary } from '../../shared/contexts/orders/domain/order-summary.ts';
import { createEvent, exampleEvent } from '../../shared/contexts/orders/events/catalog.ts';
import type { OrderSummaryRepository } from '../../shared/contexts/orders/use-cases/order-summary.ts';
import { ConcurrencyError } from '../../shared/kit/event-store/errors.ts';

/** A summary folded from one `OrderPlaced` of a fresh order. */
export function placedSummary(orderId = `ord-${randomUUID()}`): OrderSummary {
  const placed = createEvent(
    'OrderPlaced',
    { ...exampleEvent('OrderPlaced').data, orderId },
    { correlationId: `corr-${orderId}` },
  );
  return evolveOrderSummary(undefined, placed);
}

/**
 * The behaviour every `OrderSummaryRepository` shares (the projector relies on it): versioned puts,
 * consistent reads of what was written, a typed conflict for a stale version.
 */
export function describeOrderSummaryRepositoryContract(
  name: string,
  create: () => Promise<OrderSummaryRepository>,
): void {
  describe(`OrderSummaryRepository contract: ${name}`, () => {
    it('reads nothing for an order it never stored', async () => {
      const repository = await create();
      expect(await repository.get(`missing-${randomUUID()}`)).toBeUndefined();
    });

    it('stores a new summary as version 1 and reads it back exactly', async () => {
      const repository = await create();
      const summary = placedSummary();

      await repository.put(summary, 0);

      expect(await repository.get(summary.orderId)).toEqual({ summary, version: 1 });
    });

    it('replaces a summary at the version it was read at, and counts up', async () => {
      const repository = await create();
      const summary = placedSummary();
      await repository.put(summary, 0);
      const next: OrderSummary = { ...summary, status: 'CONFIRMED' };

      await repository.put(next, 1);

      expect(await repository.get(summary.orderId)).toEqual({ summary: next, version: 2 });
    });

    it('refuses a stale version with a ConcurrencyError and keeps what was there', async () => {
      const repository = await create();
      const summary = placedSummary();
      await repository.put(summary, 0);
      await repository.put({ ...summary, status: 'CONFIRMED' }, 1);

      // Both in flight at once, both settled before either is looked at: whichever fails first is
      // handled (awaiting one while the other had already failed left an unhandled rejection).
      const [stale, recreate] = await Promise.allSettled([
        repository.put({ ...summary, status: 'CANCELLED' }, 1),
        repository.put(summary, 0),
      ]);

      expect(stale.status === 'rejected' && stale.reason).toBeInstanceOf(ConcurrencyError);
      expect(recreate.status === 'rejected' && recreate.reason).toBeInstanceOf(ConcurrencyError);
      expect((await repository.get(summary.orderId))?.summary.status).toBe('CONFIRMED');
    });
  });
}

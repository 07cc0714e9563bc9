import { describe, expect, it } from 'vitest';
import {
  evolveOrderSummary,
  type OrderSummary,
  replayOrderSummaries,
} from '../../shared/domain/order-summary.ts';
import type { AnyEvent, EventDataInput, EventType } from '../../shared/events/catalog.ts';
import { createEvent, exampleEvent } from '../../shared/events/registry.ts';
import {
  InMemoryOrderSummaryRepository,
  projectOrderSummary,
  rebuildOrderSummaries,
} from '../../shared/use-cases/order-summary.ts';
import { ManualClock } from '../fakes/clock.ts';

function history(): AnyEvent[] {
  const clock = new ManualClock();
  const at = <T extends EventType>(type: T, data: EventDataInput<T>) => {
    clock.advance(1_000);
    return createEvent(type, data, { correlationId: 'c' }, clock) as AnyEvent;
  };
  const placed = exampleEvent('OrderPlaced').data;
  return [
    at('OrderPlaced', placed),
    at('InventoryReserved', { orderId: 'ord-1001', items: [{ sku: 'BOOK-123', qty: 2 }] }),
    at('PaymentAuthorized', { orderId: 'ord-1001', authorizationId: 'auth-1', amount: 34, currency: 'EUR' }),
    at('OrderConfirmed', {
      orderId: 'ord-1001',
      customerId: 'cus-42',
      total: 34,
      currency: 'EUR',
      contact: placed.contact,
    }),
  ];
}

describe('order summary projection', () => {
  it('shows a confirmed order with its items, total and a timeline of its events', () => {
    // Act
    const summary = history().reduce(evolveOrderSummary, undefined as never);

    // Assert
    expect(summary).toMatchObject({
      orderId: 'ord-1001',
      status: 'CONFIRMED',
      total: 34,
      currency: 'EUR',
      authorizationId: 'auth-1',
    });
    expect(summary.items).toHaveLength(2);
    expect(summary.timeline.map((entry) => entry.type)).toEqual([
      'OrderPlaced',
      'InventoryReserved',
      'PaymentAuthorized',
      'OrderConfirmed',
    ]);
  });

  it('builds the same summary from events in any order, with duplicates', () => {
    // Arrange
    const events = history();
    const shuffled = [events[3], events[1], events[1], events[0], events[2], events[3]] as AnyEvent[];

    // Act
    const inOrder = replayOrderSummaries(events).get('ord-1001');
    const outOfOrder = replayOrderSummaries(shuffled).get('ord-1001');

    // Assert
    expect(outOfOrder).toEqual(inOrder);
  });

  it('keeps a cancelled order cancelled when a late authorization arrives', () => {
    // Arrange
    const placed = history()[0] as AnyEvent;
    const clock = new ManualClock('2026-11-22T11:00:00.000Z');
    const contact = { email: 'ada@example.com', channels: ['email' as const] };
    const cancelled = createEvent(
      'OrderCancelled',
      { orderId: 'ord-1001', customerId: 'c', reason: 'timed out', contact },
      { correlationId: 'c', id: 'evt-cancel' },
      clock,
    );
    clock.advance(1_000);
    const late = createEvent(
      'PaymentAuthorized',
      { orderId: 'ord-1001', authorizationId: 'a', amount: 34, currency: 'EUR' },
      { correlationId: 'c', id: 'evt-late' },
      clock,
    );

    // Act
    const summary = [placed, cancelled, late].reduce<OrderSummary | undefined>(evolveOrderSummary, undefined);

    // Assert
    expect(summary?.status).toBe('CANCELLED');
    expect(summary?.reason).toBe('timed out');
  });

  it('rebuilds a repository by replaying the events, skipping ones already applied', async () => {
    // Arrange
    const repository = new InMemoryOrderSummaryRepository();
    const events = history();
    await projectOrderSummary(repository, events[0] as AnyEvent);

    // Act
    const applied = await rebuildOrderSummaries(repository, events);

    // Assert
    expect(applied).toBe(3);
    expect((await repository.get('ord-1001'))?.summary.status).toBe('CONFIRMED');
    expect((await repository.get('ord-1001'))?.version).toBe(4);
  });
});

import { describe, expect, it } from 'vitest';
import {
  evolveOrderSummary,
  type OrderSummary,
  replayOrderSummaries,
} from '../../shared/contexts/orders/domain/order-summary.ts';
import type { AnyEvent, EventDataInput, EventType } from '../../shared/contexts/orders/events/catalog.ts';
import { createEvent, exampleEvent } from '../../shared/contexts/orders/events/catalog.ts';
import {
  BatchedOrderSummaries,
  projectOrderSummary,
  rebuildOrderSummaries,
} from '../../shared/contexts/orders/use-cases/order-summary.ts';
import { ManualClock } from '../fakes/clock.ts';
import { InMemoryOrderSummaryRepository } from '../fakes/orders.ts';

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

describe('projector writes per batch', () => {
  /** Counts the repository calls a batch makes. */
  class CountingRepository extends InMemoryOrderSummaryRepository {
    gets = 0;
    puts = 0;
    override async get(orderId: string) {
      this.gets += 1;
      return super.get(orderId);
    }
    override async put(summary: OrderSummary, expectedVersion: number) {
      this.puts += 1;
      return super.put(summary, expectedVersion);
    }
  }

  it('reads and writes an order once for all its events in a batch, with the summary a fold per event gives', async () => {
    // Arrange
    const repository = new CountingRepository();
    const batch = new BatchedOrderSummaries(repository);
    const events = history();

    // Act
    batch.begin();
    const outcomes = [];
    for (const [i, event] of events.entries()) outcomes.push(await batch.project(event, `m-${i}`));
    outcomes.push(await batch.project(events[0] as AnyEvent, 'm-again'));
    const flushed = await batch.flush();

    // Assert
    expect(outcomes).toEqual(['handled', 'handled', 'handled', 'handled', 'duplicate']);
    expect(flushed).toEqual({ written: 1, failedMessageIds: [] });
    expect([repository.gets, repository.puts]).toEqual([1, 1]);
    expect((await repository.get('ord-1001'))?.summary).toEqual(
      events.reduce(evolveOrderSummary, undefined as never),
    );
  });

  it('folds its events on top of a concurrent write to the same order instead of overwriting it', async () => {
    // Arrange: the batch read the order before another invocation wrote the payment.
    const repository = new InMemoryOrderSummaryRepository();
    const [placed, reserved, authorized, confirmed] = history() as [AnyEvent, AnyEvent, AnyEvent, AnyEvent];
    await projectOrderSummary(repository, placed);
    const batch = new BatchedOrderSummaries(repository);
    batch.begin();
    await batch.project(reserved, 'm-1');
    await projectOrderSummary(repository, authorized);
    await batch.project(confirmed, 'm-2');

    // Act
    const flushed = await batch.flush();

    // Assert
    expect(flushed.failedMessageIds).toEqual([]);
    const summary = (await repository.get('ord-1001'))?.summary;
    expect(summary?.timeline.map((entry) => entry.type)).toEqual([
      'OrderPlaced',
      'InventoryReserved',
      'PaymentAuthorized',
      'OrderConfirmed',
    ]);
  });

  it('answers the messages of an order it could not write, for the runtime to retry', async () => {
    const repository = new InMemoryOrderSummaryRepository();
    repository.put = async () => {
      throw new Error('throttled');
    };
    const batch = new BatchedOrderSummaries(repository);
    const [placed, reserved] = history() as [AnyEvent, AnyEvent];
    batch.begin();
    await batch.project(placed, 'm-1');
    await batch.project(reserved, 'm-2');

    expect(await batch.flush()).toEqual({ written: 0, failedMessageIds: ['m-1', 'm-2'] });
  });
});

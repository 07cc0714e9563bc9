import { describe, expect, it } from 'vitest';
import { orderEvents, orderStreamIds } from '../../shared/contexts/orders/use-cases/order-history.ts';
import { rebuildOrderSummaries } from '../../shared/contexts/orders/use-cases/order-summary.ts';
import { InMemoryOrderSummaryRepository } from '../fakes/orders.ts';
import { TestPipeline } from '../fakes/pipeline.ts';

const contact = { email: 'ada@example.com', channels: ['email' as const] };
const items = [{ sku: 'BOOK-123', qty: 2, unitPrice: 12.5 }];

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of iterable) all.push(item);
  return all;
}

describe('order history: an order’s events read back from the event store', () => {
  it('names the saga, inventory, payment and notification streams of an order', () => {
    expect(orderStreamIds('ord-1')).toEqual([
      'saga-order#ord-1',
      'inventory-order#ord-1',
      'payment#ord-1',
      'notifications#ord-1',
    ]);
  });

  it('recovers the OrderPlaced the saga started from, with its id, time and data', async () => {
    // Arrange
    const pipeline = new TestPipeline();
    await pipeline.stock({ sku: 'BOOK-123', qty: 5 });
    const placed = pipeline.orderPlaced({ orderId: 'ord-recover', items, total: 25, contact });

    // Act
    pipeline.publish(placed);
    await pipeline.run();
    const events = await collect(orderEvents(pipeline.store, 'ord-recover'));

    // Assert
    const recovered = events.find((event) => event.type === 'OrderPlaced');
    expect(recovered).toMatchObject({
      id: placed.id,
      correlationId: placed.correlationId,
      data: placed.data,
    });
    expect(events.filter((event) => event.type === 'OrderPlaced')).toHaveLength(1);
    expect(events.map((event) => event.type)).not.toContain('SagaStarted');
  });

  for (const [label, token] of [
    ['a confirmed', 'tok_visa_4242'],
    ['a declined', 'tok_declined'],
    ['a timed-out', 'tok_timeout'],
  ] as const) {
    it(`rebuilds exactly the summary the projector kept for ${label} order`, async () => {
      // Arrange
      const pipeline = new TestPipeline({ stepTimeoutMs: 10_000 });
      await pipeline.stock({ sku: 'BOOK-123', qty: 5 });
      const orderId = `ord-${token}`;
      pipeline.publish(pipeline.orderPlaced({ orderId, items, total: 25, contact, paymentToken: token }));
      await pipeline.run();
      const rebuilt = new InMemoryOrderSummaryRepository();

      // Act
      const applied = await rebuildOrderSummaries(rebuilt, orderEvents(pipeline.store, orderId));

      // Assert
      const live = (await pipeline.summaries.get(orderId))?.summary;
      expect(applied).toBe(live?.timeline.length);
      expect((await rebuilt.get(orderId))?.summary).toEqual(live);
    });
  }
});

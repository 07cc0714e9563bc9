import { describe, expect, it } from 'vitest';
import { causedBy, createEvent } from '../../shared/contexts/orders/events/catalog.ts';
import { availableStock } from '../../shared/contexts/orders/use-cases/inventory.ts';
import { markStored } from '../../shared/kit/events/stored.ts';
import { TestPipeline } from '../fakes/pipeline.ts';

const contact = {
  email: 'ada@example.com',
  phone: '+4915112345678',
  channels: ['email', 'sms'] as ('email' | 'sms')[],
};
const items = [
  { sku: 'BOOK-123', qty: 2, unitPrice: 12.5 },
  { sku: 'MUG-7', qty: 1, unitPrice: 9 },
];

async function stockedPipeline(
  options?: ConstructorParameters<typeof TestPipeline>[0],
): Promise<TestPipeline> {
  const pipeline = new TestPipeline(options);
  await pipeline.stock({ sku: 'BOOK-123', qty: 10 }, { sku: 'MUG-7', qty: 5 });
  return pipeline;
}

describe('order saga, end to end in memory', () => {
  it('confirms a paid order, takes stock once, authorizes once and notifies each preferred channel once', async () => {
    // Arrange
    const pipeline = await stockedPipeline();
    const placed = pipeline.orderPlaced({ orderId: 'ord-happy', items, total: 34, contact });

    // Act
    pipeline.publish(placed);
    await pipeline.run();

    // Assert
    expect(pipeline.eventsOf('OrderConfirmed', 'ord-happy')).toHaveLength(1);
    expect(pipeline.eventsOf('OrderCancelled', 'ord-happy')).toHaveLength(0);
    expect(await availableStock(pipeline.store, 'BOOK-123')).toBe(8);
    expect(await availableStock(pipeline.store, 'MUG-7')).toBe(4);
    expect(pipeline.provider.authorizations).toHaveLength(1);
    expect(pipeline.sender.deliveries.map((d) => [d.channel, d.trigger])).toEqual([
      ['email', 'OrderConfirmed'],
      ['sms', 'OrderConfirmed'],
    ]);
    expect(pipeline.eventsOf('NotificationSent', 'ord-happy')).toHaveLength(2);
    const summary = (await pipeline.summaries.get('ord-happy'))?.summary;
    expect(summary?.status).toBe('CONFIRMED');
    expect(summary?.timeline.map((entry) => entry.type)).toEqual([
      'OrderPlaced',
      'InventoryReservationRequested',
      'InventoryReserved',
      'PaymentAuthorizationRequested',
      'PaymentAuthorized',
      'OrderConfirmed',
      'NotificationSent',
      'NotificationSent',
    ]);
  });

  it('keeps one correlation id through the whole saga and chains causation ids', async () => {
    // Arrange
    const pipeline = await stockedPipeline();
    const placed = pipeline.orderPlaced({ orderId: 'ord-trace', items, total: 34, contact });

    // Act
    pipeline.publish(placed);
    await pipeline.run();

    // Assert
    const events = pipeline.published.filter((event) => event.correlationId === placed.correlationId);
    expect(events.length).toBe(pipeline.published.length);
    // The intake OrderPlaced comes back from the store with the same id; the chain is checked once per id.
    expect(pipeline.eventsOf('OrderPlaced', 'ord-trace').map((event) => event.id)).toEqual([
      placed.id,
      placed.id,
    ]);
    const ids = new Set(events.map((event) => event.id));
    expect(
      events
        .filter((event) => event.id !== placed.id)
        .every((event) => event.causationId !== undefined && ids.has(event.causationId)),
    ).toBe(true);
    const confirmed = pipeline.eventsOf('OrderConfirmed', 'ord-trace')[0];
    expect(confirmed?.causationId).toBe(pipeline.eventsOf('PaymentAuthorized', 'ord-trace')[0]?.id);
  });

  it('cancels a declined payment after releasing the stock, with no authorization', async () => {
    // Arrange
    const pipeline = await stockedPipeline();
    const placed = pipeline.orderPlaced({
      orderId: 'ord-declined',
      items,
      total: 34,
      paymentToken: 'tok_declined',
    });

    // Act
    pipeline.publish(placed);
    await pipeline.run();

    // Assert
    expect(pipeline.eventsOf('PaymentDeclined', 'ord-declined')).toHaveLength(1);
    expect(pipeline.eventsOf('InventoryReleased', 'ord-declined')).toHaveLength(1);
    expect(pipeline.eventsOf('OrderCancelled', 'ord-declined')).toHaveLength(1);
    expect(pipeline.eventsOf('OrderConfirmed', 'ord-declined')).toHaveLength(0);
    const types = pipeline.published.map((event) => event.type);
    expect(types.indexOf('InventoryReleased')).toBeLessThan(types.indexOf('OrderCancelled'));
    expect(pipeline.eventsOf('OrderCancelled', 'ord-declined')[0]?.data.reason).toBe('card declined');
    expect(await availableStock(pipeline.store, 'BOOK-123')).toBe(10);
    expect(await availableStock(pipeline.store, 'MUG-7')).toBe(5);
    expect(pipeline.provider.authorizations).toHaveLength(0);
    expect((await pipeline.summaries.get('ord-declined'))?.summary.status).toBe('CANCELLED');
  });

  it('cancels an order it cannot stock without ever asking for payment', async () => {
    // Arrange
    const pipeline = await stockedPipeline();
    const tooMany = [{ sku: 'MUG-7', qty: 6, unitPrice: 9 }];
    const placed = pipeline.orderPlaced({ orderId: 'ord-short', items: tooMany, total: 54 });

    // Act
    pipeline.publish(placed);
    await pipeline.run();

    // Assert
    const cancelled = pipeline.eventsOf('OrderCancelled', 'ord-short');
    expect(cancelled).toHaveLength(1);
    expect(cancelled[0]?.data.reason).toContain('MUG-7');
    expect(pipeline.eventsOf('PaymentAuthorizationRequested', 'ord-short')).toHaveLength(0);
    expect(pipeline.provider.attemptsFor('authorize#ord-short')).toBe(0);
    expect(await availableStock(pipeline.store, 'MUG-7')).toBe(5);
  });

  it('compensates in reverse order once the payment step times out, and never confirms', async () => {
    // Arrange
    const pipeline = await stockedPipeline({ stepTimeoutMs: 20_000, maxReceiveCount: 10 });
    const placed = pipeline.orderPlaced({
      orderId: 'ord-hang',
      items,
      total: 34,
      paymentToken: 'tok_timeout',
    });
    const start = pipeline.clock.now().getTime();

    // Act
    pipeline.publish(placed);
    await pipeline.run();

    // Assert
    const cancelled = pipeline.eventsOf('OrderCancelled', 'ord-hang');
    expect(cancelled).toHaveLength(1);
    expect(cancelled[0]?.data.reason).toBe('authorizePayment timed out');
    expect(Date.parse(cancelled[0]?.time ?? '') - start).toBeGreaterThanOrEqual(20_000);
    const types = pipeline.published.map((e) => e.type);
    expect(types.indexOf('PaymentVoidRequested')).toBeLessThan(types.indexOf('InventoryReleaseRequested'));
    expect(types.indexOf('InventoryReleased')).toBeLessThan(types.indexOf('OrderCancelled'));
    expect(pipeline.eventsOf('OrderConfirmed', 'ord-hang')).toHaveLength(0);
    expect(await availableStock(pipeline.store, 'BOOK-123')).toBe(10);
    expect(pipeline.provider.authorizations).toHaveLength(0);
    expect(pipeline.metrics('payment').retry).toBeGreaterThan(0);
  });

  it('stops retrying a hung payment once the saga voided it, so nothing reaches the DLQ', async () => {
    // Arrange
    const pipeline = await stockedPipeline({ stepTimeoutMs: 20_000, maxReceiveCount: 10 });
    const placed = pipeline.orderPlaced({
      orderId: 'ord-stop',
      items,
      total: 34,
      paymentToken: 'tok_timeout',
    });

    // Act
    pipeline.publish(placed);
    await pipeline.run();

    // Assert
    expect(pipeline.eventsOf('PaymentVoided', 'ord-stop')).toHaveLength(1);
    expect(pipeline.deadLetters('payment')).toHaveLength(0);
    expect(pipeline.pending('payment')).toBe(0);
    expect(pipeline.metrics('payment').duplicate).toBe(1);
  });

  it('moves a request that keeps failing to the DLQ by redrive after maxReceiveCount receives', async () => {
    // Arrange
    const pipeline = await stockedPipeline({ stepTimeoutMs: 60_000, maxReceiveCount: 3 });
    const placed = pipeline.orderPlaced({
      orderId: 'ord-redrive',
      items,
      total: 34,
      paymentToken: 'tok_timeout',
    });

    // Act
    pipeline.publish(placed);
    await pipeline.run();

    // Assert
    expect(pipeline.provider.attemptsFor('authorize#ord-redrive')).toBe(3);
    expect(pipeline.deadLetters('payment')).toHaveLength(1);
    expect(pipeline.eventsOf('OrderCancelled', 'ord-redrive')).toHaveLength(1);
  });

  it('confirms a flaky payment after retries with exactly one authorization', async () => {
    // Arrange
    const pipeline = await stockedPipeline();
    const placed = pipeline.orderPlaced({
      orderId: 'ord-flaky',
      items,
      total: 34,
      paymentToken: 'tok_flaky',
    });

    // Act
    pipeline.publish(placed);
    await pipeline.run();

    // Assert
    expect(pipeline.eventsOf('OrderConfirmed', 'ord-flaky')).toHaveLength(1);
    expect(pipeline.provider.attemptsFor('authorize#ord-flaky')).toBe(3);
    expect(pipeline.provider.authorizations).toHaveLength(1);
    expect(pipeline.eventsOf('PaymentAuthorized', 'ord-flaky')).toHaveLength(1);
    expect(pipeline.metrics('payment').retry).toBe(2);
    const delays = pipeline.sqs.visibilityChanges
      .filter((c) => c.QueueUrl === 'queue/payment')
      .map((c) => c.VisibilityTimeout);
    expect(delays).toEqual([2, 3]);
  });

  it('treats the same OrderPlaced delivered three times as one order, one reservation, one charge', async () => {
    // Arrange
    const pipeline = await stockedPipeline();
    const placed = pipeline.orderPlaced({ orderId: 'ord-thrice', items, total: 34 });

    // Act
    pipeline.publish(placed);
    pipeline.publish(placed);
    await pipeline.run();
    pipeline.publish(placed);
    await pipeline.run();

    // Assert
    expect(pipeline.eventsOf('InventoryReservationRequested', 'ord-thrice')).toHaveLength(1);
    expect(pipeline.eventsOf('InventoryReserved', 'ord-thrice')).toHaveLength(1);
    expect(pipeline.provider.authorizations).toHaveLength(1);
    expect(pipeline.eventsOf('OrderConfirmed', 'ord-thrice')).toHaveLength(1);
    expect(await availableStock(pipeline.store, 'BOOK-123')).toBe(8);
    expect(pipeline.sender.deliveries).toHaveLength(1);
    expect(pipeline.metrics('saga').duplicate).toBe(2);
    const summary = (await pipeline.summaries.get('ord-thrice'))?.summary;
    expect(summary?.timeline.filter((entry) => entry.type === 'OrderPlaced')).toHaveLength(1);
  });

  it('keeps two orders for the last units apart: one is confirmed, the other cancelled', async () => {
    // Arrange
    const pipeline = new TestPipeline();
    await pipeline.stock({ sku: 'LAMP-1', qty: 1 });
    const lamp = [{ sku: 'LAMP-1', qty: 1, unitPrice: 40 }];

    // Act
    pipeline.publish(pipeline.orderPlaced({ orderId: 'ord-first', items: lamp, total: 40 }));
    pipeline.publish(pipeline.orderPlaced({ orderId: 'ord-second', items: lamp, total: 40 }));
    await pipeline.run();

    // Assert
    expect(pipeline.eventsOf('OrderConfirmed')).toHaveLength(1);
    expect(pipeline.eventsOf('OrderCancelled')).toHaveLength(1);
    expect(await availableStock(pipeline.store, 'LAMP-1')).toBe(0);
  });

  it('voids a payment authorized after the saga gave up instead of confirming the order', async () => {
    // Arrange
    const pipeline = await stockedPipeline({ stepTimeoutMs: 20_000, maxReceiveCount: 2 });
    const placed = pipeline.orderPlaced({
      orderId: 'ord-late',
      items,
      total: 34,
      paymentToken: 'tok_timeout',
    });
    pipeline.publish(placed);
    await pipeline.run();
    const data = { orderId: 'ord-late', authorizationId: 'auth-late', amount: 34, currency: 'EUR' };
    const late = createEvent('PaymentAuthorized', data, causedBy(placed), pipeline.clock);

    // Act
    // Stored as the payment consumer would, then published: a late authorization and another one.
    const again = { ...late, id: pipeline.clock.newId() };
    const stored = await pipeline.store.append('payment-late#ord-late', [late, again], {
      expectedVersion: 0,
    });
    pipeline.store.outbox.length = 0;
    for (const { event, streamVersion } of stored.events) {
      pipeline.publish(markStored(event as typeof late, 'payment-late#ord-late', streamVersion));
    }
    await pipeline.run();

    // Assert
    expect(pipeline.eventsOf('OrderConfirmed', 'ord-late')).toHaveLength(0);
    const voids = pipeline.eventsOf('PaymentVoidRequested', 'ord-late');
    expect(voids.map((v) => v.data.authorizationId)).toEqual([undefined, 'auth-late']);
    expect((await pipeline.sagaState('ord-late')).status).toBe('cancelled');
    expect((await pipeline.summaries.get('ord-late'))?.summary.status).toBe('CANCELLED');
  });

  it('dead-letters an order whose total does not match its items and cancels it on the step timeout', async () => {
    // Arrange
    const pipeline = await stockedPipeline({ stepTimeoutMs: 20_000 });
    const placed = pipeline.orderPlaced({ orderId: 'ord-sum', items, total: 30 });

    // Act
    pipeline.publish(placed);
    await pipeline.run();

    // Assert
    const dead = pipeline.sqs.sent.filter((m) => m.QueueUrl === 'dlq/payment');
    expect(dead).toHaveLength(1);
    expect(dead[0]?.MessageAttributes?.['error-path']?.StringValue).toBe('data.total');
    expect(pipeline.eventsOf('OrderCancelled', 'ord-sum')).toHaveLength(1);
    expect(await availableStock(pipeline.store, 'BOOK-123')).toBe(10);
  });
});

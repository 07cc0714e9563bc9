import { describe, expect, it } from 'vitest';
import type { Orders } from '../../shared/contexts/orders/events/catalog.ts';
import { createEvent, ordersCatalog } from '../../shared/contexts/orders/events/catalog.ts';
import {
  availableStock,
  inventoryHandlers,
  restockInventory,
} from '../../shared/contexts/orders/use-cases/inventory.ts';
import { appendOutcome } from '../../shared/kit/consumer/append-outcome.ts';
import { DEAD_LETTER_ATTRIBUTES } from '../../shared/kit/consumer/dead-letter.ts';
import { createSqsConsumer, type SqsConsumerOptions } from '../../shared/kit/consumer/runtime.ts';
import { InMemoryEventStore } from '../../shared/kit/event-store/in-memory.ts';
import { storeStoredEventCheck } from '../../shared/kit/event-store/stored-check.ts';
import { contentHashOf } from '../../shared/kit/events/content-hash.ts';
import { markStored } from '../../shared/kit/events/stored.ts';
import { CountingOutcomeMetrics } from '../../shared/kit/observability/metrics.ts';
import { ManualClock } from '../fakes/clock.ts';
import { InMemoryInputClaims } from '../fakes/input-claims.ts';
import { RecordingLogger } from '../fakes/logger.ts';
import { TestPipeline } from '../fakes/pipeline.ts';
import { DLQ_URL, eventBridgeBody, FakeSqs, QUEUE_URL, sqsEvent, sqsRecord } from '../fakes/sqs.ts';

const items = [{ sku: 'BOOK-1', qty: 2, unitPrice: 5 }];

async function stockedPipeline(): Promise<TestPipeline> {
  const pipeline = new TestPipeline();
  await pipeline.stock({ sku: 'BOOK-1', qty: 10 }, { sku: 'MUG-1', qty: 10 });
  return pipeline;
}

/** The DLQ reasons (code, message) a consumer of the pipeline sent. */
function reasons(pipeline: TestPipeline, consumer: string): { code?: string; message?: string }[] {
  return pipeline.sqs.sent
    .filter((m) => m.QueueUrl === `dlq/${consumer}`)
    .map((m) => ({
      code: m.MessageAttributes?.[DEAD_LETTER_ATTRIBUTES.code]?.StringValue,
      message: m.MessageAttributes?.[DEAD_LETTER_ATTRIBUTES.message]?.StringValue,
    }));
}

/** A consumer on fakes (SQS, logger, metrics) with the clock's ids and time. */
function testConsumer(
  clock: ManualClock,
  options: Pick<
    SqsConsumerOptions<Orders>,
    'name' | 'handlers' | 'intake' | 'storedCheck' | 'inputClaims' | 'claimedTypes'
  >,
) {
  const sqs = new FakeSqs();
  const metrics = new CountingOutcomeMetrics();
  const run = createSqsConsumer({
    catalog: ordersCatalog,
    ...options,
    sqs,
    queueUrl: QUEUE_URL,
    dlqUrl: DLQ_URL,
    logger: new RecordingLogger(),
    metrics,
    events: clock,
    random: () => 0.5,
  });
  return { run, sqs, metrics };
}

describe('intake: the saga stores the command it accepts, and refuses what conflicts', () => {
  it('stores the accepted OrderPlaced in the order stream, and the read model is built from that stored event', async () => {
    // Arrange
    const pipeline = await stockedPipeline();
    const placed = pipeline.orderPlaced({ orderId: 'ord-in', items, total: 10 });

    // Act
    pipeline.publish(placed);
    await pipeline.run();

    // Assert
    const stream = [];
    for await (const stored of pipeline.store.readAll('saga-order#ord-in')) stream.push(stored.event);
    expect(stream[0]).toMatchObject({ id: placed.id, type: 'OrderPlaced', data: placed.data });
    expect((await pipeline.summaries.get('ord-in'))?.summary).toMatchObject({
      status: 'CONFIRMED',
      total: 10,
    });
  });

  it('refuses a second OrderPlaced with other content as OrderRejected and changes nothing else', async () => {
    // Arrange
    const pipeline = await stockedPipeline();
    const first = pipeline.orderPlaced({ orderId: 'ord-c', items, total: 10 });
    pipeline.publish(first);
    await pipeline.run();
    const second = pipeline.orderPlaced({
      orderId: 'ord-c',
      items: [{ sku: 'MUG-1', qty: 1, unitPrice: 3 }],
      total: 3,
    });

    // Act
    pipeline.publish(second);
    await pipeline.run();

    // Assert
    const [rejected, ...more] = pipeline.eventsOf('OrderRejected', 'ord-c');
    expect(more).toEqual([]);
    expect(rejected?.data).toMatchObject({
      refusedEventId: second.id,
      reason: 'order ord-c is already confirmed; a new OrderPlaced cannot change it',
    });
    expect(pipeline.eventsOf('InventoryReservationRequested', 'ord-c')).toHaveLength(1);
    expect(pipeline.eventsOf('PaymentAuthorized', 'ord-c')).toHaveLength(1);
    const summary = (await pipeline.summaries.get('ord-c'))?.summary;
    expect(summary).toMatchObject({ status: 'CONFIRMED', items, total: 10 });
    expect(summary?.refusals?.map((r) => r.eventId)).toEqual([second.id]);
  });

  it('names another customer as the reason when the order id belongs to someone else', async () => {
    // Arrange
    const pipeline = await stockedPipeline();
    pipeline.publish(pipeline.orderPlaced({ orderId: 'ord-x', items, total: 10 }));
    await pipeline.run();

    // Act
    pipeline.publish(pipeline.orderPlaced({ orderId: 'ord-x', items, total: 10, customerId: 'cus-other' }));
    await pipeline.run();

    // Assert
    expect(pipeline.eventsOf('OrderRejected', 'ord-x')[0]?.data.reason).toMatch(
      /belongs to another customer \(cus-42\), not cus-other/,
    );
  });

  it('takes the same command under a new event id as a duplicate: no refusal, no second order', async () => {
    // Arrange
    const pipeline = await stockedPipeline();
    const first = pipeline.orderPlaced({ orderId: 'ord-r', items, total: 10 });

    // Act
    pipeline.publish(first);
    pipeline.publish({ ...first, id: 'retried-with-a-new-id' });
    await pipeline.run();

    // Assert
    expect(pipeline.eventsOf('OrderRejected', 'ord-r')).toEqual([]);
    expect(pipeline.eventsOf('InventoryReservationRequested', 'ord-r')).toHaveLength(1);
    expect(pipeline.metrics('saga').duplicate).toBe(1);
  });

  it('dead-letters an event id reused with other content, for the same order and for another one', async () => {
    // Arrange
    const pipeline = await stockedPipeline();
    const first = pipeline.orderPlaced({ orderId: 'ord-id', items, total: 10 });
    pipeline.publish(first);
    await pipeline.run();
    const sameOrder = { ...first, data: { ...first.data, total: 99 } };
    const otherOrder = { ...first, data: { ...first.data, orderId: 'ord-stranger' } };

    // Act
    pipeline.publish(sameOrder);
    pipeline.publish(otherOrder);
    await pipeline.run();

    // Assert
    const refused = reasons(pipeline, 'saga');
    expect(refused.map((r) => r.code)).toEqual(['EVENT_ID_REUSED', 'EVENT_ID_REUSED']);
    expect(refused[0]?.message).toContain(contentHashOf(first));
    expect(refused[0]?.message).toContain(contentHashOf(sameOrder));
    expect(refused[1]?.message).toContain(contentHashOf(otherOrder));
    expect(pipeline.metrics('saga')['id-reused']).toBe(2);
    expect(pipeline.logger.lines.filter((line) => line.level === 'error')).toHaveLength(2);
    expect(await pipeline.summaries.get('ord-stranger')).toBeUndefined();
    expect((await pipeline.summaries.get('ord-id'))?.summary.total).toBe(10);
    expect(pipeline.eventsOf('OrderRejected')).toEqual([]);
  });

  it('refuses an event that skipped the store (a reply put on the bus by hand) with NOT_STORED', async () => {
    // Arrange
    const pipeline = await stockedPipeline();
    const forged = createEvent(
      'InventoryReserved',
      { orderId: 'ord-f', items: [{ sku: 'BOOK-1', qty: 1 }] },
      { correlationId: 'corr-f' },
      pipeline.clock,
    );

    // Act
    pipeline.publish(forged);
    await pipeline.run();

    // Assert
    expect(reasons(pipeline, 'saga')).toEqual([
      {
        code: 'NOT_STORED',
        message: expect.stringContaining('InventoryReserved arrived without passing through the event store'),
      },
    ]);
    expect(await pipeline.summaries.get('ord-f')).toBeUndefined();
  });

  it('refuses an event whose stored mark the event store does not confirm, and folds nothing from it', async () => {
    // Arrange: a producer's OrderPlaced that carries a stored mark of its own making.
    const pipeline = await stockedPipeline();
    const forged = markStored(
      pipeline.orderPlaced({ orderId: 'ord-forged', items, total: 10 }),
      'saga-order#ord-forged',
      1,
    );

    // Act
    pipeline.publish(forged);
    await pipeline.run();

    // Assert
    expect(reasons(pipeline, 'projector')).toEqual([
      {
        code: 'NOT_STORED',
        message: expect.stringContaining(
          'OrderPlaced claims to be stored at saga-order#ord-forged version 1, but the event store holds no such event there',
        ),
      },
    ]);
    expect(await pipeline.summaries.get('ord-forged')).toBeUndefined();
    expect(pipeline.eventsOf('InventoryReservationRequested', 'ord-forged')).toEqual([]);
  });
});

describe('consumer runtime: stored-only consumers and reused ids', () => {
  function consumer(handled: string[], source: InMemoryEventStore) {
    const clock = new ManualClock();
    const store = new InMemoryEventStore({ clock: clock.now });
    const { run, sqs, metrics } = testConsumer(clock, {
      name: 'projector',
      intake: [],
      storedCheck: storeStoredEventCheck(source, ordersCatalog),
      handlers: {
        OrderPlaced: async (event, context) => {
          handled.push(event.id);
          const confirmed = context.emit('OrderConfirmed', confirmedOf(event));
          const result = await store.append(`s-${event.data.orderId}`, [confirmed], {
            expectedVersion: 0,
            idempotencyKey: context.idempotencyKey,
            idempotencyFingerprint: context.inputFingerprint,
          });
          return appendOutcome(result, [confirmed]);
        },
      },
    });
    return { run, sqs, metrics, clock };
  }

  function confirmedOf(event: ReturnType<TestPipeline['orderPlaced']>) {
    const { orderId, customerId, total, currency, contact } = event.data;
    return { orderId, customerId, total, currency, contact };
  }

  it('handles a stored event once, and refuses it unstored or with other content under its mark', async () => {
    // Arrange: the store holds the order; a reuse of its id with other content claims the same place.
    const handled: string[] = [];
    const source = new InMemoryEventStore();
    const placed = new TestPipeline().orderPlaced({ orderId: 'ord-k' });
    await source.append('saga-order#ord-k', [placed], { expectedVersion: 0 });
    const { run, sqs, metrics } = consumer(handled, source);
    const stored = markStored(placed, 'saga-order#ord-k', 1);
    const reused = markStored(
      { ...placed, data: { ...placed.data, orderId: 'ord-k2' } },
      'saga-order#ord-k',
      1,
    );

    // Act
    await run(sqsEvent(sqsRecord(eventBridgeBody(stored), { messageId: 'm1' })));
    await run(sqsEvent(sqsRecord(eventBridgeBody(placed), { messageId: 'm2' })));
    await run(sqsEvent(sqsRecord(eventBridgeBody(stored), { messageId: 'm3' })));
    await run(sqsEvent(sqsRecord(eventBridgeBody(reused), { messageId: 'm4' })));
    metrics.flush();

    // Assert
    expect(handled).toEqual([placed.id, placed.id]);
    const codes = sqs.sent.map((m) => m.MessageAttributes?.[DEAD_LETTER_ATTRIBUTES.code]?.StringValue);
    expect(codes).toEqual(['NOT_STORED', 'NOT_STORED']);
    const messages = sqs.sent.map((m) => m.MessageAttributes?.[DEAD_LETTER_ATTRIBUTES.message]?.StringValue);
    expect(messages[1]).toContain(
      'claims to be stored at saga-order#ord-k version 1, but the event store holds no such event there',
    );
    expect(metrics.totals).toMatchObject({ success: 1, duplicate: 1, 'dead-lettered': 2 });
  });

  it('dead-letters a reservation request whose id was used before with other items, though the order is already reserved', async () => {
    // Arrange: the inventory decides "already reserved" without writing, so the reuse is caught from
    // the cause stamp on the reservation it made, not from an idempotency record.
    const clock = new ManualClock();
    const store = new InMemoryEventStore({ clock: clock.now });
    await restockInventory(store, { sku: 'BOOK-1', qty: 10 }, { correlationId: 'seed', events: clock });
    const {
      run: inventory,
      sqs,
      metrics,
    } = testConsumer(clock, { name: 'inventory', handlers: inventoryHandlers({ store }) });
    const request = createEvent(
      'InventoryReservationRequested',
      { orderId: 'ord-inv', items: [{ sku: 'BOOK-1', qty: 2 }] },
      { correlationId: 'corr-inv' },
      clock,
    );
    const reused = { ...request, data: { ...request.data, items: [{ sku: 'BOOK-1', qty: 5 }] } };

    // Act
    await inventory(sqsEvent(sqsRecord(eventBridgeBody(request), { messageId: 'm1' })));
    await inventory(sqsEvent(sqsRecord(eventBridgeBody(request), { messageId: 'm2' })));
    await inventory(sqsEvent(sqsRecord(eventBridgeBody(reused), { messageId: 'm3' })));
    metrics.flush();

    // Assert
    expect(sqs.sent.map((m) => m.MessageAttributes?.[DEAD_LETTER_ATTRIBUTES.code]?.StringValue)).toEqual([
      'EVENT_ID_REUSED',
    ]);
    expect(metrics.totals).toMatchObject({ success: 1, duplicate: 1, 'id-reused': 1 });
    expect(await availableStock(store, 'BOOK-1')).toBe(8);
  });
});

describe('consumer runtime: input claims', () => {
  it("claims the ids of producers' commands only, not of the consumer's own first-hand messages", async () => {
    // Arrange
    const clock = new ManualClock();
    const claims = new InMemoryInputClaims();
    const claimed: string[] = [];
    const claim = claims.claim.bind(claims);
    claims.claim = async (key, fingerprint, now) => {
      claimed.push(key);
      return claim(key, fingerprint, now);
    };
    const { run } = testConsumer(clock, {
      name: 'saga',
      intake: ['OrderPlaced', 'SagaStepTimedOut'],
      claimedTypes: ['OrderPlaced'],
      inputClaims: claims,
      handlers: { OrderPlaced: async () => 'handled', SagaStepTimedOut: async () => 'handled' },
    });
    const placed = new TestPipeline().orderPlaced({ orderId: 'ord-claim' });
    const timer = createEvent(
      'SagaStepTimedOut',
      { saga: 'order', sagaId: 'ord-claim', step: 'reserveInventory', deadline: '2026-11-30T00:00:00.000Z' },
      { correlationId: 'c' },
      clock,
    );

    // Act
    await run(sqsEvent(sqsRecord(eventBridgeBody(placed), { messageId: 'm1' })));
    await run(sqsEvent(sqsRecord(JSON.stringify(timer), { messageId: 'm2' })));

    // Assert
    expect(claimed).toEqual([`saga#${placed.id}`]);
  });
});

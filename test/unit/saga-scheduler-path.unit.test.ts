import { describe, expect, it } from 'vitest';
import { createSqsConsumer } from '../../shared/kit/consumer/runtime.ts';
import { InMemoryEventStore } from '../../shared/kit/event-store/in-memory.ts';
import type { DataInputOf } from '../../shared/kit/events/catalog.ts';
import { CountingOutcomeMetrics } from '../../shared/kit/observability/metrics.ts';
import { sagaHandlers, sagaStreamId } from '../../shared/kit/saga/runner.ts';
import { SchedulerSagaTimers, scheduleName } from '../../shared/kit/saga/scheduler-timers.ts';
import { RoutedSagaTimers, SqsDelaySagaTimers } from '../../shared/kit/saga/timers.ts';
import { ManualClock } from '../fakes/clock.ts';
import { RecordingLogger } from '../fakes/logger.ts';
import { awsError, FakeScheduler } from '../fakes/scheduler.ts';
import { DLQ_URL, eventBridgeBody, FakeSqs, QUEUE_URL, sqsEvent, sqsRecord } from '../fakes/sqs.ts';
import {
  checkoutSaga,
  type Shop,
  type ShopEventType,
  shopCatalog,
  shopEvent,
} from '../fakes/test-context.ts';

const CART = 'cart-long';

/**
 * The checkout saga behind the real consumer runtime, its timers routed with a 30 s threshold: the
 * reserve and receipt steps (60 s) go to the fake Scheduler, the charge (5 s) to SQS delays.
 */
function longTimers() {
  const clock = new ManualClock('2026-11-22T10:00:00.000Z');
  const store = new InMemoryEventStore({ clock: clock.now });
  const scheduler = new FakeScheduler();
  const sqs = new FakeSqs();
  const logger = new RecordingLogger();
  const saga = checkoutSaga({ stepTimeoutMs: 60_000 });
  const timers = new RoutedSagaTimers({
    short: new SqsDelaySagaTimers({ sqs, queueUrl: QUEUE_URL, events: clock }),
    long: new SchedulerSagaTimers({
      scheduler,
      groupName: 'timers',
      queueArn: 'arn:aws:sqs:us-east-1:000000000000:saga',
      roleArn: 'arn:aws:iam::000000000000:role/timers',
      events: clock,
    }),
    thresholdSeconds: 30,
    now: clock.now,
  });
  const run = createSqsConsumer({
    catalog: shopCatalog,
    name: 'saga',
    handlers: sagaHandlers(saga, { store, timers }),
    sqs,
    queueUrl: QUEUE_URL,
    dlqUrl: DLQ_URL,
    logger,
    metrics: new CountingOutcomeMetrics(),
    events: clock,
    random: () => 0.5,
  });
  let sequence = 0;
  async function deliver(body: string) {
    sequence += 1;
    return run(sqsEvent(sqsRecord(body, { messageId: `m-${sequence}` })));
  }
  async function send<T extends ShopEventType>(type: T, data: DataInputOf<Shop, T>) {
    return deliver(eventBridgeBody(shopEvent(type, data, { correlationId: 'corr-long' }, clock)));
  }
  async function stream(): Promise<string[]> {
    const types: string[] = [];
    for await (const stored of store.readAll(sagaStreamId(saga, CART))) types.push(stored.event.type);
    return types;
  }
  return { clock, scheduler, sqs, logger, deliver, send, stream };
}

describe('saga timers on EventBridge Scheduler, through the consumer runtime', () => {
  it('ignores a schedule that fires after the saga finished the step it was set for', async () => {
    // Arrange: the reserve's schedule (60 s) is left in flight: the charge sent its own (SQS) timer
    // after it, and the saga completes within seconds.
    const world = longTimers();
    await world.send('CartCheckedOut', { cartId: CART, total: 19.8 });
    const [reserveSchedule] = world.scheduler.created;
    world.clock.advance(1_000);
    await world.send('StockReserved', { cartId: CART, lines: [{ sku: 'SKU-RED-MUG', qty: 2 }] });
    world.clock.advance(1_000);
    await world.send('PaymentTaken', { cartId: CART, paymentId: 'pay-1', amount: 19.8 });
    world.clock.advance(1_000);
    await world.send('ReceiptSent', { cartId: CART, channel: 'email' });
    const completed = await world.stream();

    // Act: Scheduler sends the schedule's message at its deadline.
    world.clock.set(Date.parse('2026-11-22T10:01:00.000Z'));
    const response = await world.deliver(reserveSchedule?.Target?.Input ?? '');

    // Assert
    expect(reserveSchedule?.ScheduleExpression).toBe('at(2026-11-22T10:01:00)');
    expect(completed).toContain('CheckoutCompleted');
    expect(response.batchItemFailures).toEqual([]);
    expect(await world.stream()).toEqual(completed);
    expect(world.logger.lines).toContainEqual(
      expect.objectContaining({
        message: 'saga ignored event',
        fields: expect.objectContaining({ eventType: 'SagaStepTimedOut', reason: 'stale timer' }),
      }),
    );
  });

  it('deletes the schedule still in flight when the saga ends before its deadline', async () => {
    // Arrange
    const world = longTimers();
    await world.send('CartCheckedOut', { cartId: CART, total: 19.8 });
    const [created] = world.scheduler.created;

    // Act: out of stock a second later; nothing to compensate, the saga is cancelled.
    world.clock.advance(1_000);
    await world.send('StockReservationFailed', { cartId: CART, reason: 'out of stock' });

    // Assert
    expect(await world.stream()).toContain('CheckoutCancelled');
    expect(world.scheduler.deleted).toEqual([{ Name: created?.Name, GroupName: 'timers' }]);
    expect(created?.Name).toBe(
      scheduleName({ saga: 'checkout', sagaId: CART, step: 'reserve', deadline: '2026-11-22T10:01:00.000Z' }),
    );
    expect(world.scheduler.schedules.size).toBe(0);
  });

  it('still handles the record when the schedule cannot be deleted, and says so', async () => {
    // Arrange
    const world = longTimers();
    await world.send('CartCheckedOut', { cartId: CART, total: 19.8 });
    world.clock.advance(1_000);
    world.scheduler.failWith = awsError('ThrottlingException');

    // Act
    const response = await world.send('StockReservationFailed', { cartId: CART, reason: 'out of stock' });

    // Assert
    expect(response.batchItemFailures).toEqual([]);
    expect(await world.stream()).toContain('CheckoutCancelled');
    expect(world.scheduler.schedules.size).toBe(1);
    expect(world.logger.lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: 'saga timer not cancelled; it will fire and be ignored',
        fields: expect.objectContaining({ step: 'reserve', error: 'simulated ThrottlingException' }),
      }),
    );
  });
});

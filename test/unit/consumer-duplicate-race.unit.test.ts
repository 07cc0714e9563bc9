import { describe, expect, it } from 'vitest';
import { createSqsConsumer } from '../../shared/kit/consumer/runtime.ts';
import type { EventHandlers } from '../../shared/kit/consumer/types.ts';
import { DuplicateError } from '../../shared/kit/event-store/errors.ts';
import { InMemoryEventStore } from '../../shared/kit/event-store/in-memory.ts';
import type { EventFactoryDeps } from '../../shared/kit/events/catalog.ts';
import { CountingOutcomeMetrics } from '../../shared/kit/observability/metrics.ts';
import { loadSaga, sagaHandlers, sagaStreamId } from '../../shared/kit/saga/runner.ts';
import { InMemorySagaTimers } from '../../shared/kit/saga/timers.ts';
import { ManualClock } from '../fakes/clock.ts';
import { RecordingLogger } from '../fakes/logger.ts';
import { DLQ_URL, eventBridgeBody, FakeSqs, QUEUE_URL, sqsEvent, sqsRecord } from '../fakes/sqs.ts';
import { checkoutSaga, type Shop, shopCatalog, shopEvent } from '../fakes/test-context.ts';

function consumer(handlers: EventHandlers<Shop>, events: EventFactoryDeps = new ManualClock()) {
  const sqs = new FakeSqs();
  const metrics = new CountingOutcomeMetrics();
  const run = createSqsConsumer({
    catalog: shopCatalog,
    name: 'saga',
    handlers,
    sqs,
    queueUrl: QUEUE_URL,
    dlqUrl: DLQ_URL,
    logger: new RecordingLogger(),
    metrics,
    events,
    random: () => 0.5,
  });
  return { run, sqs, metrics };
}

const checkedOut = shopEvent(
  'CartCheckedOut',
  { cartId: 'cart-race', total: 19.8 },
  { id: 'evt-race', correlationId: 'corr-race' },
);

describe('consumer runtime: two deliveries of one event racing each other', () => {
  it('counts a DuplicateError on the record’s own idempotency key as a duplicate, not a poison', async () => {
    // Arrange: the store refused the append because the other delivery wrote under the same key first.
    const { run, sqs, metrics } = consumer({
      CartCheckedOut: async (_event, context) => {
        throw new DuplicateError(context.idempotencyKey);
      },
    });

    // Act
    const response = await run(sqsEvent(sqsRecord(eventBridgeBody(checkedOut))));

    // Assert
    expect(response.batchItemFailures).toEqual([]);
    expect(sqs.sent).toEqual([]);
    expect(metrics.totals).toMatchObject({ duplicate: 1, 'dead-lettered': 0 });
  });

  it('still dead-letters a DuplicateError on any other key: that is a programming error', async () => {
    // Arrange
    const { run, sqs, metrics } = consumer({
      CartCheckedOut: async () => {
        throw new DuplicateError('some-other-key');
      },
    });

    // Act
    await run(sqsEvent(sqsRecord(eventBridgeBody(checkedOut))));

    // Assert
    expect(sqs.sent.map((m) => m.QueueUrl)).toEqual([DLQ_URL]);
    expect(metrics.totals['dead-lettered']).toBe(1);
  });

  it('starts the saga once when the same start event is handled by two invocations at once', async () => {
    // Arrange: a clock that moves on every read, so each invocation computes its own step deadline.
    const clock = new ManualClock();
    const ticking = {
      now: () => {
        clock.advance(1);
        return clock.now();
      },
      newId: clock.newId,
    };
    const store = new InMemoryEventStore({ clock: ticking.now });
    const saga = checkoutSaga({ stepTimeoutMs: 10_000 });
    const timers = new InMemorySagaTimers();
    const first = consumer(sagaHandlers(saga, { store, timers }), ticking);
    const second = consumer(sagaHandlers(saga, { store, timers }), ticking);
    const body = eventBridgeBody(checkedOut);

    // Act
    const responses = await Promise.all([
      first.run(sqsEvent(sqsRecord(body, { messageId: 'm-1' }))),
      second.run(sqsEvent(sqsRecord(body, { messageId: 'm-2' }))),
    ]);

    // Assert
    expect(responses.flatMap((r) => r.batchItemFailures)).toEqual([]);
    expect([...first.sqs.sent, ...second.sqs.sent]).toEqual([]);
    const stream = [];
    for await (const stored of store.readAll(sagaStreamId(saga, 'cart-race'))) stream.push(stored.event.type);
    expect(stream.filter((type) => type === 'SagaStarted')).toHaveLength(1);
    expect(stream.filter((type) => type === 'StockReservationRequested')).toHaveLength(1);
    expect((await loadSaga(store, saga, 'cart-race')).state.status).toBe('running');
  });
});

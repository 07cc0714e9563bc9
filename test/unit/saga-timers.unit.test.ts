import { describe, expect, it } from 'vitest';
import { parseSqsBody } from '../../shared/kit/consumer/body.ts';
import { sagaTimerCatalog } from '../../shared/kit/saga/timer-event.ts';
import { InMemorySagaTimers, type SagaTimer, SqsDelaySagaTimers } from '../../shared/kit/saga/timers.ts';
import { ManualClock } from '../fakes/clock.ts';
import { FakeSqs } from '../fakes/sqs.ts';

const timer = (deadline: string): SagaTimer => ({
  saga: 'checkout',
  source: 'shop.saga',
  sagaId: 'cart-1',
  step: 'charge',
  deadline,
  correlationId: 'corr-1',
  causationId: 'evt-1',
});

describe('saga timers', () => {
  it('sends a delayed SQS message the saga consumer parses as SagaStepTimedOut', async () => {
    // Arrange
    const sqs = new FakeSqs();
    const clock = new ManualClock('2026-11-22T10:00:00.000Z');
    const timers = new SqsDelaySagaTimers({ sqs, queueUrl: 'queue/saga', events: clock });

    // Act
    await timers.schedule(timer('2026-11-22T10:00:29.500Z'));

    // Assert
    expect(sqs.sent[0]).toMatchObject({ QueueUrl: 'queue/saga', DelaySeconds: 30 });
    const event = parseSqsBody(sagaTimerCatalog, sqs.sent[0]?.MessageBody ?? '');
    expect(event).toMatchObject({
      type: 'SagaStepTimedOut',
      source: 'shop.saga',
      correlationId: 'corr-1',
      causationId: 'evt-1',
      data: {
        saga: 'checkout',
        sagaId: 'cart-1',
        step: 'charge',
        deadline: '2026-11-22T10:00:29.500Z',
      },
    });
  });

  it('caps the delay at the 15 minutes SQS allows and sends a past deadline at once', async () => {
    // Arrange
    const sqs = new FakeSqs();
    const clock = new ManualClock('2026-11-22T10:00:00.000Z');
    const timers = new SqsDelaySagaTimers({ sqs, queueUrl: 'q', events: clock });

    // Act
    await timers.schedule(timer('2026-11-22T12:00:00.000Z'));
    await timers.schedule(timer('2026-11-22T09:00:00.000Z'));

    // Assert
    expect(sqs.sent.map((m) => m.DelaySeconds)).toEqual([900, 0]);
  });

  it('hands out in-memory timers once they are due', async () => {
    // Arrange
    const timers = new InMemorySagaTimers();
    await timers.schedule(timer('2026-11-22T10:00:10.000Z'));
    await timers.schedule(timer('2026-11-22T10:00:20.000Z'));

    // Act
    const due = timers.due(new Date('2026-11-22T10:00:10.000Z'));

    // Assert
    expect(due.map((t) => t.deadline)).toEqual(['2026-11-22T10:00:10.000Z']);
    expect(timers.scheduled).toHaveLength(1);
  });
});

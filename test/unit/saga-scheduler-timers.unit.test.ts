import { describe, expect, it } from 'vitest';
import { parseSqsBody } from '../../shared/kit/consumer/body.ts';
import {
  atExpression,
  MAX_SCHEDULE_NAME_LENGTH,
  SchedulerSagaTimers,
  scheduleName,
} from '../../shared/kit/saga/scheduler-timers.ts';
import { sagaTimerCatalog } from '../../shared/kit/saga/timer-event.ts';
import { RoutedSagaTimers, type SagaTimer, SqsDelaySagaTimers } from '../../shared/kit/saga/timers.ts';
import { ManualClock } from '../fakes/clock.ts';
import { awsError, FakeScheduler } from '../fakes/scheduler.ts';
import { FakeSqs } from '../fakes/sqs.ts';

const QUEUE_ARN = 'arn:aws:sqs:us-east-1:000000000000:saga-queue';
const ROLE_ARN = 'arn:aws:iam::000000000000:role/saga-timers';

const timer = (deadline: string, overrides: Partial<SagaTimer> = {}): SagaTimer => ({
  saga: 'checkout',
  source: 'shop.saga',
  sagaId: 'cart-1',
  step: 'charge',
  deadline,
  correlationId: 'corr-1',
  causationId: 'evt-1',
  ...overrides,
});

function schedulerTimers(clock = new ManualClock('2026-11-22T10:00:00.000Z')) {
  const scheduler = new FakeScheduler();
  const timers = new SchedulerSagaTimers({
    scheduler,
    groupName: 'saga-timers',
    queueArn: QUEUE_ARN,
    roleArn: ROLE_ARN,
    events: clock,
  });
  return { scheduler, timers, clock };
}

describe('schedule names', () => {
  it('names a timer readably and the same way each time, within the length and characters Scheduler takes', () => {
    const name = scheduleName(timer('2026-11-22T11:00:00.000Z'));

    expect(name).toMatch(/^checkout-cart-1-charge-[0-9a-f]{16}$/);
    expect(scheduleName(timer('2026-11-22T11:00:00.000Z'))).toBe(name);
  });

  it('gives another deadline or another step of the same saga another name', () => {
    const names = new Set([
      scheduleName(timer('2026-11-22T11:00:00.000Z')),
      scheduleName(timer('2026-11-22T11:00:00.001Z')),
      scheduleName(timer('2026-11-22T11:00:00.000Z', { step: 'ship' })),
    ]);

    expect(names.size).toBe(3);
  });

  it('keeps long instance ids with foreign characters valid and apart', () => {
    const long = `order/${'x'.repeat(80)}#ü`;
    const a = scheduleName(timer('2026-11-22T11:00:00.000Z', { sagaId: `${long}-a` }));
    const b = scheduleName(timer('2026-11-22T11:00:00.000Z', { sagaId: `${long}-b` }));

    for (const name of [a, b]) {
      expect(name.length).toBeLessThanOrEqual(MAX_SCHEDULE_NAME_LENGTH);
      expect(name).toMatch(/^[0-9a-zA-Z_.-]+$/);
    }
    expect(a).not.toBe(b);
  });
});

describe('EventBridge Scheduler saga timers', () => {
  it('rounds a deadline up to the whole second, in UTC, so the schedule never fires before it', () => {
    expect(atExpression('2026-11-22T11:00:00.000Z')).toBe('at(2026-11-22T11:00:00)');
    expect(atExpression('2026-11-22T11:59:59.001Z')).toBe('at(2026-11-22T12:00:00)');
    expect(atExpression('2026-11-22T12:00:00.000+01:00')).toBe('at(2026-11-22T11:00:00)');
  });

  it('creates a one-time schedule in the group that sends the saga queue the SQS timer’s own message', async () => {
    // Arrange: the SQS adapter, on an identical clock, shows the body the consumer takes.
    const { scheduler, timers } = schedulerTimers();
    const sqs = new FakeSqs();
    const sqsTimers = new SqsDelaySagaTimers({
      sqs,
      queueUrl: 'queue/saga',
      events: new ManualClock('2026-11-22T10:00:00.000Z'),
    });
    const due = timer('2026-11-22T11:30:00.250Z');

    // Act
    await timers.schedule(due);
    await sqsTimers.schedule(due);

    // Assert
    const created = scheduler.created[0];
    expect(created).toMatchObject({
      Name: scheduleName(due),
      GroupName: 'saga-timers',
      ScheduleExpression: 'at(2026-11-22T11:30:01)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Target: { Arn: QUEUE_ARN, RoleArn: ROLE_ARN },
    });
    expect(created?.Target?.Input).toBe(sqs.sent[0]?.MessageBody);
    expect(parseSqsBody(sagaTimerCatalog, created?.Target?.Input ?? '')).toMatchObject({
      type: 'SagaStepTimedOut',
      source: 'shop.saga',
      correlationId: 'corr-1',
      causationId: 'evt-1',
      data: { saga: 'checkout', sagaId: 'cart-1', step: 'charge', deadline: '2026-11-22T11:30:00.250Z' },
    });
  });

  it('takes the conflict of a timer scheduled before as done, leaving the first schedule in place', async () => {
    // Arrange
    const { scheduler, timers } = schedulerTimers();
    const due = timer('2026-11-22T11:30:00.000Z');
    await timers.schedule(due);
    const first = scheduler.schedules.get(`saga-timers/${scheduleName(due)}`);

    // Act
    await timers.schedule(due);

    // Assert
    expect(scheduler.schedules.size).toBe(1);
    expect(scheduler.schedules.get(`saga-timers/${scheduleName(due)}`)).toBe(first);
  });

  it('lets other Scheduler errors through, so the record is retried', async () => {
    const { scheduler, timers } = schedulerTimers();
    scheduler.failWith = awsError('ThrottlingException');

    await expect(timers.schedule(timer('2026-11-22T11:30:00.000Z'))).rejects.toThrow('ThrottlingException');
  });

  it('deletes a timer’s schedule by its name, and takes one already gone as deleted', async () => {
    // Arrange
    const { scheduler, timers } = schedulerTimers();
    const due = timer('2026-11-22T11:30:00.000Z');
    await timers.schedule(due);

    // Act
    await timers.cancel(due);
    await timers.cancel(due);

    // Assert
    expect(scheduler.schedules.size).toBe(0);
    expect(scheduler.deleted).toEqual([
      { Name: scheduleName(due), GroupName: 'saga-timers' },
      { Name: scheduleName(due), GroupName: 'saga-timers' },
    ]);
  });
});

describe('timers routed by how far away their deadline is', () => {
  function routed(thresholdSeconds = 900) {
    const clock = new ManualClock('2026-11-22T10:00:00.000Z');
    const sqs = new FakeSqs();
    const { scheduler, timers: long } = schedulerTimers(clock);
    const short = new SqsDelaySagaTimers({ sqs, queueUrl: 'queue/saga', events: clock });
    const timers = new RoutedSagaTimers({ short, long, thresholdSeconds, now: clock.now });
    return { sqs, scheduler, timers };
  }

  it('keeps a deadline within the threshold on SQS and sends a later one to Scheduler', async () => {
    // Arrange
    const { sqs, scheduler, timers } = routed();

    // Act
    await timers.schedule(timer('2026-11-22T10:15:00.000Z'));
    await timers.schedule(timer('2026-11-22T10:15:00.001Z'));

    // Assert: 900 s exactly is one SQS delay; a millisecond more needs a schedule.
    expect(sqs.sent.map((m) => m.DelaySeconds)).toEqual([900]);
    expect(scheduler.created.map((s) => s.ScheduleExpression)).toEqual(['at(2026-11-22T10:15:01)']);
  });

  it('routes by a lowered threshold', async () => {
    const { sqs, scheduler, timers } = routed(10);

    await timers.schedule(timer('2026-11-22T10:00:10.000Z'));
    await timers.schedule(timer('2026-11-22T10:00:20.000Z'));

    expect(sqs.sent.map((m) => m.DelaySeconds)).toEqual([10]);
    expect(scheduler.created).toHaveLength(1);
  });

  it('cancels only a timer far enough away to be certainly a schedule', async () => {
    // Arrange
    const { scheduler, timers } = routed(10);
    const far = timer('2026-11-22T10:00:20.000Z');
    await timers.schedule(far);

    // Act
    await timers.cancel(timer('2026-11-22T10:00:05.000Z'));
    await timers.cancel(far);

    // Assert
    expect(scheduler.deleted.map((d) => d.Name)).toEqual([scheduleName(far)]);
    expect(scheduler.schedules.size).toBe(0);
  });

  it('refuses a threshold an SQS delay cannot cover, or no threshold at all', () => {
    expect(() => routed(901)).toThrow(/from 1 to 900/);
    expect(() => routed(0)).toThrow(/from 1 to 900/);
    expect(() => routed(1.5)).toThrow(/whole number/);
  });
});

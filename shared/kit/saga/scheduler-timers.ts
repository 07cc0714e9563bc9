import { createHash } from 'node:crypto';
import { CreateScheduleCommand, DeleteScheduleCommand } from '@aws-sdk/client-scheduler';
import { defaultEventFactoryDeps, type EventFactoryDeps } from '../events/catalog.ts';
import {
  asEventBridgeEvent,
  type SagaTimer,
  type SagaTimerPort,
  type SagaTimerRef,
  timeoutEvent,
} from './timers.ts';

/** EventBridge Scheduler's limit on a schedule name (`^[0-9a-zA-Z-_.]+$`, 1–64 characters). */
export const MAX_SCHEDULE_NAME_LENGTH = 64;

const HASH_LENGTH = 16;

/**
 * The schedule of one timer, named from what identifies it (saga, instance, step, deadline): scheduling
 * the same timer again names the same schedule, so a retry is refused as a conflict rather than
 * creating a second one, and the saga can delete it by name. Readable first (saga, instance, step,
 * with characters Scheduler refuses replaced and cut to fit), then a hash of the exact parts, so two
 * timers whose readable parts collide after cutting still get different names.
 */
export function scheduleName(timer: SagaTimerRef): string {
  const hash = createHash('sha256')
    .update(JSON.stringify([timer.saga, timer.sagaId, timer.step, timer.deadline]))
    .digest('hex')
    .slice(0, HASH_LENGTH);
  const readable = `${timer.saga}-${timer.sagaId}-${timer.step}`
    .replace(/[^0-9A-Za-z_.-]/g, '_')
    .slice(0, MAX_SCHEDULE_NAME_LENGTH - HASH_LENGTH - 1);
  return `${readable}-${hash}`;
}

/**
 * A one-time schedule expression for the deadline, in UTC: `at(yyyy-mm-ddThh:mm:ss)`. Scheduler takes
 * whole seconds; the deadline is rounded up, so the timer never fires before it (a timer firing early
 * would only be re-armed, at the cost of another round trip).
 */
export function atExpression(deadline: string): string {
  const seconds = Math.ceil(Date.parse(deadline) / 1000);
  return `at(${new Date(seconds * 1000).toISOString().slice(0, 19)})`;
}

/** The Scheduler client calls the adapter makes (an SDK `SchedulerClient`, or a fake in tests). */
export interface SchedulerSender {
  send(command: CreateScheduleCommand | DeleteScheduleCommand): Promise<unknown>;
}

/** Dependencies of {@link SchedulerSagaTimers}. */
export interface SchedulerSagaTimersOptions {
  readonly scheduler: SchedulerSender;
  /** The schedule group the stack created for this consumer's timers. */
  readonly groupName: string;
  /** ARN of the saga's own (standard) queue: the schedule's target. */
  readonly queueArn: string;
  /** The role Scheduler assumes to send to that queue (SendMessage on it, nothing else). */
  readonly roleArn: string;
  /** @default wall clock, random ids */
  readonly events?: EventFactoryDeps;
}

const errorName = (error: unknown): unknown => (error as { name?: unknown } | null)?.name;

/**
 * Timers as one-time EventBridge Scheduler schedules whose target is the saga's own queue, carrying the
 * same message body as {@link SqsDelaySagaTimers}'s (the consumer runtime parses both alike). Any
 * deadline in one schedule, where a delayed SQS message needs a hop per 15 minutes. The schedule is
 * deleted by Scheduler once it has fired (`ActionAfterCompletion: DELETE`) and fires within its
 * minute (`FlexibleTimeWindow: OFF`).
 */
export class SchedulerSagaTimers implements SagaTimerPort {
  constructor(private readonly options: SchedulerSagaTimersOptions) {}

  async schedule(timer: SagaTimer): Promise<void> {
    const { scheduler, groupName, queueArn, roleArn } = this.options;
    const event = timeoutEvent(timer, this.options.events ?? defaultEventFactoryDeps);
    try {
      await scheduler.send(
        new CreateScheduleCommand({
          Name: scheduleName(timer),
          GroupName: groupName,
          ScheduleExpression: atExpression(timer.deadline),
          ScheduleExpressionTimezone: 'UTC',
          FlexibleTimeWindow: { Mode: 'OFF' },
          ActionAfterCompletion: 'DELETE',
          Description: `${timer.saga} ${timer.sagaId}: ${timer.step} due ${timer.deadline}`,
          Target: { Arn: queueArn, RoleArn: roleArn, Input: JSON.stringify(asEventBridgeEvent(event)) },
        }),
      );
    } catch (error) {
      // The same timer scheduled before (a redelivered input re-arming it): it is in place already.
      if (errorName(error) !== 'ConflictException') throw error;
    }
  }

  /** Deletes the timer's schedule; one that fired (and was deleted) or never existed is no error. */
  async cancel(timer: SagaTimerRef): Promise<void> {
    try {
      await this.options.scheduler.send(
        new DeleteScheduleCommand({ Name: scheduleName(timer), GroupName: this.options.groupName }),
      );
    } catch (error) {
      if (errorName(error) !== 'ResourceNotFoundException') throw error;
    }
  }
}

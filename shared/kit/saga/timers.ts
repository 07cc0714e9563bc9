import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { defaultEventFactoryDeps, type EventFactoryDeps } from '../events/catalog.ts';
import { SAGA_TIMER_TYPE, type SagaTimerEnvelope, sagaTimerCatalog } from './timer-event.ts';

/** A deadline of one saga step. When it passes, a `SagaStepTimedOut` event must reach the saga. */
export interface SagaTimer {
  readonly saga: string;
  /** Source of the saga's events (its definition's `source`), which owns the timer event. */
  readonly source: string;
  readonly sagaId: string;
  readonly step: string;
  /** ISO-8601 instant. */
  readonly deadline: string;
  readonly correlationId: string;
  /** The event whose handling set the deadline. */
  readonly causationId: string;
}

/** What names one timer: the same saga, step and deadline is the same timer. */
export type SagaTimerRef = Pick<SagaTimer, 'saga' | 'sagaId' | 'step' | 'deadline'>;

/**
 * Port of the timer service. Scheduling the same timer twice is harmless (the saga ignores a timer
 * that no longer matches its active step), so adapters need no deduplication. A timer that fires after
 * its step finished is ignored the same way, so `cancel` is an optimisation, best-effort, and only
 * offered by adapters that can take a timer back (a delayed SQS message cannot be recalled).
 */
export interface SagaTimerPort {
  schedule(timer: SagaTimer): Promise<void>;
  /** Withdraws a timer no step waits for any more; a timer already gone is no error. */
  cancel?(timer: SagaTimerRef): Promise<void>;
}

/** The event a timer delivers. */
export function timeoutEvent(
  timer: SagaTimer,
  deps: EventFactoryDeps = defaultEventFactoryDeps,
): SagaTimerEnvelope {
  const { saga, sagaId, step, deadline, correlationId, causationId } = timer;
  return sagaTimerCatalog.create(
    SAGA_TIMER_TYPE,
    { saga, sagaId, step, deadline },
    { correlationId, causationId, source: timer.source },
    deps,
  );
}

/** An EventBridge event as a rule would deliver it to SQS, so the consumer runtime parses it alike. */
export function asEventBridgeEvent(envelope: SagaTimerEnvelope): Record<string, unknown> {
  return {
    version: '0',
    id: envelope.id,
    'detail-type': envelope.type,
    source: envelope.source,
    time: envelope.time,
    resources: [],
    detail: envelope,
  };
}

/** Timers held in memory; tests and local tools fire them with {@link InMemorySagaTimers.due}. */
export class InMemorySagaTimers implements SagaTimerPort {
  readonly scheduled: SagaTimer[] = [];

  async schedule(timer: SagaTimer): Promise<void> {
    this.scheduled.push(timer);
  }

  async cancel(timer: SagaTimerRef): Promise<void> {
    const index = this.scheduled.findIndex((t) => sameTimer(t, timer));
    if (index >= 0) this.scheduled.splice(index, 1);
  }

  /** Removes and returns the timers whose deadline is at or before `now`. */
  due(now: Date): SagaTimer[] {
    const due = this.scheduled.filter((timer) => Date.parse(timer.deadline) <= now.getTime());
    for (const timer of due) this.scheduled.splice(this.scheduled.indexOf(timer), 1);
    return due;
  }
}

function sameTimer(a: SagaTimerRef, b: SagaTimerRef): boolean {
  return a.saga === b.saga && a.sagaId === b.sagaId && a.step === b.step && a.deadline === b.deadline;
}

/** SQS allows a per-message delay of at most 15 minutes. */
export const MAX_SQS_DELAY_SECONDS = 900;

/** Dependencies of {@link SqsDelaySagaTimers}. */
export interface SqsDelaySagaTimersOptions {
  readonly sqs: { send(command: SendMessageCommand): Promise<unknown> };
  /** The saga's own (standard) queue: FIFO queues ignore per-message delays. */
  readonly queueUrl: string;
  /** @default wall clock, random ids */
  readonly events?: EventFactoryDeps;
}

/**
 * Timers as delayed SQS messages to the saga's queue: no extra service, works on the local cloud.
 * A deadline more than 15 minutes away arrives early; the saga sees it is not due and schedules it
 * again, so any deadline works, in hops of 15 minutes.
 */
export class SqsDelaySagaTimers implements SagaTimerPort {
  constructor(private readonly options: SqsDelaySagaTimersOptions) {}

  async schedule(timer: SagaTimer): Promise<void> {
    const deps = this.options.events ?? defaultEventFactoryDeps;
    const waitMs = Date.parse(timer.deadline) - deps.now().getTime();
    const delay = Math.min(MAX_SQS_DELAY_SECONDS, Math.max(0, Math.ceil(waitMs / 1000)));
    const event = timeoutEvent(timer, deps);
    await this.options.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.options.queueUrl,
        MessageBody: JSON.stringify(asEventBridgeEvent(event)),
        DelaySeconds: delay,
      }),
    );
  }
}

/** Dependencies of {@link RoutedSagaTimers}. */
export interface RoutedSagaTimersOptions {
  /** Timers due within the threshold: delayed SQS messages. */
  readonly short: SagaTimerPort;
  /** Timers due later: EventBridge Scheduler schedules. */
  readonly long: SagaTimerPort;
  /** A timer due more than this many seconds from now goes to `long`; 1 to 900 (the SQS delay limit). */
  readonly thresholdSeconds: number;
  /** @default wall clock */
  readonly now?: () => Date;
}

/**
 * Routes each timer by how far away its deadline is. Prices per million timers (us-east-1, see
 * bench/prices.json): a delayed SQS message costs a send, a receive and a delete ($0.40/M each) plus
 * the saga's invocation ($0.20/M, ~50 ms at 256 MB ≈ $0.17/M) and its state load (≈ $0.2/M of reads):
 * ≈ $1.8/M per hop, and a deadline D seconds away takes ⌈D / 900⌉ hops (each early arrival is re-armed).
 * A schedule costs its invocation ($1.00/M; CreateSchedule and DeleteSchedule carry no request charge)
 * plus the same last hop, the send now made by Scheduler: ≈ $2.8/M whatever the deadline. So up to
 * 15 minutes SQS is cheaper ($1.8 vs $2.8), beyond it Scheduler is ($2.8 vs $3.6 and more): the
 * threshold defaults to the SQS limit, 900 s; a test stack lowers it to exercise the Scheduler path.
 */
export class RoutedSagaTimers implements SagaTimerPort {
  constructor(private readonly options: RoutedSagaTimersOptions) {
    const { thresholdSeconds } = options;
    if (
      !Number.isInteger(thresholdSeconds) ||
      thresholdSeconds < 1 ||
      thresholdSeconds > MAX_SQS_DELAY_SECONDS
    ) {
      throw new Error(
        `thresholdSeconds ${thresholdSeconds}: must be a whole number of seconds from 1 to ${MAX_SQS_DELAY_SECONDS} (an SQS delay cannot be longer)`,
      );
    }
  }

  schedule(timer: SagaTimer): Promise<void> {
    return (this.isLong(timer) ? this.options.long : this.options.short).schedule(timer);
  }

  /**
   * Cancels only what is certainly a schedule: a timer still more than the threshold away was sent to
   * Scheduler. One nearer may be either; it is left to fire, which the saga ignores.
   */
  async cancel(timer: SagaTimerRef): Promise<void> {
    if (this.isLong(timer)) await this.options.long.cancel?.(timer);
  }

  private isLong(timer: SagaTimerRef): boolean {
    const now = (this.options.now ?? (() => new Date()))().getTime();
    return Date.parse(timer.deadline) - now > this.options.thresholdSeconds * 1000;
  }
}

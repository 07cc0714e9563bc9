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

/**
 * Port of the timer service. Scheduling the same timer twice is harmless (the saga ignores a timer
 * that no longer matches its active step), so adapters need no deduplication.
 */
export interface SagaTimerPort {
  schedule(timer: SagaTimer): Promise<void>;
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

  /** Removes and returns the timers whose deadline is at or before `now`. */
  due(now: Date): SagaTimer[] {
    const due = this.scheduled.filter((timer) => Date.parse(timer.deadline) <= now.getTime());
    for (const timer of due) this.scheduled.splice(this.scheduled.indexOf(timer), 1);
    return due;
  }
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

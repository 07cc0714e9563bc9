import type { SQSEvent, SQSRecord } from 'aws-lambda';
import type { ConsumerHarness, HarnessScope } from '../kit/consumer/runtime.ts';
import { PipelineError } from '../kit/errors/pipeline-error.ts';
import type { LogPort } from '../kit/observability/logger.ts';

/**
 * Fault injection for the fault campaign: makes SQS consumers fail on purpose so that retries,
 * redelivery and idempotency are exercised by a hostile run, not only by unit tests.
 *
 * - `transient`: the share of records that fail with a retryable error on their first delivery
 *   (they succeed when redelivered, like a throttled dependency would);
 * - `crash`: the share of batches whose invocation dies after half of its records were handled
 *   ("a consumer stopped mid-batch"): Lambda then returns the whole batch to the queue, so the
 *   records already handled are delivered again.
 *
 * Set with `PIPELINE_FAULTS=transient=0.1,crash=0.02` (the CDK app takes `-c faults=…` and
 * `pipeline deploy --faults …` for dev stacks only). A harness around the consumer runtime
 * ({@link faultHarness}), not part of it: the runtime's wiring (`consumerHarness` in
 * shared/kit/consumer/config.ts) reaches this module only in builds that do not define
 * `process.env.PIPELINE_FAULT_INJECTION` as `"compiled-out"`; prod bundles do, so esbuild leaves this
 * code out of them and no environment variable can turn faults on there.
 */
export interface FaultPlan {
  /** Share of records failing once with a retryable error, 0 ≤ rate ≤ 0.9. */
  readonly transient: number;
  /** Share of batches crashing after half their records, 0 ≤ rate ≤ 0.9. */
  readonly crash: number;
}

// Marked pure so that a bundle which never uses it can drop this module whole.
export const NO_FAULTS: FaultPlan = /* @__PURE__ */ Object.freeze({ transient: 0, crash: 0 });

/** The value prod bundles give `process.env.PIPELINE_FAULT_INJECTION` at build time. */
export const FAULTS_COMPILED_OUT = 'compiled-out';

const KNOWN = ['transient', 'crash'] as const;
const MAX_RATE = 0.9;

/**
 * Parses `transient=0.1,crash=0.02`. Unknown names, rates outside 0–0.9 and malformed pairs are
 * errors: a typo must not leave a campaign running without the faults it asked for.
 */
export function parseFaultSpec(spec: string): FaultPlan {
  const plan: Record<(typeof KNOWN)[number], number> = { transient: 0, crash: 0 };
  const trimmed = spec.trim();
  if (trimmed === '' || trimmed === 'none') return NO_FAULTS;
  for (const pair of trimmed.split(',')) {
    const match = /^\s*([a-z]+)\s*=\s*([0-9.]+)\s*$/.exec(pair);
    if (!match) throw new FaultSpecError(`"${pair}" is not name=rate`);
    const [, name = '', value = ''] = match;
    if (!(KNOWN as readonly string[]).includes(name)) {
      throw new FaultSpecError(`unknown fault "${name}"; known: ${KNOWN.join(', ')}`);
    }
    const rate = Number(value);
    if (!Number.isFinite(rate) || rate < 0 || rate > MAX_RATE) {
      throw new FaultSpecError(`rate of ${name} must be between 0 and ${MAX_RATE}, got ${value}`);
    }
    plan[name as (typeof KNOWN)[number]] = rate;
  }
  return Object.freeze({ ...plan });
}

/** Renders a plan back to its spec (`transient=0.1,crash=0.02`); `none` for no faults. */
export function faultSpecOf(plan: FaultPlan): string {
  const parts = KNOWN.filter((k) => plan[k] > 0).map((k) => `${k}=${plan[k]}`);
  return parts.length === 0 ? 'none' : parts.join(',');
}

export class FaultSpecError extends PipelineError<'INVALID_FAULT_SPEC'> {
  readonly path = 'PIPELINE_FAULTS';

  constructor(detail: string) {
    super('INVALID_FAULT_SPEC', `fault injection spec: ${detail}`, { retryable: false });
  }
}

/** The plan `PIPELINE_FAULTS` asks for. */
export function faultPlanFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): FaultPlan {
  return parseFaultSpec(env.PIPELINE_FAULTS ?? '');
}

/** A failure injected on purpose; retryable, and named so that logs and DLQ reasons say so. */
export class InjectedFaultError extends PipelineError<'INJECTED_FAULT'> {
  readonly path = 'PIPELINE_FAULTS';

  constructor(what: string) {
    super('INJECTED_FAULT', `injected fault: ${what}`, { retryable: true });
  }
}

/**
 * A deterministic draw in [0, 1) from a message id and a salt (FNV-1a): the same message gets the
 * same decision in every process, so a run is reproducible from its message ids.
 */
export function draw(id: string, salt: string): number {
  let hash = 0x811c9dc5;
  const text = `${salt}:${id}`;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash / 0x1_0000_0000;
}

/** Whether this record fails with a transient fault: only on its first delivery. */
export function injectsTransient(plan: FaultPlan, messageId: string, receiveCount: number): boolean {
  return plan.transient > 0 && receiveCount <= 1 && draw(messageId, 'transient') < plan.transient;
}

/**
 * Whether this batch crashes midway: decided by its first record, and only when every record is on
 * its first delivery, so a crashed batch is not crashed again when it comes back.
 */
export function injectsCrash(
  plan: FaultPlan,
  records: readonly { messageId: string; receiveCount: number }[],
): boolean {
  const first = records[0];
  if (plan.crash <= 0 || first === undefined) return false;
  if (records.some((r) => r.receiveCount > 1)) return false;
  return draw(first.messageId, 'crash') < plan.crash;
}

/** Messages of the harness's log lines; the fault campaign counts them. */
export const FAULT_LOG_MESSAGES = {
  stoppedMidBatch: 'injected fault: consumer stopped mid-batch',
} as const;

function deliveryOf(record: SQSRecord): { messageId: string; receiveCount: number } {
  return {
    messageId: record.messageId,
    receiveCount: Number(record.attributes?.ApproximateReceiveCount ?? 1),
  };
}

/**
 * Injected crash: the invocation fails after `handled` records, as if the process had died. Lambda
 * returns every record of the batch to the queue (none is deleted), so the handled ones come back
 * and must be recognised as duplicates.
 */
function stopMidBatch(consumer: HarnessScope, batch: SQSEvent, handled: number): never {
  consumer.logger.warn(FAULT_LOG_MESSAGES.stoppedMidBatch, {
    consumer: consumer.name,
    batchSize: batch.Records.length,
    handledBeforeStop: handled,
  });
  throw new InjectedFaultError(
    `consumer ${consumer.name} stopped after ${handled} of ${batch.Records.length} records`,
  );
}

/**
 * The consumer harness injecting `plan`'s faults: a selected record fails before its handler on its
 * first delivery; a selected batch has its first half handled (the runtime logs and counts that half
 * as a batch of its own), then the invocation stops.
 */
export function faultHarness(plan: FaultPlan): ConsumerHarness {
  return {
    beforeRecord: (record, consumer) => {
      const { messageId, receiveCount } = deliveryOf(record);
      if (injectsTransient(plan, messageId, receiveCount)) {
        throw new InjectedFaultError(`transient failure of ${consumer.name} on first delivery`);
      }
    },
    aroundBatch: (handle, consumer) => async (batch) => {
      if (!injectsCrash(plan, batch.Records.map(deliveryOf))) return handle(batch);
      const handled = Math.ceil(batch.Records.length / 2);
      await handle({ ...batch, Records: batch.Records.slice(0, handled) });
      return stopMidBatch(consumer, batch, handled);
    },
  };
}

/** The harness `PIPELINE_FAULTS` asks for, announced in the log; none when it asks for no fault. */
export function faultHarnessFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  logger: LogPort,
): ConsumerHarness | undefined {
  const plan = faultPlanFromEnv(env);
  if (plan.transient <= 0 && plan.crash <= 0) return undefined;
  logger.warn('fault injection is on: failures will be injected on purpose', { faults: faultSpecOf(plan) });
  return faultHarness(plan);
}

import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/** CloudWatch namespace of the pipeline's metrics unless the function's context names its own. */
export const METRICS_NAMESPACE = 'OrderPipeline';

/**
 * The namespace of this function's metrics: its context's (`POWERTOOLS_METRICS_NAMESPACE`, set per
 * context by the stack, e.g. `Onboarding`), else {@link METRICS_NAMESPACE}.
 */
export function metricsNamespace(): string {
  return process.env.POWERTOOLS_METRICS_NAMESPACE || METRICS_NAMESPACE;
}
/** Count of SQS records handled, by outcome. */
export const RECORDS_PROCESSED_METRIC = 'RecordsProcessed';

/**
 * What happened to one SQS record:
 * - `success`: handled, deleted from the queue;
 * - `duplicate`: seen before (same event id), nothing done again, deleted;
 * - `retry`: reported as a batch item failure, comes back after a backoff (or reaches the DLQ by redrive);
 * - `dead-lettered`: sent to the DLQ at once with its reason, deleted from the source queue;
 * - `id-reused`: dead-lettered like that, because its event id was handled before with other content
 *   (a producer bug that must be seen: it is neither a duplicate nor a new event).
 */
export type RecordOutcome = 'success' | 'duplicate' | 'retry' | 'dead-lettered' | 'id-reused';

/** Every outcome, in a stable order (dashboards, tests). */
export const RECORD_OUTCOMES: readonly RecordOutcome[] = [
  'success',
  'duplicate',
  'retry',
  'dead-lettered',
  'id-reused',
];

/** Port for per-outcome counters; one `flush` per Lambda invocation. */
export interface OutcomeMetrics {
  count(outcome: RecordOutcome, value: number): void;
  flush(): void;
}

/**
 * Powertools Metrics as {@link OutcomeMetrics}: one EMF blob per outcome (`RecordsProcessed` with
 * dimension `outcome`), because an EMF blob carries one value per metric for all its dimensions.
 * Counts are summed in memory and written on `flush`, so a batch of 10 writes at most 4 lines.
 */
export function powertoolsOutcomeMetrics(metrics: Metrics): OutcomeMetrics {
  const pending = new Map<RecordOutcome, number>();
  return {
    count(outcome, value) {
      pending.set(outcome, (pending.get(outcome) ?? 0) + value);
    },
    flush() {
      for (const [outcome, value] of pending) {
        const single = metrics.singleMetric();
        single.addDimension('outcome', outcome);
        single.addMetric(RECORDS_PROCESSED_METRIC, MetricUnit.Count, value);
      }
      pending.clear();
    },
  };
}

/** Production metrics of a consumer: its context's namespace ({@link metricsNamespace}), `service` = name. */
export function createOutcomeMetrics(serviceName: string): OutcomeMetrics {
  return powertoolsOutcomeMetrics(new Metrics({ namespace: metricsNamespace(), serviceName }));
}

/** In-memory counters, for tests and local tools; `totals` is what has been flushed. */
export class CountingOutcomeMetrics implements OutcomeMetrics {
  readonly totals: Record<RecordOutcome, number> = {
    success: 0,
    duplicate: 0,
    retry: 0,
    'dead-lettered': 0,
    'id-reused': 0,
  };
  private readonly pending: Partial<Record<RecordOutcome, number>> = {};

  count(outcome: RecordOutcome, value: number): void {
    this.pending[outcome] = (this.pending[outcome] ?? 0) + value;
  }

  flush(): void {
    for (const outcome of RECORD_OUTCOMES) {
      this.totals[outcome] += this.pending[outcome] ?? 0;
      delete this.pending[outcome];
    }
  }
}

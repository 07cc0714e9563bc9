import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SagaMetricName } from '../saga/metrics.ts';
import { metricsNamespace } from './metrics.ts';

/**
 * Saga metrics through Powertools (EMF): each count is written at once as its own metric line with
 * the `service` dimension, so nothing is lost if the invocation fails afterwards.
 */
export function createSagaMetrics(serviceName: string): (metric: SagaMetricName) => void {
  const metrics = new Metrics({ namespace: metricsNamespace(), serviceName });
  return (metric) => {
    metrics.singleMetric().addMetric(metric, MetricUnit.Count, 1);
  };
}

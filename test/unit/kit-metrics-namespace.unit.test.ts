import { afterEach, describe, expect, it } from 'vitest';
import { METRICS_NAMESPACE, metricsNamespace } from '../../shared/kit/observability/metrics.ts';

describe('metrics namespace per context', () => {
  const saved = process.env.POWERTOOLS_METRICS_NAMESPACE;
  afterEach(() => {
    if (saved === undefined) delete process.env.POWERTOOLS_METRICS_NAMESPACE;
    else process.env.POWERTOOLS_METRICS_NAMESPACE = saved;
  });

  it("uses the namespace the stack set for the function's context", () => {
    process.env.POWERTOOLS_METRICS_NAMESPACE = 'Onboarding';
    expect(metricsNamespace()).toBe('Onboarding');
  });

  it('falls back to the pipeline namespace when none or an empty one is set', () => {
    delete process.env.POWERTOOLS_METRICS_NAMESPACE;
    expect(metricsNamespace()).toBe(METRICS_NAMESPACE);
    process.env.POWERTOOLS_METRICS_NAMESPACE = '';
    expect(metricsNamespace()).toBe(METRICS_NAMESPACE);
  });
});

import { describe, expect, it, vi } from 'vitest';
import { METRICS_NAMESPACE, metricsNamespace } from '../../shared/kit/observability/metrics.ts';

describe('metrics namespace per context', () => {
  it("uses the namespace the stack set for the function's context", () => {
    vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', 'Onboarding');
    expect(metricsNamespace()).toBe('Onboarding');
  });

  it('falls back to the pipeline namespace when none or an empty one is set', () => {
    vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', undefined);
    expect(metricsNamespace()).toBe(METRICS_NAMESPACE);
    vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', '');
    expect(metricsNamespace()).toBe(METRICS_NAMESPACE);
  });
});

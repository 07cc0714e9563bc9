import { describe, expect, it } from 'vitest';
import { benchValidation } from '../../bench/validation.bench.ts';

describe('benchValidation', () => {
  it('reports positive per-event times for a small and a ~100 KB event', async () => {
    // Act
    const result = await benchValidation({ runs: 1, minRunMillis: 1 });

    // Assert
    expect(result.smallEventMicros).toBeGreaterThan(0);
    expect(result.largeEventMicros).toBeGreaterThan(result.smallEventMicros);
    expect(result.largeEventBytes).toBeGreaterThanOrEqual(100_000);
    expect(result.largeEventBytes).toBeLessThan(110_000);
  });
});

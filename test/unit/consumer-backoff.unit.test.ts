import { describe, expect, it } from 'vitest';
import { backoffSeconds } from '../../shared/kit/consumer/sqs-retry.ts';

describe('retry backoff', () => {
  it('grows with every receive, whatever the jitter', () => {
    // Arrange
    const lowest = () => 0;
    const highest = () => 0.999;

    // Act
    const floors = [1, 2, 3, 4, 5].map((n) => backoffSeconds(n, { baseSeconds: 2 }, lowest));
    const ceilings = [1, 2, 3, 4, 5].map((n) => backoffSeconds(n, { baseSeconds: 2 }, highest));

    // Assert: the fixed half doubles, so each try's shortest wait is the previous try's longest.
    expect(floors).toEqual([1, 2, 4, 8, 16]);
    expect(ceilings).toEqual([2, 4, 8, 16, 32]);
  });

  it('never exceeds the configured maximum nor the SQS visibility limit', () => {
    // Act
    const capped = backoffSeconds(30, { baseSeconds: 2, maxSeconds: 60 }, () => 0.999);
    const sqsLimit = backoffSeconds(40, { baseSeconds: 2, maxSeconds: 1_000_000 }, () => 0.999);

    // Assert
    expect(capped).toBe(60);
    expect(sqsLimit).toBeLessThanOrEqual(43_200);
    expect(sqsLimit).toBeGreaterThan(43_000);
  });

  it('waits at least one second, even for odd receive counts', () => {
    expect(backoffSeconds(0, { baseSeconds: 1 }, () => 0)).toBe(1);
    expect(backoffSeconds(Number.NaN, { baseSeconds: 2 }, () => 0)).toBe(1);
  });
});

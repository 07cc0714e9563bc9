import { describe, expect, it, vi } from 'vitest';
import { ValidationError } from '../../shared/kit/errors/pipeline-error.ts';
import { backoffDelay, retry } from '../../shared/kit/retry/backoff.ts';

const lowest = () => 0;
const highest = () => 0.999;

describe('backoffDelay', () => {
  it('full jitter waits anywhere below a ceiling that doubles per retry', () => {
    // Arrange
    const backoff = { base: 100, cap: 10_000 };

    // Act
    const floors = [1, 2, 3, 4].map((n) => backoffDelay(n, backoff, lowest));
    const ceilings = [1, 2, 3, 4].map((n) => backoffDelay(n, backoff, () => 1));

    // Assert
    expect(floors).toEqual([0, 0, 0, 0]);
    expect(ceilings).toEqual([100, 200, 400, 800]);
  });

  it('equal jitter keeps half of the ceiling fixed', () => {
    // Arrange
    const backoff = { base: 2, cap: 900, jitter: 'equal' } as const;

    // Act
    const floors = [1, 2, 3].map((n) => backoffDelay(n, backoff, lowest));
    const ceilings = [1, 2, 3].map((n) => backoffDelay(n, backoff, () => 1));

    // Assert
    expect(floors).toEqual([1, 2, 4]);
    expect(ceilings).toEqual([2, 4, 8]);
  });

  it('never exceeds the cap, however many retries', () => {
    expect(backoffDelay(60, { base: 20, cap: 1000 }, highest)).toBeLessThan(1000);
    expect(backoffDelay(60, { base: 20, cap: 1000, jitter: 'equal' }, highest)).toBeLessThan(1000);
    expect(backoffDelay(60, { base: 20, cap: 1000, jitter: 'equal' }, lowest)).toBe(500);
  });

  it('scales the random draw it is given', () => {
    expect(backoffDelay(3, { base: 10, cap: 1000 }, () => 0.25)).toBe(10);
    expect(backoffDelay(3, { base: 10, cap: 1000, jitter: 'equal' }, () => 0.25)).toBe(25);
  });
});

describe('retry', () => {
  it('tries again after each retryable failure, waiting the delay of that retry', async () => {
    // Arrange
    const fn = vi.fn<(attempt: number) => Promise<string>>();
    fn.mockRejectedValueOnce(new Error('one'))
      .mockRejectedValueOnce(new Error('two'))
      .mockResolvedValue('done');
    const sleep = vi.fn(async (_ms: number) => {});

    // Act
    const result = await retry(fn, { attempts: 5, delayMs: (n) => n * 10, sleep });

    // Assert
    expect(result).toBe('done');
    expect(fn.mock.calls.map(([attempt]) => attempt)).toEqual([1, 2, 3]);
    expect(sleep.mock.calls.map(([ms]) => ms)).toEqual([10, 20]);
  });

  it('gives up with the last failure once the attempts are used', async () => {
    // Arrange
    const fn = vi.fn(async (attempt: number) => {
      throw new Error(`try ${attempt}`);
    });

    // Act
    const attempt = retry(fn, { attempts: 3, delayMs: () => 0, sleep: async () => {} });

    // Assert
    await expect(attempt).rejects.toThrow('try 3');
    expect(fn).toHaveBeenCalledTimes(3);
  });

  it('lets a failure that is not retryable through at once, without waiting', async () => {
    // Arrange
    const fn = vi.fn(() => Promise.reject(new ValidationError('bad')));
    const sleep = vi.fn(async () => {});

    // Act
    const attempt = retry(fn, {
      attempts: 5,
      retryable: (error) => !(error instanceof ValidationError),
      delayMs: () => 1,
      sleep,
    });

    // Assert
    await expect(attempt).rejects.toBeInstanceOf(ValidationError);
    expect(fn).toHaveBeenCalledTimes(1);
    expect(sleep).not.toHaveBeenCalled();
  });

  it('refuses fewer than one attempt', async () => {
    const fn = vi.fn(async () => 'never');

    await expect(retry(fn, { attempts: 0, delayMs: () => 0 })).rejects.toBeInstanceOf(ValidationError);
    expect(fn).not.toHaveBeenCalled();
  });
});

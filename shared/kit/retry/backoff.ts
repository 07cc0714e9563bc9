import { ValidationError } from '../errors/pipeline-error.ts';

/**
 * How a delay is spread below its exponential ceiling. `full`: anywhere in [0, ceiling), which spreads
 * competing writers the most. `equal`: half the ceiling fixed, half random, for callers that need
 * every wait to be at least as long as the previous one could have been.
 */
export type Jitter = 'full' | 'equal';

/** An exponential backoff, in whatever unit the caller counts (ms, seconds). */
export interface Backoff {
  /** Ceiling of the first retry's delay; doubles with every further retry. */
  readonly base: number;
  /** No ceiling exceeds this. */
  readonly cap: number;
  /** @default 'full' */
  readonly jitter?: Jitter;
}

/**
 * The delay before retry `retry` (1 for the first retry, i.e. the second try): a random point below
 * `min(cap, base * 2^(retry - 1))`, shaped by `jitter`. Unrounded: each caller rounds to its own unit.
 * `random` is uniform in [0, 1).
 */
export function backoffDelay(retry: number, backoff: Backoff, random: () => number = Math.random): number {
  const ceiling = Math.min(backoff.cap, backoff.base * 2 ** (retry - 1));
  return backoff.jitter === 'equal' ? ceiling / 2 + random() * (ceiling / 2) : random() * ceiling;
}

/** How {@link retry} repeats a failing call. */
export interface RetryPolicy {
  /** Total tries, the first included; an integer >= 1. */
  readonly attempts: number;
  /** Whether a failure is worth another try. @default every failure is */
  readonly retryable?: (error: unknown) => boolean;
  /** Milliseconds to wait before retry `retry` (1 before the second try). */
  readonly delayMs: (retry: number) => number;
  /** @default setTimeout-based sleep */
  readonly sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Calls `fn` (with the try's number, from 1) until it resolves. A failure that is not retryable, and
 * the last one once `attempts` are used up, propagates unchanged.
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, policy: RetryPolicy): Promise<T> {
  const { attempts } = policy;
  if (!Number.isInteger(attempts) || attempts < 1)
    throw new ValidationError('must be an integer >= 1', 'attempts');
  const retryable = policy.retryable ?? (() => true);
  const sleep = policy.sleep ?? defaultSleep;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= attempts || !retryable(error)) throw error;
      await sleep(policy.delayMs(attempt));
    }
  }
}

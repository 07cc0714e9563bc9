import { backoffDelay, retry } from '../retry/backoff.ts';
import { ConcurrencyError } from './errors.ts';

/** Bounds of {@link retryOnConflict}. */
export interface RetryOnConflictOptions {
  /** Total tries, the first included. @default 5 */
  readonly attempts?: number;
  /** Delay cap before the second try; doubles every try. @default 20 */
  readonly baseDelayMs?: number;
  /** No wait is longer than this. @default 1000 */
  readonly maxDelayMs?: number;
  /** @default setTimeout-based sleep */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Uniform in [0, 1). @default Math.random */
  readonly random?: () => number;
}

/**
 * Runs `fn` (load → decide → append) again when it throws {@link ConcurrencyError}, waiting a random
 * time up to `baseDelayMs * 2^(try - 1)` ("full jitter") so competing writers spread out. Any other
 * error, and the last conflict once `attempts` are used up, propagates unchanged.
 */
export function retryOnConflict<T>(
  fn: (attempt: number) => Promise<T>,
  options: RetryOnConflictOptions = {},
): Promise<T> {
  const backoff = {
    base: options.baseDelayMs ?? 20,
    cap: options.maxDelayMs ?? 1000,
    jitter: 'full',
  } as const;
  return retry(fn, {
    attempts: options.attempts ?? 5,
    retryable: (error) => error instanceof ConcurrencyError,
    delayMs: (n) => Math.floor(backoffDelay(n, backoff, options.random)),
    ...(options.sleep ? { sleep: options.sleep } : {}),
  });
}

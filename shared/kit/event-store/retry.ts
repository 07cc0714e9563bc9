import { ValidationError } from '../errors/pipeline-error.ts';
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

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `fn` (load → decide → append) again when it throws {@link ConcurrencyError}, waiting a random
 * time up to `baseDelayMs * 2^(try - 1)` ("full jitter") so competing writers spread out. Any other
 * error, and the last conflict once `attempts` are used up, propagates unchanged.
 */
export async function retryOnConflict<T>(
  fn: (attempt: number) => Promise<T>,
  options: RetryOnConflictOptions = {},
): Promise<T> {
  const attempts = options.attempts ?? 5;
  if (!Number.isInteger(attempts) || attempts < 1)
    throw new ValidationError('must be an integer >= 1', 'attempts');
  const baseDelayMs = options.baseDelayMs ?? 20;
  const maxDelayMs = options.maxDelayMs ?? 1000;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (!(error instanceof ConcurrencyError) || attempt >= attempts) throw error;
      const cap = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
      await sleep(Math.floor(random() * cap));
    }
  }
}

import { PipelineError, ValidationError } from '../errors/pipeline-error.ts';
import type { IdempotencyStore } from './port.ts';

/** Records of completed work are kept 15 days: longer than the longest SQS retention (14 days). */
export const DEFAULT_IDEMPOTENCY_RECORD_TTL_SECONDS = 15 * 24 * 60 * 60;
/** A claim outlives the longest Lambda invocation (15 minutes), so it cannot lapse while its owner runs. */
export const DEFAULT_IN_PROGRESS_TTL_MS = 15 * 60 * 1000;

/** Another execution is doing the same work right now. Retryable: it will have finished or lapsed. */
export class IdempotencyInProgressError extends PipelineError<'IDEMPOTENCY_IN_PROGRESS'> {
  readonly key: string;
  readonly until: Date;

  constructor(key: string, until: Date) {
    super('IDEMPOTENCY_IN_PROGRESS', `${key} is in progress elsewhere until ${until.toISOString()}`, {
      retryable: true,
    });
    this.key = key;
    this.until = until;
  }
}

/** Options of {@link runOnce}. */
export interface RunOnceOptions {
  /** @default () => new Date() */
  readonly clock?: () => Date;
  /** How long the result is remembered. @default 15 days */
  readonly ttlSeconds?: number;
  /** How long a claim holds before another execution may take over. @default 15 minutes */
  readonly inProgressTtlMs?: number;
}

/** What {@link runOnce} returns: the work's result, and whether it came from an earlier execution. */
export interface RunOnceResult<T> {
  readonly result: T;
  readonly replayed: boolean;
}

/**
 * Runs `work` at most once per `key` (until the record expires): claims the key, runs, stores the
 * result. A later call returns the stored result with `replayed: true` and does not run `work`.
 * If `work` throws, the claim is released and the error propagates, so a retry runs it again.
 * Throws {@link IdempotencyInProgressError} while another execution holds the key.
 *
 * At-most-once holds for the record; for the side effect itself it holds when the effect completes
 * before the process dies. A crash between the effect and `complete` repeats the effect after the
 * claim lapses, so effects should also pass `key` to the remote side when it accepts one.
 */
export async function runOnce<T>(
  store: IdempotencyStore,
  key: string,
  work: () => Promise<T>,
  options: RunOnceOptions = {},
): Promise<RunOnceResult<T>> {
  if (key.length === 0) throw new ValidationError('must not be empty', 'idempotencyKey');
  const clock = options.clock ?? (() => new Date());
  const now = clock();
  const ttlMs = (options.ttlSeconds ?? DEFAULT_IDEMPOTENCY_RECORD_TTL_SECONDS) * 1000;
  const claim = await store.begin(key, {
    now,
    inProgressUntil: new Date(now.getTime() + (options.inProgressTtlMs ?? DEFAULT_IN_PROGRESS_TTL_MS)),
    expiresAt: new Date(now.getTime() + ttlMs),
  });
  if (claim.status === 'completed') return { result: claim.result as T, replayed: true };
  if (claim.status === 'in-progress') throw new IdempotencyInProgressError(key, claim.until);
  let result: T;
  try {
    result = await work();
  } catch (error) {
    // A failed release only delays the retry until the claim lapses; the work's error matters more.
    await store.release(key).catch(() => undefined);
    throw error;
  }
  await store.complete(key, result, new Date(clock().getTime() + ttlMs));
  return { result, replayed: false };
}

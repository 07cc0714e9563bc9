/**
 * Idempotency for side effects outside the event store (sending a notification, calling a provider),
 * with the semantics of Powertools' idempotency utility: a key is claimed with an IN_PROGRESS record
 * that expires (so a crashed execution does not block the key forever), then marked COMPLETED with the
 * result, which later executions get back instead of running again.
 *
 * State changes that are event-store appends do not need this: the append's `idempotencyKey` makes the
 * change and its deduplication one atomic write.
 */

/** Outcome of {@link IdempotencyStore.begin}. */
export type BeginResult =
  /** The key was free (or its record expired): the caller now owns it and must run the work. */
  | { readonly status: 'started' }
  /** The work already ran; `result` is what it returned. */
  | { readonly status: 'completed'; readonly result: unknown }
  /** Another execution holds the key until `until`; try again later. */
  | { readonly status: 'in-progress'; readonly until: Date };

/** Times of a claim: `now` decides what counts as expired. */
export interface BeginOptions {
  readonly now: Date;
  /** The claim lapses at this instant if the owner never completes or releases it. */
  readonly inProgressUntil: Date;
  /** The whole record (and so the deduplication) ends at this instant. */
  readonly expiresAt: Date;
}

/** Port of an idempotency record store. Keys are global: namespace them (`notify#ord-1#email#…`). */
export interface IdempotencyStore {
  /** Claims `key` unless a live record exists; atomic, so of two racing callers exactly one starts. */
  begin(key: string, options: BeginOptions): Promise<BeginResult>;
  /** Marks `key` completed with `result` (must survive a JSON round trip) until `expiresAt`. */
  complete(key: string, result: unknown, expiresAt: Date): Promise<void>;
  /** Drops an IN_PROGRESS claim after a failure so a retry can run; leaves completed records alone. */
  release(key: string): Promise<void>;
}

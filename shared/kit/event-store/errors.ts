import { PipelineError } from '../errors/pipeline-error.ts';

/**
 * The stream moved on since the caller read it: `expectedVersion` is stale, or another writer's
 * transaction on the same stream was in flight. Retryable: reload, decide again, append again
 * (see `retryOnConflict`).
 */
export class ConcurrencyError extends PipelineError<'CONCURRENCY'> {
  readonly streamId: string;
  readonly expectedVersion: number;
  /** The stream's version when the conflict was seen, when the store could tell. */
  readonly actualVersion: number | undefined;

  constructor(
    streamId: string,
    expectedVersion: number,
    actualVersion?: number,
    options: { cause?: unknown; detail?: string } = {},
  ) {
    const actual = actualVersion === undefined ? '' : `, actual ${actualVersion}`;
    const detail = options.detail ? ` (${options.detail})` : '';
    super('CONCURRENCY', `stream ${streamId}: expected version ${expectedVersion}${actual}${detail}`, {
      cause: options.cause,
      retryable: true,
    });
    this.streamId = streamId;
    this.expectedVersion = expectedVersion;
    this.actualVersion = actualVersion;
  }
}

/**
 * An idempotency key was reused for a different append (other streams, event types or data).
 * Repeating the same append with the same key is not an error: it returns the first result.
 * Not retryable: the same request fails the same way until the key expires.
 */
export class DuplicateError extends PipelineError<'DUPLICATE'> {
  readonly idempotencyKey: string;
  /** Fingerprint the key was first used with (see `AppendOptions.idempotencyFingerprint`). */
  readonly storedFingerprint: string | undefined;
  /** Fingerprint of the refused append. */
  readonly fingerprint: string | undefined;

  constructor(idempotencyKey: string, fingerprints: { stored?: string; refused?: string } = {}) {
    super('DUPLICATE', `idempotency key ${idempotencyKey} was already used for a different append`, {
      retryable: false,
    });
    this.idempotencyKey = idempotencyKey;
    this.storedFingerprint = fingerprints.stored;
    this.fingerprint = fingerprints.refused;
  }
}

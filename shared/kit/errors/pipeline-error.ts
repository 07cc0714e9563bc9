/**
 * Base error of the pipeline. Every failure carries a literal `code` so handlers can decide
 * between retrying and dead-lettering without parsing messages, and the original `cause` is kept.
 */
export class PipelineError<Code extends string = string> extends Error {
  readonly code: Code;
  /** Whether trying the same work again later may succeed (throttling, timeouts, conflicts). */
  readonly retryable: boolean;

  constructor(code: Code, message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

/** Input that can never be processed as sent: retrying it would fail the same way. */
export class ValidationError extends PipelineError<'VALIDATION'> {
  /** Dotted path of the offending field, e.g. `detail.data.items.0.qty`; empty for the whole input. */
  readonly path: string;

  constructor(message: string, path = '', cause?: unknown) {
    super('VALIDATION', path ? `${path}: ${message}` : message, { cause, retryable: false });
    this.path = path;
  }
}

/** True when the error is worth another attempt; unknown errors count as retryable (transient by default). */
export function isRetryable(error: unknown): boolean {
  return error instanceof PipelineError ? error.retryable : true;
}

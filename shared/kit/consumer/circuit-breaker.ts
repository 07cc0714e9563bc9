import { isRetryable, PipelineError, ValidationError } from '../errors/pipeline-error.ts';
import { type LogPort, silentLogger } from '../observability/logger.ts';

/** `closed`: calls pass; `open`: calls fail fast; `half-open`: one probe call decides. */
export type CircuitState = 'closed' | 'open' | 'half-open';

/** A state change, for logs and metrics. */
export interface CircuitStateChange {
  readonly name: string;
  readonly from: CircuitState;
  readonly to: CircuitState;
  readonly at: Date;
  /** Consecutive failures counted when the change happened. */
  readonly failures: number;
}

/** Thrown instead of calling while the circuit is open. Retryable: the dependency may recover. */
export class CircuitOpenError extends PipelineError<'CIRCUIT_OPEN'> {
  /** When a probe call will be allowed again. */
  readonly retryAt: Date;

  constructor(name: string, retryAt: Date) {
    super('CIRCUIT_OPEN', `circuit ${name} is open until ${retryAt.toISOString()}`, { retryable: true });
    this.retryAt = retryAt;
  }
}

/** Options of {@link CircuitBreaker}. */
export interface CircuitBreakerOptions {
  /** Names the protected dependency in logs and errors, e.g. `payment-provider`. */
  readonly name: string;
  /** Consecutive failures that open the circuit. @default 5 */
  readonly failureThreshold?: number;
  /** How long the circuit stays open before a probe is let through. @default 30000 */
  readonly coolDownMs?: number;
  /**
   * Which errors count against the dependency. By default only retryable ones: a declined card or an
   * invalid request says nothing about the provider's health.
   * @default isRetryable
   */
  readonly isFailure?: (error: unknown) => boolean;
  /** @default () => new Date() */
  readonly clock?: () => Date;
  /** @default silent */
  readonly logger?: LogPort;
  /** Called on every state change, e.g. to emit a metric. */
  readonly onStateChange?: (change: CircuitStateChange) => void;
}

/**
 * Fails fast while a dependency is down, so a batch of records does not each wait for a timeout.
 * Opens after `failureThreshold` consecutive failures; after `coolDownMs` one probe call is let through
 * (half-open): success closes the circuit, failure opens it for another cool-down. Calls arriving
 * while the probe runs fail fast too. State lives in the instance: in Lambda, one execution
 * environment's view, which is what protects that environment's invocations.
 */
export class CircuitBreaker {
  private current: CircuitState = 'closed';
  private failures = 0;
  private openedAt = 0;
  private probing = false;
  private readonly threshold: number;
  private readonly coolDownMs: number;
  private readonly clock: () => Date;
  private readonly isFailure: (error: unknown) => boolean;

  constructor(private readonly options: CircuitBreakerOptions) {
    this.threshold = options.failureThreshold ?? 5;
    this.coolDownMs = options.coolDownMs ?? 30_000;
    if (!Number.isInteger(this.threshold) || this.threshold < 1) {
      throw new ValidationError('must be an integer >= 1', 'failureThreshold');
    }
    if (!(this.coolDownMs >= 0)) throw new ValidationError('must be >= 0', 'coolDownMs');
    this.clock = options.clock ?? (() => new Date());
    this.isFailure = options.isFailure ?? isRetryable;
  }

  /** The state as of now: an open circuit whose cool-down has passed reads as `half-open`. */
  get state(): CircuitState {
    if (this.current === 'open' && this.coolDownOver()) return 'half-open';
    return this.current;
  }

  /** Runs `call` unless the circuit is open; records its success or failure. */
  async execute<T>(call: () => Promise<T>): Promise<T> {
    this.admit();
    try {
      const result = await call();
      this.onSuccess();
      return result;
    } catch (error) {
      this.onError(error);
      throw error;
    }
  }

  private admit(): void {
    if (this.current === 'closed') return;
    if (this.current === 'open' && this.coolDownOver()) this.transition('half-open');
    if (this.current === 'half-open' && !this.probing) {
      this.probing = true;
      return;
    }
    throw new CircuitOpenError(this.options.name, new Date(this.openedAt + this.coolDownMs));
  }

  private onSuccess(): void {
    this.probing = false;
    this.failures = 0;
    if (this.current !== 'closed') this.transition('closed');
  }

  private onError(error: unknown): void {
    const wasProbe = this.probing;
    this.probing = false;
    if (!this.isFailure(error)) {
      if (wasProbe) this.onSuccess();
      return;
    }
    this.failures += 1;
    if (wasProbe || (this.current === 'closed' && this.failures >= this.threshold)) this.open();
  }

  private open(): void {
    this.openedAt = this.clock().getTime();
    this.transition('open');
  }

  private coolDownOver(): boolean {
    return this.clock().getTime() - this.openedAt >= this.coolDownMs;
  }

  private transition(to: CircuitState): void {
    const change: CircuitStateChange = {
      name: this.options.name,
      from: this.current,
      to,
      at: this.clock(),
      failures: this.failures,
    };
    this.current = to;
    const logger = this.options.logger ?? silentLogger;
    const log = to === 'open' ? logger.warn : logger.info;
    log.call(logger, `circuit ${change.name} ${change.from} -> ${to}`, { circuit: { ...change } });
    this.options.onStateChange?.(change);
  }
}

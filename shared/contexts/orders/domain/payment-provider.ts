import { PipelineError } from '../../../kit/errors/pipeline-error.ts';
import type { AuthorizationOutcome } from './payment.ts';

/** What the provider is asked to authorize. `idempotencyKey` makes a repeated request return the first answer. */
export interface AuthorizeRequest {
  readonly orderId: string;
  readonly amount: number;
  readonly currency: string;
  readonly token: string;
  readonly idempotencyKey: string;
}

/** Port of a payment provider. Calls may hang; callers bound them with a timeout and pass `signal`. */
export interface PaymentProvider {
  authorize(request: AuthorizeRequest, signal?: AbortSignal): Promise<AuthorizationOutcome>;
  /** Voids an authorization; voiding twice is harmless. */
  void(authorizationId: string, signal?: AbortSignal): Promise<void>;
}

/** The provider could not answer now (5xx, throttling). Retryable. */
export class PaymentProviderUnavailableError extends PipelineError<'PAYMENT_PROVIDER_UNAVAILABLE'> {
  constructor(message: string, cause?: unknown) {
    super('PAYMENT_PROVIDER_UNAVAILABLE', message, { retryable: true, cause });
  }
}

/** The provider did not answer within the call timeout. Retryable: the request is idempotent. */
export class PaymentProviderTimeoutError extends PipelineError<'PAYMENT_PROVIDER_TIMEOUT'> {
  constructor(timeoutMs: number) {
    super('PAYMENT_PROVIDER_TIMEOUT', `payment provider did not answer within ${timeoutMs} ms`, {
      retryable: true,
    });
  }
}

/** Tokens with scripted behaviour in {@link SimulatedPaymentProvider}; any other token is authorized. */
export const SIMULATED_TOKENS = {
  declined: 'tok_declined',
  /** Never answers: the call hangs until the caller gives up. */
  timeout: 'tok_timeout',
  /** Unavailable on the first two attempts of an order, authorized on the third. */
  flaky: 'tok_flaky',
} as const;

/** An authorization the simulator granted. */
export interface SimulatedAuthorization {
  readonly authorizationId: string;
  readonly orderId: string;
  readonly amount: number;
  readonly currency: string;
}

/** How many attempts of a `tok_flaky` order fail before it is authorized. */
const FLAKY_FAILURES = 2;

/**
 * A payment provider in memory with scripted tokens, for the reference domain, local runs and tests.
 * Like real providers it honours the idempotency key: the same key always gets the first answer, so a
 * retried call never authorizes twice. `authorizations` and `voids` are what happened, for assertions.
 */
export class SimulatedPaymentProvider implements PaymentProvider {
  readonly authorizations: SimulatedAuthorization[] = [];
  readonly voids: string[] = [];
  private readonly attempts = new Map<string, number>();
  private readonly answers = new Map<string, AuthorizationOutcome>();

  async authorize(request: AuthorizeRequest, signal?: AbortSignal): Promise<AuthorizationOutcome> {
    const attempt = (this.attempts.get(request.idempotencyKey) ?? 0) + 1;
    this.attempts.set(request.idempotencyKey, attempt);
    const earlier = this.answers.get(request.idempotencyKey);
    if (earlier) return earlier;
    if (request.token === SIMULATED_TOKENS.timeout) return hangUntilAborted(signal);
    if (request.token === SIMULATED_TOKENS.flaky && attempt <= FLAKY_FAILURES) {
      throw new PaymentProviderUnavailableError(`simulated outage (attempt ${attempt})`);
    }
    const answer = this.answer(request);
    this.answers.set(request.idempotencyKey, answer);
    return answer;
  }

  async void(authorizationId: string): Promise<void> {
    if (!this.voids.includes(authorizationId)) this.voids.push(authorizationId);
  }

  /** How often the provider was called for `idempotencyKey`, failed calls included. */
  attemptsFor(idempotencyKey: string): number {
    return this.attempts.get(idempotencyKey) ?? 0;
  }

  private answer(request: AuthorizeRequest): AuthorizationOutcome {
    if (request.token === SIMULATED_TOKENS.declined) return { outcome: 'declined', reason: 'card declined' };
    const authorizationId = `auth-${this.authorizations.length + 1}-${request.orderId}`;
    const { orderId, amount, currency } = request;
    this.authorizations.push({ authorizationId, orderId, amount, currency });
    return { outcome: 'authorized', authorizationId };
  }
}

/** A promise that settles only when `signal` aborts (then rejects), modelling a provider that hangs. */
function hangUntilAborted(signal?: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

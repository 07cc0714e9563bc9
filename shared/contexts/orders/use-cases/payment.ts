import type { CircuitBreaker } from '../../../kit/consumer/circuit-breaker.ts';
import { type Answers, append, type Decision, handleCommand } from '../../../kit/consumer/command.ts';
import { type Timer, withTimeout } from '../../../kit/consumer/timeout.ts';
import type { EventHandlers, Handled, HandlerContext } from '../../../kit/consumer/types.ts';
import type { AggregateOptions } from '../../../kit/event-store/load-aggregate.ts';
import type { EventStore } from '../../../kit/event-store/port.ts';
import type { RetryOnConflictOptions } from '../../../kit/event-store/retry.ts';
import {
  type AuthorizationOutcome,
  decideAuthorization,
  decideVoid,
  evolvePayment,
  initialPayment,
  needsAuthorization,
  type PaymentDecision,
  type PaymentRequest,
  type PaymentState,
  validatePaymentRequest,
} from '../domain/payment.ts';
import {
  type AuthorizeRequest,
  type PaymentProvider,
  PaymentProviderTimeoutError,
} from '../domain/payment-provider.ts';
import type { Orders } from '../events/catalog.ts';

/** What the payment consumer needs. */
export interface PaymentDeps {
  readonly store: EventStore;
  readonly provider: PaymentProvider;
  /** Bounds every provider call; keep it well under the Lambda timeout and the saga step timeout. */
  readonly callTimeoutMs: number;
  /** Fails fast while the provider is down. Built once per execution environment. */
  readonly breaker?: CircuitBreaker;
  readonly timer?: Timer;
  readonly retry?: RetryOnConflictOptions;
}

/** The payment stream of an order. */
export function paymentStreamId(orderId: string): string {
  return `payment#${orderId}`;
}

/** The provider-side idempotency key: one authorization per order, whatever the number of requests. */
export function authorizationKey(orderId: string): string {
  return `authorize#${orderId}`;
}

/** How the payment stream of an order is folded into its state. */
function paymentAggregate(orderId: string): AggregateOptions<PaymentState> {
  return { initial: () => initialPayment(orderId), evolve: evolvePayment };
}

/** The provider calls a payment decision asks for, keyed so one handling makes each once. */
type ProviderCall =
  | { readonly key: 'authorize'; readonly request: AuthorizeRequest }
  | { readonly key: `void#${string}`; readonly authorizationId: string };

/** What the provider answered: an authorization's outcome; a void answers nothing. */
type ProviderAnswer = AuthorizationOutcome | undefined;

const AUTHORIZE = 'authorize';

/** A provider call through the circuit breaker, bounded by the call timeout. */
function callProvider<T>(deps: PaymentDeps, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const bounded = () =>
    withTimeout(
      call,
      deps.callTimeoutMs,
      () => new PaymentProviderTimeoutError(deps.callTimeoutMs),
      deps.timer,
    );
  return deps.breaker ? deps.breaker.execute(bounded) : bounded();
}

/** Performs the provider call a decision asks for. */
async function performCall(deps: PaymentDeps, call: ProviderCall): Promise<ProviderAnswer> {
  if ('request' in call) {
    const { request } = call;
    return callProvider(deps, (signal) => deps.provider.authorize(request, signal));
  }
  const { authorizationId } = call;
  await callProvider(deps, (signal) => deps.provider.void(authorizationId, signal));
  return undefined;
}

/**
 * The kernel's decision for a payment decision (pure): void at the provider first when it says so,
 * then store the facts; nothing to store means the order was decided already. The void is made before
 * the write, so a crash in between repeats it on the redelivery, which providers accept.
 */
function toDecision(
  decision: PaymentDecision,
  answers: Answers<ProviderAnswer>,
): Decision<Orders, ProviderCall> {
  const authorizationId = decision.voidAuthorization;
  if (authorizationId !== undefined && !answers.has(`void#${authorizationId}`)) {
    return { kind: 'effect', effect: { key: `void#${authorizationId}`, authorizationId } };
  }
  return decision.facts.length === 0 ? { kind: 'duplicate' } : append(decision.facts);
}

/**
 * Decides an authorization request (pure): a decided order is a duplicate; otherwise the provider is
 * asked (idempotency key per order) and its answer decided on the state of the moment.
 */
function decideAuthorizationRequest(
  state: PaymentState,
  request: PaymentRequest,
  answers: Answers<ProviderAnswer>,
): Decision<Orders, ProviderCall> {
  const answer = answers.get(AUTHORIZE);
  if (answer === undefined) {
    if (!needsAuthorization(state)) return { kind: 'duplicate' };
    const { orderId, total: amount, currency, paymentToken: token } = request;
    const ask = { orderId, amount, currency, token, idempotencyKey: authorizationKey(orderId) };
    return { kind: 'effect', effect: { key: AUTHORIZE, request: ask } };
  }
  return toDecision(decideAuthorization(state, request, answer), answers);
}

/** Load → decide → (provider calls) → store through the kit's command kernel. */
function handle(
  deps: PaymentDeps,
  orderId: string,
  decide: (state: PaymentState, answers: Answers<ProviderAnswer>) => Decision<Orders, ProviderCall>,
  context: HandlerContext<Orders>,
): Promise<Handled> {
  return handleCommand(
    {
      store: deps.store,
      streamId: paymentStreamId(orderId),
      aggregate: paymentAggregate(orderId),
      decide,
      effect: (call: ProviderCall) => performCall(deps, call),
      ...(deps.retry === undefined ? {} : { retry: deps.retry }),
    },
    context,
  );
}

/**
 * Authorizes an order once: invalid totals are rejected (not retryable), a decided order is a duplicate,
 * otherwise the provider is asked (idempotency key per order) and its answer stored. Provider
 * timeouts and outages are retryable errors, so the record comes back with backoff. A version conflict
 * while storing the answer decides it again on the new state without asking the provider twice.
 */
export async function authorizePayment(
  deps: PaymentDeps,
  request: PaymentRequest,
  context: HandlerContext<Orders>,
): Promise<Handled> {
  validatePaymentRequest(request);
  return handle(
    deps,
    request.orderId,
    (state, answers) => decideAuthorizationRequest(state, request, answers),
    context,
  );
}

/** Voids the order's authorization, or records that none may be made any more. */
export async function voidPayment(
  deps: PaymentDeps,
  orderId: string,
  context: HandlerContext<Orders>,
): Promise<Handled> {
  return handle(deps, orderId, (state, answers) => toDecision(decideVoid(state), answers), context);
}

/** Handlers of the payment consumer. */
export function paymentHandlers(deps: PaymentDeps): EventHandlers<Orders> {
  return {
    PaymentAuthorizationRequested: (event, context) => authorizePayment(deps, event.data, context),
    PaymentVoidRequested: (event, context) => voidPayment(deps, event.data.orderId, context),
  };
}

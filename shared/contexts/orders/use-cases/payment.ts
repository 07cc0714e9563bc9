import { appendOutcome } from '../../../kit/consumer/append-outcome.ts';
import type { CircuitBreaker } from '../../../kit/consumer/circuit-breaker.ts';
import { refuseReusedId } from '../../../kit/consumer/reuse.ts';
import { type Timer, withTimeout } from '../../../kit/consumer/timeout.ts';
import type { EventHandlers, Handled, HandlerContext } from '../../../kit/consumer/types.ts';
import { loadAggregate } from '../../../kit/event-store/load-aggregate.ts';
import type { EventStore } from '../../../kit/event-store/port.ts';
import { type RetryOnConflictOptions, retryOnConflict } from '../../../kit/event-store/retry.ts';
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
import { type PaymentProvider, PaymentProviderTimeoutError } from '../domain/payment-provider.ts';
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

async function loadPayment(
  store: EventStore,
  orderId: string,
): Promise<{ state: PaymentState; version: number }> {
  return loadAggregate(store, paymentStreamId(orderId), {
    initial: () => initialPayment(orderId),
    evolve: evolvePayment,
  });
}

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

/**
 * Voids at the provider first (when the decision says so), then stores the facts; a crash in between
 * repeats the void, which providers accept.
 */
async function apply(
  deps: PaymentDeps,
  orderId: string,
  version: number,
  decision: PaymentDecision,
  context: HandlerContext<Orders>,
): Promise<Handled> {
  const voidId = decision.voidAuthorization;
  if (voidId !== undefined) await callProvider(deps, (signal) => deps.provider.void(voidId, signal));
  if (decision.facts.length === 0) {
    await refuseReusedId(deps.store, paymentStreamId(orderId), context);
    return 'duplicate';
  }
  const events = decision.facts.map((fact) => context.emitFact(fact));
  const result = await deps.store.append(paymentStreamId(orderId), events, {
    expectedVersion: version,
    idempotencyKey: context.idempotencyKey,
    idempotencyFingerprint: context.inputFingerprint,
  });
  return appendOutcome(result, events);
}

/**
 * Authorizes an order once: invalid totals are rejected (not retryable), a decided order is a duplicate,
 * otherwise the provider is asked (idempotency key per order) and its answer stored. Provider
 * timeouts and outages are retryable errors, so the record comes back with backoff.
 */
export async function authorizePayment(
  deps: PaymentDeps,
  request: PaymentRequest,
  context: HandlerContext<Orders>,
): Promise<Handled> {
  validatePaymentRequest(request);
  const { orderId } = request;
  const before = await loadPayment(deps.store, orderId);
  if (!needsAuthorization(before.state)) {
    await refuseReusedId(deps.store, paymentStreamId(orderId), context);
    return 'duplicate';
  }
  const answer: AuthorizationOutcome = await callProvider(deps, (signal) =>
    deps.provider.authorize(
      {
        orderId,
        amount: request.total,
        currency: request.currency,
        token: request.paymentToken,
        idempotencyKey: authorizationKey(orderId),
      },
      signal,
    ),
  );
  return retryOnConflict(async (attempt) => {
    const current = attempt === 1 ? before : await loadPayment(deps.store, orderId);
    const decision = decideAuthorization(current.state, request, answer);
    return apply(deps, orderId, current.version, decision, context);
  }, deps.retry);
}

/** Voids the order's authorization, or records that none may be made any more. */
export async function voidPayment(
  deps: PaymentDeps,
  orderId: string,
  context: HandlerContext<Orders>,
): Promise<Handled> {
  return retryOnConflict(async () => {
    const { state, version } = await loadPayment(deps.store, orderId);
    return apply(deps, orderId, version, decideVoid(state), context);
  }, deps.retry);
}

/** Handlers of the payment consumer. */
export function paymentHandlers(deps: PaymentDeps): EventHandlers<Orders> {
  return {
    PaymentAuthorizationRequested: (event, context) => authorizePayment(deps, event.data, context),
    PaymentVoidRequested: (event, context) => voidPayment(deps, event.data.orderId, context),
  };
}

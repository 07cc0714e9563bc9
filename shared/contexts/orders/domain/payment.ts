import { ValidationError } from '../../../kit/errors/pipeline-error.ts';
import type { TypeAndData } from '../../../kit/events/facts.ts';
import type { EventData } from '../events/catalog.ts';
import { type Fact, fact } from '../events/catalog.ts';

/**
 * Payment, event-sourced in one stream per order (`PaymentAuthorized`, `PaymentDeclined`,
 * `PaymentVoided`). The stream's version is the lock that allows exactly one decision per order,
 * however often the request is delivered.
 */

/** A request to authorize an order's total. */
export type PaymentRequest = EventData<'PaymentAuthorizationRequested'>;

/** `voided` also covers "voided before any authorization": no authorization may follow. */
export type PaymentStatus = 'none' | 'authorized' | 'declined' | 'voided';

/** The payment of one order. */
export interface PaymentState {
  readonly orderId: string;
  readonly status: PaymentStatus;
  readonly authorizationId?: string;
}

/** What the provider said. */
export type AuthorizationOutcome =
  | { readonly outcome: 'authorized'; readonly authorizationId: string }
  | { readonly outcome: 'declined'; readonly reason: string };

/** Facts to store, and an authorization to void at the provider first when there is one. */
export interface PaymentDecision {
  readonly facts: readonly Fact[];
  readonly voidAuthorization?: string;
}

/** The payment of an order nothing has been decided for. */
export function initialPayment(orderId: string): PaymentState {
  return { orderId, status: 'none' };
}

/** Payment after one event of the order's payment stream. */
export function evolvePayment(state: PaymentState, event: TypeAndData): PaymentState {
  switch (event.type) {
    case 'PaymentAuthorized': {
      const { authorizationId } = event.data as EventData<'PaymentAuthorized'>;
      return { ...state, status: 'authorized', authorizationId };
    }
    case 'PaymentDeclined':
      return { ...state, status: 'declined' };
    case 'PaymentVoided': {
      const { authorizationId } = event.data as EventData<'PaymentVoided'>;
      return { ...state, status: 'voided', authorizationId: authorizationId ?? state.authorizationId };
    }
    default:
      return state;
  }
}

/** Money in cents, so sums of prices compare exactly. */
function cents(amount: number): number {
  return Math.round(amount * 100);
}

/**
 * Throws a {@link ValidationError} (not retryable) when the total is not positive or differs from the
 * sum of the items: charging it could never become right by retrying.
 */
export function validatePaymentRequest(request: Pick<PaymentRequest, 'total' | 'items'>): void {
  if (!(request.total > 0)) throw new ValidationError('must be greater than 0', 'data.total');
  const sum = request.items.reduce((acc, item) => acc + cents(item.unitPrice) * item.qty, 0);
  if (cents(request.total) !== sum) {
    throw new ValidationError(
      `is ${request.total} but the items add up to ${(sum / 100).toFixed(2)}`,
      'data.total',
    );
  }
}

/** Whether the provider must be asked: only while nothing has been decided for the order. */
export function needsAuthorization(state: PaymentState): boolean {
  return state.status === 'none';
}

/**
 * Turns the provider's answer into facts. If the order was voided while the provider was answering,
 * an authorization that arrives anyway is voided at once instead of recorded as valid.
 */
export function decideAuthorization(
  state: PaymentState,
  request: PaymentRequest,
  answer: AuthorizationOutcome,
): PaymentDecision {
  const { orderId } = request;
  if (state.status === 'voided' && answer.outcome === 'authorized') {
    const { authorizationId } = answer;
    return {
      facts: [fact('PaymentVoided', { orderId, authorizationId })],
      voidAuthorization: authorizationId,
    };
  }
  if (state.status !== 'none') return { facts: [] };
  if (answer.outcome === 'declined') {
    return { facts: [fact('PaymentDeclined', { orderId, reason: answer.reason })] };
  }
  const { total: amount, currency } = request;
  const authorized = { orderId, authorizationId: answer.authorizationId, amount, currency };
  return { facts: [fact('PaymentAuthorized', authorized)] };
}

/**
 * Voids the order's authorization, or, when there is none yet, records the void so that no
 * authorization is made later. Declined and already voided payments need nothing.
 */
export function decideVoid(state: PaymentState): PaymentDecision {
  const { orderId } = state;
  if (state.status === 'none') return { facts: [fact('PaymentVoided', { orderId })] };
  if (state.status !== 'authorized' || state.authorizationId === undefined) return { facts: [] };
  const { authorizationId } = state;
  return { facts: [fact('PaymentVoided', { orderId, authorizationId })], voidAuthorization: authorizationId };
}

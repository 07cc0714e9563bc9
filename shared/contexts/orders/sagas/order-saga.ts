import { defineSaga, type SagaDefinition, stepsOf } from '../../../kit/saga/definition.ts';
import type { SagaStatus } from '../../../kit/saga/state.ts';
import { type EventData, fact, type Orders } from '../events/catalog.ts';

const step = stepsOf<Orders>();

/** What the order saga keeps: the order as placed. */
export type OrderSagaData = EventData<'OrderPlaced'>;

/** Settings of {@link orderSaga}. */
export interface OrderSagaOptions {
  /** How long a step (or a compensation) may take before the saga compensates. */
  readonly stepTimeoutMs: number;
}

/**
 * The order saga: reserve inventory → authorize payment → confirm. Each step sits next to its
 * compensation; a failure or timeout compensates what was done, newest first, then cancels.
 * - Out of stock: nothing was reserved, nothing to undo → `OrderCancelled`, payment never asked.
 * - Payment declined: release the reservation, wait for `InventoryReleased` → `OrderCancelled`.
 * - Payment timed out: void (or pre-empt) the authorization, release → `OrderCancelled`; a late
 *   `PaymentAuthorized` is voided with its authorization id, never confirmed.
 */
export function orderSaga(options: OrderSagaOptions): SagaDefinition<'OrderPlaced', OrderSagaData, Orders> {
  return defineSaga<Orders, 'OrderPlaced', OrderSagaData>({
    name: 'order',
    source: 'orders.saga',
    startedBy: 'OrderPlaced',
    start: (placed) => placed.data,
    sagaIdOf: (event) => (event.type === 'SagaStepTimedOut' ? event.data.sagaId : event.data.orderId),
    stepTimeoutMs: options.stepTimeoutMs,
    steps: [
      step<OrderSagaData, 'InventoryReserved'>({
        name: 'reserveInventory',
        run: ({ orderId, items }) => [
          fact('InventoryReservationRequested', {
            orderId,
            items: items.map(({ sku, qty }) => ({ sku, qty })),
          }),
        ],
        completedBy: 'InventoryReserved',
        failedBy: 'InventoryReservationFailed',
        compensate: ({ orderId }, _reserved, reason) => [
          fact('InventoryReleaseRequested', { orderId, reason }),
        ],
        compensatedBy: 'InventoryReleased',
      }),
      step<OrderSagaData, 'PaymentAuthorized'>({
        name: 'authorizePayment',
        run: ({ orderId, customerId, items, total, currency, paymentToken }) => [
          fact('PaymentAuthorizationRequested', {
            orderId,
            customerId,
            items,
            total,
            currency,
            paymentToken,
          }),
        ],
        completedBy: 'PaymentAuthorized',
        failedBy: 'PaymentDeclined',
        compensate: ({ orderId }, authorized, reason) => [
          fact('PaymentVoidRequested', {
            orderId,
            reason,
            ...(authorized ? { authorizationId: authorized.authorizationId } : {}),
          }),
        ],
        compensatedBy: 'PaymentVoided',
      }),
    ],
    completed: ({ orderId, customerId, total, currency, contact }) => [
      fact('OrderConfirmed', { orderId, customerId, total, currency, contact }),
    ],
    cancelled: ({ orderId, customerId, contact }, reason) => [
      fact('OrderCancelled', { orderId, customerId, reason, contact }),
    ],
    rejected: (current, refused, status) => [
      fact('OrderRejected', {
        orderId: current.orderId,
        customerId: refused.data.customerId,
        reason: rejectionReason(current, refused.data, status),
        refusedEventId: refused.id,
      }),
    ],
  });
}

/** Why a second `OrderPlaced` for an existing order is refused, most telling reason first. */
function rejectionReason(current: OrderSagaData, refused: OrderSagaData, status: SagaStatus): string {
  const { orderId } = current;
  if (refused.customerId !== current.customerId) {
    return `order ${orderId} belongs to another customer (${current.customerId}), not ${refused.customerId}`;
  }
  if (status === 'completed' || status === 'cancelled') {
    const outcome = status === 'completed' ? 'confirmed' : 'cancelled';
    return `order ${orderId} is already ${outcome}; a new OrderPlaced cannot change it`;
  }
  return `order ${orderId} was already placed with other content (items, total or payment)`;
}

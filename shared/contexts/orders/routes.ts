import { type EventType, eventTypes } from './events/catalog.ts';

/**
 * What each orders consumer takes once stored, as plain data the context's definition reads. The
 * handler maps the functions run are the truth (`CONSUMER_EVENT_TYPES` in test/support/orders-handled-types.ts
 * reads their keys) and a unit test holds these lists equal to them; they are written out here so the
 * definition, and the stack, the outbox and the recorder that import the declared contexts, do not
 * build every handler map at module load (and bundle them).
 */
export const ORDER_CONSUMER_TYPES = {
  saga: [
    'InventoryReserved',
    'InventoryReservationFailed',
    'InventoryReleased',
    'PaymentAuthorized',
    'PaymentDeclined',
    'PaymentVoided',
  ],
  inventory: ['InventoryReservationRequested', 'InventoryReleaseRequested'],
  payment: ['PaymentAuthorizationRequested', 'PaymentVoidRequested'],
  projector: [
    'OrderPlaced',
    'InventoryReserved',
    'InventoryReservationFailed',
    'PaymentAuthorized',
    'PaymentDeclined',
    'OrderConfirmed',
    'OrderCancelled',
    'OrderRejected',
    'InventoryReleased',
    'NotificationSent',
    'InventoryReservationRequested',
    'InventoryReleaseRequested',
    'PaymentAuthorizationRequested',
    'PaymentVoidRequested',
    'PaymentVoided',
  ],
  notificationChannel: ['OrderConfirmed', 'OrderCancelled'],
} as const satisfies Record<string, readonly EventType[]>;

/**
 * What reaches the saga's queue before it is stored: every catalog event a producer might put on the
 * bus without the stored mark. The saga takes its intake (`ORDER_INTAKE_TYPES`) and refuses the rest
 * to its DLQ with the reason (`NOT_STORED`), so a misdirected event is seen rather than silently
 * unmatched; in normal operation only the intake arrives here.
 */
export const SAGA_INTAKE_RULE_TYPES: readonly EventType[] = eventTypes.filter(
  (type) => type !== 'SagaStepTimedOut',
);

import type { EventType } from '../events/catalog.ts';

/**
 * The commands producers send into the order pipeline, each taken first-hand by its one writer (the
 * order saga, whose first transition stores it). Every other event reaches a consumer only after the
 * event store accepted it (published by the outbox with its stored mark).
 */
export const ORDER_INTAKE_TYPES = ['OrderPlaced'] as const satisfies readonly EventType[];

/**
 * What the saga's queue takes without the stored mark: its intake, and its own step timers (delayed
 * messages it sends itself, never on the bus).
 */
export const SAGA_UNSTORED_TYPES: readonly EventType[] = [...ORDER_INTAKE_TYPES, 'SagaStepTimedOut'];

/**
 * What the order pipeline tells the world on the bus: the order's acceptance, refusal and outcome.
 * Everything else it stores (commands to its participants, their replies, notification records) goes
 * from the outbox straight to the queues of the consumers that handle it: a bus entry costs $1 per
 * million plus a delivery per rule, a queue message only its share of one SendMessageBatch.
 */
export const ORDER_INTEGRATION_EVENT_TYPES = [
  'OrderPlaced',
  'OrderConfirmed',
  'OrderCancelled',
  'OrderRejected',
] as const satisfies readonly EventType[];

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

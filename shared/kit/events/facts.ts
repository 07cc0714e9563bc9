import type { EventDataInput, EventType } from '../../contexts/orders/events/catalog.ts';

/**
 * A catalog event type and its data: what a pure `decide` returns. The handler gives it an envelope
 * (ids, time, correlation) when it persists or emits it.
 */
export type Fact = { [T in EventType]: { readonly type: T; readonly data: EventDataInput<T> } }[EventType];

/** Builds a {@link Fact} with the data checked against the type at compile time. */
export function fact<T extends EventType>(type: T, data: EventDataInput<T>): Fact {
  return { type, data } as Fact;
}

/** An internal event (stored, never published; see `shared/kit/events/internal.ts`) before its envelope. */
export interface InternalFact {
  readonly type: string;
  readonly data: object;
}

/** Anything with a type and data: a stored envelope, a fact, a catalog event. */
export interface TypeAndData {
  readonly type: string;
  readonly data: unknown;
}

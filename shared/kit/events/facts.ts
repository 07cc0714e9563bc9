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

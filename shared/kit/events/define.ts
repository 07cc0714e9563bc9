import { personalFields } from '../personal-data/schema.ts';
import type * as z from '../zod.ts';

/**
 * Owner of an event, written to the envelope's `source` and to EventBridge's `Source`:
 * `<context>.<service>`, e.g. `billing.invoices`. A catalog checks that its sources start with its name.
 */
export type EventSource = string;

/**
 * An older version of an event that may still be read (stored events, archive replays, producers not
 * yet upgraded). It keeps the schema it was written with and an upcaster to the version after it.
 */
export interface PreviousVersion {
  readonly version: number;
  readonly description: string;
  readonly schema: z.core.$ZodType;
  readonly example: unknown;
  /** Maps valid data of this version to input data of the next version. */
  readonly upcast: (data: unknown) => unknown;
}

/** One event type as the catalog holds it: its newest version plus the older versions it can still read. */
export interface EventDefinition<T extends string = string, S extends z.core.$ZodType = z.core.$ZodType> {
  readonly type: T;
  readonly source: EventSource;
  readonly description: string;
  /** Newest version: the only one producers write and consumers see. */
  readonly version: number;
  readonly schema: S;
  readonly example: z.input<S>;
  /**
   * The data field naming the data subject (`customerId`, `userId`): whose key encrypts this event's
   * personal fields (`personal(…)` in its schemas). Required when a version has personal fields.
   */
  readonly subject?: string;
  /** Older versions, oldest first, contiguous up to `version - 1`. */
  readonly previous: readonly PreviousVersion[];
}

/** Input of {@link defineEvent}; `previous` defaults to none. */
export interface EventDefinitionInput<T extends string, S extends z.core.$ZodType>
  extends Omit<EventDefinition<T, S>, 'previous'> {
  readonly previous?: readonly PreviousVersion[];
}

/**
 * Declares an event type. The version chain is checked here, at module load, because a gap would
 * leave some stored events impossible to upcast: that is a programming error, not bad input.
 */
export function defineEvent<const T extends string, S extends z.core.$ZodType>(
  input: EventDefinitionInput<T, S>,
): EventDefinition<T, S> {
  const previous = [...(input.previous ?? [])].sort((a, b) => a.version - b.version);
  previous.forEach((entry, index) => {
    const expected = input.version - previous.length + index;
    if (entry.version !== expected || expected < 1) {
      throw new Error(
        `${input.type}: previous versions must be contiguous up to v${input.version - 1}, got v${entry.version}`,
      );
    }
  });
  if (!Number.isInteger(input.version) || input.version < 1) {
    throw new Error(`${input.type}: version must be a positive integer`);
  }
  // A personal field without a subject could not be encrypted: nobody's key would cover it.
  const personal = [input.schema, ...previous.map((entry) => entry.schema)].some(
    (schema) => personalFields(schema).length > 0,
  );
  if (personal && input.subject === undefined) {
    throw new Error(`${input.type}: personal fields need a subject (the data field naming the data subject)`);
  }
  return { ...input, previous };
}

/**
 * Declares an older version with a typed upcaster: `upcast` receives this version's parsed data and
 * must return input for the schema of the version after it (first argument, used only for typing),
 * so a wrong mapping fails to compile.
 */
export function previousVersion<S extends z.core.$ZodType, N extends z.core.$ZodType>(
  _next: N,
  definition: {
    readonly version: number;
    readonly description: string;
    readonly schema: S;
    readonly example: z.input<S>;
    readonly upcast: (data: z.output<S>) => z.input<N>;
  },
): PreviousVersion {
  return {
    version: definition.version,
    description: definition.description,
    schema: definition.schema,
    example: definition.example,
    upcast: (data) => definition.upcast(data as z.output<S>),
  };
}

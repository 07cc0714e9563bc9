import { randomUUID } from 'node:crypto';
import type * as z from 'zod';
import {
  type AnyEvent,
  type EventDataInput,
  type EventType,
  eventCatalog,
  eventTypes,
  isEventType,
  type TypedEnvelope,
  unknownEventTypeError,
} from '../../contexts/orders/events/catalog.ts';
import { ValidationError } from '../errors/pipeline-error.ts';
import type { EventDefinition, EventSource } from './define.ts';
import { assertEntryFits } from './entry-size.ts';
import { type EventEnvelope, joinPath, parseEnvelope, toValidationError } from './envelope.ts';

/** Options of {@link parseEvent}. */
export interface ParseEventOptions {
  /** Prepended to every error path, e.g. `detail` when the envelope sits in an EventBridge event. */
  readonly pathPrefix?: string;
}

interface Step {
  readonly version: number;
  readonly schema: z.ZodType;
  /** Upcaster to the next step; absent on the newest version. */
  readonly upcast?: (data: unknown) => unknown;
}

const chains = new Map<EventType, readonly Step[]>(
  eventTypes.map((type) => {
    const definition: EventDefinition = eventCatalog[type];
    return [type, [...definition.previous, { version: definition.version, schema: definition.schema }]];
  }),
);

function validate(schema: z.ZodType, data: unknown, path: string, context = ''): unknown {
  const result = schema.safeParse(data);
  if (!result.success) throw toValidationError(result.error, path, context);
  return result.data;
}

/** Validates `data` as `version` of `type`, then upcasts it step by step to the newest version. */
function upcastToLatest(type: EventType, version: number, data: unknown, prefix: string): unknown {
  const chain = chains.get(type) ?? [];
  const start = chain.findIndex((step) => step.version === version);
  if (start < 0) {
    const known = chain.map((step) => step.version).join(', ');
    throw new ValidationError(
      `unknown version ${version} of ${type}; known versions: ${known}`,
      joinPath(prefix, 'version'),
    );
  }
  const dataPath = joinPath(prefix, 'data');
  let current = validate((chain[start] as Step).schema, data, dataPath);
  for (let index = start + 1; index < chain.length; index++) {
    const from = chain[index - 1] as Step;
    const to = chain[index] as Step;
    const upcast = from.upcast ?? ((value: unknown) => value);
    current = validate(
      to.schema,
      upcast(current),
      dataPath,
      `after upcasting v${from.version} to v${to.version}: `,
    );
  }
  return current;
}

/**
 * Validates an unknown value as a catalog event and returns it at its newest version.
 * Checks the envelope, then the type (suggesting near names), the version (listing known ones) and the
 * data; every failure is a {@link ValidationError} whose `path` names the field, e.g. `data.items.0.qty`.
 * The `source` is not checked against the owner in the catalog, so replays and tools may use their own.
 * An event above the entry size limit (256 KB, as `createEvent` enforces) is refused at `pathPrefix`.
 */
export function parseEvent(value: unknown, options: ParseEventOptions = {}): AnyEvent {
  const prefix = options.pathPrefix ?? '';
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError('event must be a JSON object', prefix);
  }
  const rawType: unknown = (value as { type?: unknown }).type;
  if (typeof rawType === 'string' && !isEventType(rawType))
    throw unknownEventTypeError(rawType, joinPath(prefix, 'type'));
  const envelope = parseEnvelope(value, prefix);
  const type = envelope.type as EventType;
  const data = upcastToLatest(type, envelope.version, envelope.data, prefix);
  const event = { ...envelope, version: eventCatalog[type].version, data } as AnyEvent;
  // Producers must fit one 256 KB entry (createEvent checks); the bus itself takes up to 1 MB, so a
  // consumer refuses a larger event here, before any handler acts on it (it could not store or pass it on).
  assertEntryFits({ Source: event.source, DetailType: event.type, Detail: serialize(event, prefix) }, prefix);
  return event;
}

/** JSON text of a parsed event; opaque `metadata` nested thousands of levels deep overflows the stack. */
function serialize(event: AnyEvent, path: string): string {
  try {
    return JSON.stringify(event);
  } catch (cause) {
    throw new ValidationError('event cannot be serialized (nested too deeply)', path, cause);
  }
}

/** What {@link createEvent} needs besides the data; ids and time default to fresh ones. */
export interface CreateEventOptions {
  readonly correlationId: string;
  readonly causationId?: string;
  /** @default the owner in the catalog */
  readonly source?: EventSource;
  /** @default `deps.newId()` */
  readonly id?: string;
  /** @default `deps.now()` */
  readonly time?: Date | string;
  readonly metadata?: Record<string, unknown>;
}

/** Clock and id generator of {@link createEvent}, injectable for deterministic tests. */
export interface EventFactoryDeps {
  readonly now: () => Date;
  readonly newId: () => string;
}

/** Production defaults: wall clock and random UUIDs. */
export const defaultEventFactoryDeps: EventFactoryDeps = {
  now: () => new Date(),
  newId: () => randomUUID(),
};

/**
 * Builds a newest-version envelope of `type`, validating the data (paths `data.…`), the ids and the
 * size: an event that would not fit one EventBridge entry fails here, before it is stored anywhere.
 */
export function createEvent<T extends EventType>(
  type: T,
  data: EventDataInput<T>,
  options: CreateEventOptions,
  deps: EventFactoryDeps = defaultEventFactoryDeps,
): TypedEnvelope<T> {
  const definition: EventDefinition = eventCatalog[type];
  const validData = validate(definition.schema, data, 'data');
  const time = options.time ?? deps.now();
  // The envelope is checked with empty data: the data was just validated and may be large.
  const head = parseEnvelope({
    id: options.id ?? deps.newId(),
    type,
    version: definition.version,
    source: options.source ?? definition.source,
    time: typeof time === 'string' ? time : time.toISOString(),
    correlationId: options.correlationId,
    ...(options.causationId === undefined ? {} : { causationId: options.causationId }),
    data: {},
    ...(options.metadata === undefined ? {} : { metadata: options.metadata }),
  });
  const envelope = { ...head, data: validData } as TypedEnvelope<T>;
  assertEntryFits({ Source: envelope.source, DetailType: type, Detail: JSON.stringify(envelope) }, 'data');
  return envelope;
}

/** The ids a follow-up event takes from the event that caused it. */
export function causedBy(parent: Pick<EventEnvelope, 'id' | 'correlationId'>): {
  correlationId: string;
  causationId: string;
} {
  return { correlationId: parent.correlationId, causationId: parent.id };
}

/** A valid event of `type` built from the catalog example, for docs, the CLI and tests. */
export function exampleEvent<T extends EventType>(
  type: T,
  options: Partial<CreateEventOptions> = {},
  deps: EventFactoryDeps = defaultEventFactoryDeps,
): TypedEnvelope<T> {
  const example = eventCatalog[type].example as EventDataInput<T>;
  return createEvent(type, example, { correlationId: `example-${type}`, ...options }, deps);
}

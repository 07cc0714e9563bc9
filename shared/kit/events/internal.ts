import {
  type AnyCatalog,
  type CreateEventOptions,
  defaultEventFactoryDeps,
  type EventFactoryDeps,
} from './catalog.ts';
import { type EventEnvelope, parseEnvelope } from './envelope.ts';

/**
 * Internal events live in the event store next to catalog events but never leave it: per-SKU stock
 * movements, the saga's own state transitions. They share the envelope (so the store, snapshots and
 * `loadAggregate` treat them alike) and are told apart by `metadata.internal === true` and a type that
 * is not in the catalog. The outbox publishes only {@link isPublishable} events.
 */

/** The metadata key that marks an internal event. */
export const INTERNAL_METADATA_KEY = 'internal';

/** True when the event was written with {@link createInternalEvent}. */
export function isInternalEvent(event: Pick<EventEnvelope<unknown>, 'metadata'>): boolean {
  return event.metadata?.[INTERNAL_METADATA_KEY] === true;
}

/** True for events of `catalog` that are not marked internal: the only events the outbox may publish. */
export function isPublishable(
  catalog: AnyCatalog,
  event: Pick<EventEnvelope<unknown>, 'type' | 'metadata'>,
): boolean {
  return !isInternalEvent(event) && catalog.isType(event.type);
}

/** Options of {@link createInternalEvent}: like `createEvent`, but the source must be named. */
export interface CreateInternalEventOptions extends CreateEventOptions {
  readonly source: string;
}

/**
 * Builds an internal event. Its data is validated by the module that owns the type (the saga engine,
 * the inventory domain), not by the catalog; a type of the owner's `catalog` here is a programming
 * error, because the same name would then mean two different things on the read path.
 */
export function createInternalEvent(
  catalog: AnyCatalog,
  type: string,
  data: object,
  options: CreateInternalEventOptions,
  deps: EventFactoryDeps = defaultEventFactoryDeps,
): EventEnvelope {
  if (catalog.isType(type)) throw new Error(`${type} is a catalog event and cannot be internal`);
  const time = options.time ?? deps.now();
  const head = parseEnvelope({
    id: options.id ?? deps.newId(),
    type,
    version: 1,
    source: options.source,
    time: typeof time === 'string' ? time : time.toISOString(),
    correlationId: options.correlationId,
    ...(options.causationId === undefined ? {} : { causationId: options.causationId }),
    data: {},
    metadata: { ...options.metadata, [INTERNAL_METADATA_KEY]: true },
  });
  return { ...head, data: { ...data } };
}

/**
 * The event store's read-path upcaster for `catalog`: its events are validated and brought to their
 * newest version (so `evolve` functions only know the newest shapes); internal events and types of
 * other catalogs pass through, their owners read them as written. Pass it as `upcast` to the event
 * store adapters.
 */
export function storedEventUpcaster(catalog: AnyCatalog): (event: EventEnvelope) => EventEnvelope {
  return (event) => {
    if (isInternalEvent(event) || !catalog.isType(event.type)) return event;
    return catalog.parse(event) as EventEnvelope;
  };
}

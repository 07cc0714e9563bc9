import type * as z from 'zod';
import { ValidationError } from '../../../kit/errors/pipeline-error.ts';
import type { EventDefinition, EventSource } from '../../../kit/events/define.ts';
import type { EventEnvelope } from '../../../kit/events/envelope.ts';
import { nearestNames } from '../../../kit/events/suggest.ts';
import {
  InventoryReleased,
  InventoryReservationFailed,
  InventoryReserved,
  NotificationSent,
  PaymentAuthorized,
  PaymentDeclined,
} from './fulfilment.ts';
import { OrderCancelled, OrderConfirmed, OrderPlaced, OrderRejected } from './orders.ts';
import {
  InventoryReleaseRequested,
  InventoryReservationRequested,
  PaymentAuthorizationRequested,
  PaymentVoided,
  PaymentVoidRequested,
  SagaStepTimedOut,
} from './saga.ts';

export type { EventDefinition, EventSource, PreviousVersion } from '../../../kit/events/define.ts';
export { EVENT_SOURCES } from '../../../kit/events/define.ts';

type ByType<D extends readonly EventDefinition[]> = { readonly [E in D[number] as E['type']]: E };

function indexByType<const D extends readonly EventDefinition[]>(definitions: D): ByType<D> {
  const byType: Record<string, EventDefinition> = {};
  for (const definition of definitions) {
    if (byType[definition.type]) throw new Error(`event type ${definition.type} is defined twice`);
    byType[definition.type] = definition;
  }
  return byType as ByType<D>;
}

/** Every event of the product, each defined once, keyed by type. Add new event types here. */
export const eventCatalog = indexByType([
  OrderPlaced,
  InventoryReserved,
  InventoryReservationFailed,
  PaymentAuthorized,
  PaymentDeclined,
  OrderConfirmed,
  OrderCancelled,
  OrderRejected,
  InventoryReleased,
  NotificationSent,
  InventoryReservationRequested,
  InventoryReleaseRequested,
  PaymentAuthorizationRequested,
  PaymentVoidRequested,
  PaymentVoided,
  SagaStepTimedOut,
]);

/** Name of a catalog event; a misspelled literal is a compile error. */
export type EventType = keyof typeof eventCatalog;

/** Data of the newest version of `T`, the only version consumers ever see. */
export type EventData<T extends EventType> = z.output<(typeof eventCatalog)[T]['schema']>;

/** Input accepted for the data of `T` when creating an event (before zod defaults apply). */
export type EventDataInput<T extends EventType> = z.input<(typeof eventCatalog)[T]['schema']>;

/** Envelope of the newest version of `T`. */
export type TypedEnvelope<T extends EventType> = Omit<EventEnvelope, 'type' | 'data'> & {
  type: T;
  data: EventData<T>;
};

/** Any catalog event; `switch (event.type)` narrows `event.data`. */
export type AnyEvent = { [T in EventType]: TypedEnvelope<T> }[EventType];

/** All event type names, in catalog order. */
export const eventTypes = Object.keys(eventCatalog) as EventType[];

/** True when `name` is a catalog event type. */
export function isEventType(name: string): name is EventType {
  return Object.hasOwn(eventCatalog, name);
}

/** The error for a name that is not in the catalog, suggesting the nearest catalog names. */
export function unknownEventTypeError(name: string, path: string): ValidationError {
  const near = nearestNames(name, eventTypes);
  const hint =
    near.length > 0 ? `did you mean ${near.join(' or ')}?` : `known types: ${eventTypes.join(', ')}`;
  return new ValidationError(`unknown event type '${name}'; ${hint}`, path);
}

/** The definition of `type`, with its newest version and the older versions it can still read. */
export function definitionOf<T extends EventType>(type: T): (typeof eventCatalog)[T] {
  return eventCatalog[type];
}

/** One (type, version) pair of the catalog, flattened for listings and schema export. */
export interface CatalogVersion {
  readonly type: EventType;
  readonly version: number;
  readonly latest: boolean;
  readonly source: EventSource;
  readonly description: string;
  readonly schema: z.ZodType;
  readonly example: unknown;
}

/** Every version of every event, grouped by type in catalog order, oldest version first. */
export function catalogVersions(): CatalogVersion[] {
  return eventTypes.flatMap((type) => {
    const definition: EventDefinition = eventCatalog[type];
    const { source } = definition;
    const older = definition.previous.map(({ version, description, schema, example }): CatalogVersion => {
      return { type, version, latest: false, source, description, schema, example };
    });
    const { version, description, schema, example } = definition;
    return [...older, { type, version, latest: true, source, description, schema, example }];
  });
}

/** A row of {@link describeCatalog}. */
export interface CatalogRow {
  readonly type: EventType;
  readonly version: number;
  readonly latest: boolean;
  readonly source: EventSource;
  readonly description: string;
}

/** One row per event type and version, for the CLI's catalog listing. */
export function describeCatalog(): CatalogRow[] {
  return catalogVersions().map(({ type, version, latest, source, description }) => ({
    type,
    version,
    latest,
    source,
    description,
  }));
}

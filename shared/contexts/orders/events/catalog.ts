import type { ValidationError } from '../../../kit/errors/pipeline-error.ts';
import {
  type CatalogRow,
  type CatalogVersion,
  type CreateEventOptions,
  type DataInputOf,
  type DataOf,
  defaultEventFactoryDeps,
  defineCatalog,
  type EnvelopeOf,
  type EventFactoryDeps,
  type EventOf,
  type FactOf,
  type ParseEventOptions,
  type TypeOf,
} from '../../../kit/events/catalog.ts';
import { SagaStepTimedOut } from '../../../kit/saga/timer-event.ts';
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
} from './saga.ts';

export type {
  CatalogRow,
  CatalogVersion,
  CreateEventOptions,
  EventFactoryDeps,
  ParseEventOptions,
} from '../../../kit/events/catalog.ts';
export { causedBy, defaultEventFactoryDeps } from '../../../kit/events/catalog.ts';
export type { EventDefinition, PreviousVersion } from '../../../kit/events/define.ts';

/** The services of the orders context; each names the owner of its events (`source`). */
export const EVENT_SOURCES = [
  'orders.api',
  'orders.inventory',
  'orders.payment',
  'orders.saga',
  'orders.notifications',
] as const;

/** Owner of an order event. */
export type EventSource = (typeof EVENT_SOURCES)[number];

/** Every event of the orders context, each defined once, keyed by type. Add new event types here. */
export const ordersCatalog = defineCatalog(
  'orders',
  [
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
  ],
  // The saga engine's timer, one definition for every context (its envelopes carry `orders.saga`).
  { foreign: [SagaStepTimedOut] },
);

/** The order catalog's definitions: the type parameter of the kit's generic handlers and sagas. */
export type Orders = (typeof ordersCatalog)['definitions'];

/** The definitions, keyed by type. */
export const eventCatalog: Orders = ordersCatalog.definitions;

/** Name of an order event; a misspelled literal is a compile error. */
export type EventType = TypeOf<Orders>;

/** Data of the newest version of `T`, the only version consumers ever see. */
export type EventData<T extends EventType> = DataOf<Orders, T>;

/** Input accepted for the data of `T` when creating an event (before zod defaults apply). */
export type EventDataInput<T extends EventType> = DataInputOf<Orders, T>;

/** Envelope of the newest version of `T`. */
export type TypedEnvelope<T extends EventType> = EnvelopeOf<Orders, T>;

/** Any order event; `switch (event.type)` narrows `event.data`. */
export type AnyEvent = EventOf<Orders>;

/** An order event type and its data: what a pure `decide` returns. */
export type Fact = FactOf<Orders>;

/** Builds a {@link Fact} with the data checked against the type at compile time. */
export function fact<T extends EventType>(type: T, data: EventDataInput<T>): Fact {
  return { type, data } as Fact;
}

/** All event type names, in catalog order. */
export const eventTypes: readonly EventType[] = ordersCatalog.types;

/** True when `name` is an order event type. */
export function isEventType(name: string): name is EventType {
  return ordersCatalog.isType(name);
}

/** The error for a name that is not in the catalog, suggesting the nearest catalog names. */
export function unknownEventTypeError(name: string, path: string): ValidationError {
  return ordersCatalog.unknownTypeError(name, path);
}

/** The definition of `type`, with its newest version and the older versions it can still read. */
export function definitionOf<T extends EventType>(type: T): Orders[T] {
  return ordersCatalog.definitionOf(type);
}

/** Every version of every event, grouped by type in catalog order, oldest version first. */
export function catalogVersions(): CatalogVersion[] {
  return ordersCatalog.versions();
}

/** One row per event type and version, for the CLI's catalog listing. */
export function describeCatalog(): CatalogRow[] {
  return ordersCatalog.describe();
}

/** Validates and upcasts an order event (see `Catalog.parse`). */
export function parseEvent(value: unknown, options: ParseEventOptions = {}): AnyEvent {
  return ordersCatalog.parse(value, options);
}

/** Builds a newest-version order event (see `Catalog.create`). */
export function createEvent<T extends EventType>(
  type: T,
  data: EventDataInput<T>,
  options: CreateEventOptions,
  deps: EventFactoryDeps = defaultEventFactoryDeps,
): TypedEnvelope<T> {
  return ordersCatalog.create(type, data, options, deps);
}

/** A valid event of `type` built from the catalog example, for docs, the CLI and tests. */
export function exampleEvent<T extends EventType>(
  type: T,
  options: Partial<CreateEventOptions> = {},
  deps: EventFactoryDeps = defaultEventFactoryDeps,
): TypedEnvelope<T> {
  return ordersCatalog.example(type, options, deps);
}

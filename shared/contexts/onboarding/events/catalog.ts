import {
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
import { OrderConfirmed } from '../../orders/events/orders.ts';
import {
  DefaultSettingsApplied,
  DefaultSettingsRemoved,
  FirstOrderRecorded,
  UserProfileChanged,
  UserProfileChangeRejected,
  UserProfileUpdated,
  UserRegistered,
  UserRegistrationRejected,
  UserRegistrationRevoked,
  WelcomeMessageFailed,
  WelcomeMessageSent,
} from './schemas.ts';

/**
 * The helpers are prefixed (`OnboardingFact`, `parseOnboardingEvent`…) so that code reading both
 * contexts never has two `Fact` or `parseEvent` in scope.
 */

/** The services of the onboarding context; each names the owner of its events (`source`). */
export const ONBOARDING_EVENT_SOURCES = [
  'onboarding.accounts',
  'onboarding.welcome',
  'onboarding.settings',
  'onboarding.profiles',
] as const;

/** Owner of an onboarding event. */
export type OnboardingEventSource = (typeof ONBOARDING_EVENT_SOURCES)[number];

/**
 * Every event of the onboarding context, each defined once, plus the orders context's `OrderConfirmed`
 * as the orders context defines it (the same object, so merged catalogs agree).
 */
export const onboardingCatalog = defineCatalog(
  'onboarding',
  [
    UserRegistered,
    UserRegistrationRejected,
    WelcomeMessageSent,
    WelcomeMessageFailed,
    UserRegistrationRevoked,
    DefaultSettingsApplied,
    DefaultSettingsRemoved,
    UserProfileChanged,
    UserProfileChangeRejected,
    UserProfileUpdated,
    FirstOrderRecorded,
  ],
  { foreign: [OrderConfirmed] },
);

/** The onboarding catalog's definitions: the type parameter of the kit's generic handlers. */
export type Onboarding = (typeof onboardingCatalog)['definitions'];

/** Name of an event the onboarding context reads or writes; a misspelled literal is a compile error. */
export type OnboardingEventType = TypeOf<Onboarding>;

/** Data of the newest version of `T`, the only version consumers ever see. */
export type OnboardingEventData<T extends OnboardingEventType> = DataOf<Onboarding, T>;

/** Input accepted for the data of `T` when creating an event (before zod defaults apply). */
export type OnboardingEventDataInput<T extends OnboardingEventType> = DataInputOf<Onboarding, T>;

/** Envelope of the newest version of `T`. */
export type OnboardingEnvelope<T extends OnboardingEventType> = EnvelopeOf<Onboarding, T>;

/** Any event of the catalog; `switch (event.type)` narrows `event.data`. */
export type AnyOnboardingEvent = EventOf<Onboarding>;

/** An onboarding event type and its data: what a pure `decide` returns. */
export type OnboardingFact = FactOf<Onboarding>;

/** Builds an {@link OnboardingFact} with the data checked against the type at compile time. */
export function onboardingFact<T extends OnboardingEventType>(
  type: T,
  data: OnboardingEventDataInput<T>,
): OnboardingFact {
  return { type, data } as OnboardingFact;
}

/** Validates and upcasts an onboarding event (see `Catalog.parse`). */
export function parseOnboardingEvent(value: unknown, options: ParseEventOptions = {}): AnyOnboardingEvent {
  return onboardingCatalog.parse(value, options);
}

/** Builds a newest-version onboarding event (see `Catalog.create`). */
export function createOnboardingEvent<T extends OnboardingEventType>(
  type: T,
  data: OnboardingEventDataInput<T>,
  options: CreateEventOptions,
  deps: EventFactoryDeps = defaultEventFactoryDeps,
): OnboardingEnvelope<T> {
  return onboardingCatalog.create(type, data, options, deps);
}

/** A valid event of `type` built from the catalog example, for docs, the CLI and tests. */
export function exampleOnboardingEvent<T extends OnboardingEventType>(
  type: T,
  options: Partial<CreateEventOptions> = {},
  deps: EventFactoryDeps = defaultEventFactoryDeps,
): OnboardingEnvelope<T> {
  return onboardingCatalog.example(type, options, deps);
}

/**
 * The commands producers send into onboarding, each taken first-hand by its one writer, the accounts
 * consumer, which stores it as-is in the user's stream. Every other event reaches a consumer only
 * after the event store accepted it.
 */
export const ONBOARDING_INTAKE_TYPES = [
  'UserRegistered',
  'UserProfileChanged',
] as const satisfies readonly OnboardingEventType[];

/**
 * What onboarding tells other contexts on the bus. The rest (welcome, settings, profile records,
 * refusals) stays between its own consumers.
 */
export const ONBOARDING_INTEGRATION_EVENT_TYPES = [
  'UserRegistered',
  'UserRegistrationRevoked',
  'FirstOrderRecorded',
] as const satisfies readonly OnboardingEventType[];

import type { ContextDefinition } from '../kit/context.ts';
import { type AnyCatalog, type Catalog, mergeCatalogs } from '../kit/events/catalog.ts';
import { onboardingContext } from './onboarding/definition.ts';
import { ordersCatalog } from './orders/events/catalog.ts';
import { ORDER_INTAKE_TYPES } from './orders/use-cases/intake.ts';

/**
 * The contexts deployed from a definition (catalog, integration events, consumers): the stack derives
 * their queues, rules, grants and outbox routes. Adding a context adds its definition here.
 */
export const DECLARED_CONTEXTS: readonly ContextDefinition[] = [onboardingContext];

/**
 * Every context's catalog: the hand-composed orders context and the declared ones. The pipeline's
 * tools (catalog listing, inject, tail, trace, replay), the outbox and the recorder read events of
 * every context through {@link pipelineCatalog}.
 */
export const CONTEXT_CATALOGS: readonly AnyCatalog[] = [
  ordersCatalog,
  ...DECLARED_CONTEXTS.map((context) => context.catalog),
];

/** Every event type of every context, merged (a type two contexts share must be one definition). */
export const pipelineCatalog: Catalog = mergeCatalogs(CONTEXT_CATALOGS);

/** The commands producers put on the bus, each taken first-hand by one consumer (its intake). */
export const PRODUCER_INTAKE_TYPES: readonly string[] = [
  ...ORDER_INTAKE_TYPES,
  ...DECLARED_CONTEXTS.flatMap((context) => context.consumers.flatMap((consumer) => consumer.intake ?? [])),
];

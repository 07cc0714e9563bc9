import type { ContextDefinition } from '../kit/context.ts';
import { type AnyCatalog, type Catalog, mergeCatalogs } from '../kit/events/catalog.ts';
import { onboardingContext } from './onboarding/definition.ts';
import { ordersContext } from './orders/definition.ts';

/**
 * The contexts, each deployed from its definition (catalog, integration events, consumers, tables,
 * topics): the stack derives their queues, rules, grants, outbox routes, dashboard rows and outputs.
 * Adding a context is this one line (its definition; the catalog comes with it). Definitions are
 * plain data that build no handler map, so the outbox and the recorder, which read every catalog from
 * here, bundle the catalogs and not the consumers.
 */
export const DECLARED_CONTEXTS: readonly ContextDefinition[] = [ordersContext, onboardingContext];

/** The commands producers put on the bus, each taken first-hand by one consumer (its intake). */
export const PRODUCER_INTAKE_TYPES: readonly string[] = DECLARED_CONTEXTS.flatMap((context) =>
  context.consumers.flatMap((consumer) => consumer.intake ?? []),
);

/** Every context's catalog, in the order of `DECLARED_CONTEXTS`. */
export const CONTEXT_CATALOGS: readonly AnyCatalog[] = DECLARED_CONTEXTS.map((context) => context.catalog);

/** Every event type of every context, merged (a type two contexts share must be one definition). */
export const pipelineCatalog: Catalog = mergeCatalogs(CONTEXT_CATALOGS);

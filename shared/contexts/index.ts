import type { ContextDefinition } from '../kit/context.ts';
import { onboardingContext } from './onboarding/definition.ts';
import { ordersContext } from './orders/definition.ts';

export { CONTEXT_CATALOGS, pipelineCatalog } from './catalogs.ts';

/**
 * The contexts, each deployed from its definition (catalog, integration events, consumers, tables,
 * topics): the stack derives their queues, rules, grants, outbox routes, dashboard rows and outputs.
 * Adding a context adds its definition here (and its catalog to `catalogs.ts`).
 */
export const DECLARED_CONTEXTS: readonly ContextDefinition[] = [ordersContext, onboardingContext];

/** The commands producers put on the bus, each taken first-hand by one consumer (its intake). */
export const PRODUCER_INTAKE_TYPES: readonly string[] = DECLARED_CONTEXTS.flatMap((context) =>
  context.consumers.flatMap((consumer) => consumer.intake ?? []),
);

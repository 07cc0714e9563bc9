import { type AnyCatalog, type Catalog, mergeCatalogs } from '../kit/events/catalog.ts';
import { onboardingCatalog } from './onboarding/events/catalog.ts';
import { ordersCatalog } from './orders/events/catalog.ts';

/**
 * Every context's catalog, in the order of `DECLARED_CONTEXTS` (a unit test holds them equal). Apart
 * from the definitions so that functions reading every context's events (the outbox, the recorder)
 * bundle the catalogs only, not the handler maps the definitions read their types from.
 */
export const CONTEXT_CATALOGS: readonly AnyCatalog[] = [ordersCatalog, onboardingCatalog];

/** Every event type of every context, merged (a type two contexts share must be one definition). */
export const pipelineCatalog: Catalog = mergeCatalogs(CONTEXT_CATALOGS);

import { type AnyCatalog, type Catalog, mergeCatalogs } from '../kit/events/catalog.ts';
import { ordersCatalog } from './orders/events/catalog.ts';

/**
 * The bounded contexts deployed together, by their catalogs. The pipeline's tools (catalog listing,
 * inject, tail, trace, replay) and the outbox read events of every context through {@link pipelineCatalog}.
 * Adding a context adds its catalog here.
 */
export const CONTEXT_CATALOGS: readonly AnyCatalog[] = [ordersCatalog];

/** Every event type of every context, merged (a type two contexts share must be one definition). */
export const pipelineCatalog: Catalog = mergeCatalogs(CONTEXT_CATALOGS);

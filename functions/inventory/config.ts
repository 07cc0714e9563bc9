import { ordersCatalog } from '../../shared/contexts/orders/events/catalog.ts';
import { consumerEnvSchema, productionConsumerDeps } from '../../shared/kit/consumer/config.ts';
import { eventStoreEnvSchema, productionEventStore } from '../../shared/kit/event-store/production.ts';
import * as z from '../../shared/kit/zod.ts';

const envSchema = z.extend(consumerEnvSchema, eventStoreEnvSchema.shape);

/** Parsed once at cold start: a missing variable fails the init, not every record. */
export const env = envSchema.parse(process.env);

export const consumerDeps = productionConsumerDeps('inventory', env);

export const { store, storedCheck } = productionEventStore(env, ordersCatalog);

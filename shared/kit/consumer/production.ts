import type { EventStore } from '../event-store/port.ts';
import { eventStoreEnvSchema, productionEventStore } from '../event-store/production.ts';
import type { Catalog, Definitions, TypeOf } from '../events/catalog.ts';
import { consumerEnvSchema, productionConsumerDeps } from './config.ts';
import { createSqsConsumer, type SqsConsumer } from './runtime.ts';
import type { EventHandlers } from './types.ts';

const envSchema = consumerEnvSchema.extend(eventStoreEnvSchema.shape);

/**
 * The Lambda handler of one consumer of a declared context (`<context>-<name>`), wired once at cold
 * start: its environment parsed (a missing variable fails the init, not every record), the event store
 * on TABLE_NAME (stored marks checked against it, first-hand ids claimed in it), the kit's consumer
 * runtime around the context's handlers. `intake`: the types it takes first-hand from producers;
 * every other event must carry the outbox's stored mark. A context's Lambda file is then one line:
 *
 *   export const handler = contextConsumer(onboardingCatalog, 'settings', (store) => settingsHandlers({ store }));
 */
export function contextConsumer<D extends Definitions>(
  catalog: Catalog<D>,
  name: string,
  handlers: (store: EventStore) => EventHandlers<D>,
  intake: readonly TypeOf<D>[] = [],
): SqsConsumer {
  const consumer = `${catalog.name}-${name}`;
  const env = envSchema.parse(process.env);
  const { store, storedCheck, inputClaims } = productionEventStore(env, catalog);
  return createSqsConsumer({
    catalog,
    name: consumer,
    handlers: handlers(store),
    intake,
    storedCheck,
    ...(intake.length > 0 ? { inputClaims } : {}),
    ...productionConsumerDeps(consumer, env),
  });
}

import type { EventStore } from '../event-store/port.ts';
import { eventStoreEnvSchema, productionEventStore } from '../event-store/production.ts';
import type { Catalog, Definitions, TypeOf } from '../events/catalog.ts';
import { productionSubjectKeys, subjectKeysEnvSchema } from '../personal-data/production.ts';
import type { SubjectKeys } from '../personal-data/subject-keys.ts';
import * as z from '../zod.ts';
import { consumerEnvSchema, productionConsumerDeps } from './config.ts';
import { createSqsConsumer, type SqsConsumer } from './runtime.ts';
import type { EventHandlers } from './types.ts';

const envSchema = z.extend(consumerEnvSchema, eventStoreEnvSchema.shape);

/** What a context's handlers get besides the store: the subject keys, where the stack granted them. */
export interface ConsumerTools {
  /** Set on consumers whose definition says `personalData` (`SUBJECT_KEYS_TABLE` in their environment). */
  readonly subjectKeys?: SubjectKeys;
}

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
  handlers: (store: EventStore, tools: ConsumerTools) => EventHandlers<D>,
  intake: readonly TypeOf<D>[] = [],
): SqsConsumer {
  const consumer = `${catalog.name}-${name}`;
  const env = envSchema.parse(process.env);
  const { store, storedCheck, inputClaims, client } = productionEventStore(env, catalog);
  const subjectKeys =
    process.env.SUBJECT_KEYS_TABLE === undefined
      ? undefined
      : productionSubjectKeys(subjectKeysEnvSchema.parse(process.env), client);
  return createSqsConsumer({
    catalog,
    name: consumer,
    handlers: handlers(store, subjectKeys === undefined ? {} : { subjectKeys }),
    intake,
    // An intake encrypts what producers sent before it hashes, claims or stores it.
    ...(subjectKeys !== undefined && intake.length > 0 ? { subjectKeys } : {}),
    storedCheck,
    ...(intake.length > 0 ? { inputClaims } : {}),
    ...productionConsumerDeps(consumer, env),
  });
}

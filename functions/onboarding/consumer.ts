import * as z from 'zod';
import { type Onboarding, onboardingCatalog } from '../../shared/contexts/onboarding/events/catalog.ts';
import { consumerEnvSchema, productionConsumerDeps } from '../../shared/kit/consumer/config.ts';
import { createSqsConsumer, type SqsConsumer } from '../../shared/kit/consumer/runtime.ts';
import type { EventHandlers } from '../../shared/kit/consumer/types.ts';
import type { EventStore } from '../../shared/kit/event-store/port.ts';
import { productionEventStore } from '../../shared/kit/event-store/production.ts';
import type { TypeOf } from '../../shared/kit/events/catalog.ts';

const envSchema = consumerEnvSchema.extend({ TABLE_NAME: z.string().min(1) });

/**
 * The Lambda handler of one onboarding consumer (`onboarding-<name>`), wired once at cold start: its
 * environment parsed, the event store on TABLE_NAME (stored marks checked against it, first-hand ids
 * claimed in it), the kit's consumer runtime around the context's handlers. `intake`: the types it
 * takes first-hand from producers; every other event must carry the outbox's stored mark.
 */
export function onboardingConsumer(
  name: string,
  handlers: (store: EventStore) => EventHandlers<Onboarding>,
  intake: readonly TypeOf<Onboarding>[] = [],
): SqsConsumer {
  const consumer = `onboarding-${name}`;
  const env = envSchema.parse(process.env);
  const { store, storedCheck, inputClaims } = productionEventStore(env, onboardingCatalog);
  return createSqsConsumer({
    catalog: onboardingCatalog,
    name: consumer,
    handlers: handlers(store),
    intake,
    storedCheck,
    ...(intake.length > 0 ? { inputClaims } : {}),
    ...productionConsumerDeps(consumer, env),
  });
}

import { ordersCatalog } from '../../shared/contexts/orders/events/catalog.ts';
import { orderSaga } from '../../shared/contexts/orders/sagas/order-saga.ts';
import { consumerEnvSchema, productionConsumerDeps } from '../../shared/kit/consumer/config.ts';
import { eventStoreEnvSchema, productionEventStore } from '../../shared/kit/event-store/production.ts';
import { createSagaMetrics } from '../../shared/kit/observability/saga-metrics.ts';
import { productionSubjectKeys, subjectKeysEnvSchema } from '../../shared/kit/personal-data/production.ts';
import { productionSagaTimers, sagaTimerEnvSchema } from '../../shared/kit/saga/config.ts';
import { withSagaMetrics } from '../../shared/kit/saga/metrics.ts';
import * as z from '../../shared/kit/zod.ts';

const envSchema = z.extend(z.extend(consumerEnvSchema, sagaTimerEnvSchema.shape), {
  ...eventStoreEnvSchema.shape,
  ...subjectKeysEnvSchema.shape,
  /** Deadline of every step and compensation; set by stage (short in dev so timeouts show quickly). */
  SAGA_STEP_TIMEOUT_MS: z.coerce.number().check(z.int(), z.positive()),
});

/** Parsed once at cold start: a missing variable fails the init, not every record. */
export const env = envSchema.parse(process.env);

export const consumerDeps = productionConsumerDeps('saga', env);

export const saga = orderSaga({ stepTimeoutMs: env.SAGA_STEP_TIMEOUT_MS });

const production = productionEventStore(env, ordersCatalog);

/**
 * Checks the stored mark of the replies the saga reacts to against the event store, and claims the id
 * of each OrderPlaced it takes first-hand, so an id reused for another order is refused.
 */
export const { storedCheck, inputClaims } = production;

/** Keys of the customers: the saga's intake encrypts their personal fields before storing an order. */
export const subjectKeys = productionSubjectKeys(env, production.client);

/** The event store, counting saga starts, completions and compensations for the dashboard. */
export const store = withSagaMetrics(
  production.store,
  createSagaMetrics(env.POWERTOOLS_SERVICE_NAME ?? 'order-saga'),
);

/**
 * Step deadlines: delayed messages to this consumer's own (standard) queue, or, further away than the
 * stage's threshold, one-time EventBridge Scheduler schedules delivering the same message there.
 */
export const timers = productionSagaTimers(env, consumerDeps.sqs);

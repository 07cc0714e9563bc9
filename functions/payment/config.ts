import { DynamoDbSimulatedPaymentProvider } from '../../shared/contexts/orders/adapters/dynamodb-simulated-payment-provider.ts';
import { ordersCatalog } from '../../shared/contexts/orders/events/catalog.ts';
import { CircuitBreaker } from '../../shared/kit/consumer/circuit-breaker.ts';
import { consumerEnvSchema, productionConsumerDeps } from '../../shared/kit/consumer/config.ts';
import { eventStoreEnvSchema, productionEventStore } from '../../shared/kit/event-store/production.ts';
import * as z from '../../shared/kit/zod.ts';

const envSchema = z.extend(consumerEnvSchema, {
  ...eventStoreEnvSchema.shape,
  /** Bound of one provider call; the function timeout covers a whole batch of them. */
  PAYMENT_CALL_TIMEOUT_MS: z.coerce.number().check(z.int(), z.positive()),
  CIRCUIT_FAILURE_THRESHOLD: z._default(z.coerce.number().check(z.int(), z.positive()), 5),
  CIRCUIT_COOL_DOWN_MS: z._default(z.coerce.number().check(z.int(), z.nonnegative()), 30_000),
});

/** Parsed once at cold start: a missing variable fails the init, not every record. */
export const env = envSchema.parse(process.env);

export const consumerDeps = productionConsumerDeps('payment', env);

const { client, store, storedCheck } = productionEventStore(env, ordersCatalog);

/** Checks the stored mark of every event against the event store before acting on it. */
export { store, storedCheck };

/**
 * The scripted provider of the reference product (`tok_declined`, `tok_timeout`, `tok_flaky`), keeping
 * its attempts and answers in the table so they survive across invocations and environments.
 */
export const provider = new DynamoDbSimulatedPaymentProvider({ client, tableName: env.TABLE_NAME });

/** One per execution environment: protects this environment's invocations from a provider outage. */
export const breaker = new CircuitBreaker({
  name: 'payment-provider',
  failureThreshold: env.CIRCUIT_FAILURE_THRESHOLD,
  coolDownMs: env.CIRCUIT_COOL_DOWN_MS,
  logger: consumerDeps.logger,
});

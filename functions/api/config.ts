import { setTimeout as sleep } from 'node:timers/promises';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDbOrderSummaryRepository } from '../../shared/contexts/orders/adapters/dynamodb-order-summaries.ts';
import { ordersCatalog } from '../../shared/contexts/orders/events/catalog.ts';
import { orderSaga } from '../../shared/contexts/orders/sagas/order-saga.ts';
import type { OrdersApiDeps } from '../../shared/contexts/orders/use-cases/api.ts';
import { clientConfig } from '../../shared/kit/aws/client-config.ts';
import { eventStoreEnvSchema, productionEventStore } from '../../shared/kit/event-store/production.ts';
import { defaultEventFactoryDeps } from '../../shared/kit/events/catalog.ts';
import { createLogger } from '../../shared/kit/observability/logger.ts';
import { productionSubjectKeys, subjectKeysEnvSchema } from '../../shared/kit/personal-data/production.ts';
import { productionSagaTimers, sagaTimerEnvSchema } from '../../shared/kit/saga/config.ts';
import * as z from '../../shared/kit/zod.ts';

/**
 * The API function's environment, set by the `OrdersHttpApi` construct. It writes as the saga's intake,
 * so it is told what the saga is: the event store, the step timeout, the saga's queue and timers
 * (`QUEUE_URL`, `TIMER_*`, through `sagaTimerEnvSchema`); and the read model's table.
 */
const envSchema = z.extend(sagaTimerEnvSchema, {
  ...eventStoreEnvSchema.shape,
  ...subjectKeysEnvSchema.shape,
  SUMMARY_TABLE_NAME: z.string().check(z.minLength(1)),
  SAGA_STEP_TIMEOUT_MS: z.coerce.number().check(z.int(), z.positive()),
  POWERTOOLS_SERVICE_NAME: z._default(z.string().check(z.minLength(1)), 'orders-api'),
  /** Longest `Prefer: wait=N` honoured, in seconds (under the function's timeout). */
  API_MAX_WAIT_SECONDS: z._default(z.coerce.number().check(z.int(), z.gte(0), z.lte(25)), 10),
  /** Time between two reads of the saga's stream while a request waits. */
  API_POLL_INTERVAL_MS: z._default(z.coerce.number().check(z.int(), z.gte(50)), 250),
});

/** Parsed once at cold start: a missing variable fails the init, not every request. */
export const env = envSchema.parse(process.env);

const aws = { region: env.AWS_REGION, ...(env.AWS_ENDPOINT_URL ? { endpoint: env.AWS_ENDPOINT_URL } : {}) };
const production = productionEventStore(env, ordersCatalog);
const logger = createLogger(env.POWERTOOLS_SERVICE_NAME);

/** Everything the orders API needs, built once per cold start. */
export const deps: OrdersApiDeps = {
  saga: orderSaga({ stepTimeoutMs: env.SAGA_STEP_TIMEOUT_MS }),
  store: production.store,
  inputClaims: production.inputClaims,
  timers: productionSagaTimers(env, new SQSClient(clientConfig(aws))),
  summaries: new DynamoDbOrderSummaryRepository({
    client: production.client,
    tableName: env.SUMMARY_TABLE_NAME,
  }),
  events: defaultEventFactoryDeps,
  logger,
  // 64 KB leaves an order far inside one EventBridge entry (256 KB) once it is an envelope.
  limits: { maxBodyBytes: 64 * 1024, maxIdempotencyKeyLength: 255, maxWaitSeconds: env.API_MAX_WAIT_SECONDS },
  subjectKeys: productionSubjectKeys(env, production.client),
  wait: { store: production.store, pollIntervalMs: env.API_POLL_INTERVAL_MS, now: Date.now, sleep },
};

import { LoggingNotificationSender } from '../../shared/contexts/orders/adapters/logging-notification-sender.ts';
import { ordersCatalog } from '../../shared/contexts/orders/events/catalog.ts';
import { NOTIFICATION_CHANNELS } from '../../shared/contexts/orders/events/common.ts';
import { consumerEnvSchema, productionConsumerDeps } from '../../shared/kit/consumer/config.ts';
import { eventStoreEnvSchema, productionEventStore } from '../../shared/kit/event-store/production.ts';
import { DynamoDbIdempotencyStore } from '../../shared/kit/idempotency/dynamodb.ts';
import { infoAsDebug } from '../../shared/kit/observability/logger.ts';
import { productionSubjectKeys, subjectKeysEnvSchema } from '../../shared/kit/personal-data/production.ts';
import * as z from '../../shared/kit/zod.ts';

const envSchema = z.extend(consumerEnvSchema, {
  ...eventStoreEnvSchema.shape,
  ...subjectKeysEnvSchema.shape,
  /** The one channel this deployment of the function delivers. */
  CHANNEL: z.enum(NOTIFICATION_CHANNELS),
});

/** Parsed once at cold start: a missing variable fails the init, not every record. */
export const env = envSchema.parse(process.env);

export const consumerDeps = productionConsumerDeps(`notify-${env.CHANNEL}`, env);

const { client, store, storedCheck } = productionEventStore(env, ordersCatalog);

/** Checks the stored mark of every event against the event store before acting on it. */
export { store, storedCheck };

/** Delivery records (one per order, channel and outcome) next to the events, under `ONCE#`. */
export const idempotency = new DynamoDbIdempotencyStore({ client, tableName: env.TABLE_NAME });

/** Keys of the customers: this channel decrypts the address it sends to, and only that. */
export const subjectKeys = productionSubjectKeys(env, client);

/** The simulated gateway's line per delivery is per-record detail: DEBUG, like the runtime's. */
export const sender = new LoggingNotificationSender(infoAsDebug(consumerDeps.logger));

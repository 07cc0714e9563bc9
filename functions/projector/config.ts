import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import * as z from 'zod';
import { DynamoDbOrderSummaryRepository } from '../../shared/contexts/orders/adapters/dynamodb-order-summaries.ts';
import { ordersCatalog } from '../../shared/contexts/orders/events/catalog.ts';
import { clientConfig } from '../../shared/kit/aws/client-config.ts';
import { consumerEnvSchema, productionConsumerDeps } from '../../shared/kit/consumer/config.ts';
import { dynamoDbStoredEventCheck } from '../../shared/kit/event-store/stored-check.ts';

const envSchema = consumerEnvSchema.extend({
  /** The order summary table (the read model), not the event store. */
  TABLE_NAME: z.string().min(1),
  /** The event store: stored marks are checked against it before an event is folded. */
  EVENT_STORE_TABLE: z.string().min(1),
});

/** Parsed once at cold start: a missing variable fails the init, not every record. */
export const env = envSchema.parse(process.env);

export const consumerDeps = productionConsumerDeps('projector', env);

const client = new DynamoDBClient(
  clientConfig({
    region: env.AWS_REGION,
    ...(env.AWS_ENDPOINT_URL ? { endpoint: env.AWS_ENDPOINT_URL } : {}),
  }),
);

export const summaries = new DynamoDbOrderSummaryRepository({ client, tableName: env.TABLE_NAME });

/** A read model never folds an event the store lacks: each stored mark is checked against it first. */
export const storedCheck = dynamoDbStoredEventCheck({
  client,
  tableName: env.EVENT_STORE_TABLE,
  catalog: ordersCatalog,
});

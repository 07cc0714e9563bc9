import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import * as z from 'zod';
import { DynamoDbOrderSummaryRepository } from '../../shared/adapters/dynamodb-order-summaries.ts';
import { clientConfig } from '../../shared/aws/client-config.ts';
import { consumerEnvSchema, productionConsumerDeps } from '../../shared/consumer/config.ts';

const envSchema = consumerEnvSchema.extend({
  /** The order summary table (the read model), not the event store. */
  TABLE_NAME: z.string().min(1),
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

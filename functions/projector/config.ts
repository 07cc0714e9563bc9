import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import * as z from 'zod';
import { DynamoDbOrderSummaryRepository } from '../../shared/contexts/orders/adapters/dynamodb-order-summaries.ts';
import { clientConfig } from '../../shared/kit/aws/client-config.ts';
import { createLogger } from '../../shared/kit/observability/logger.ts';
import { createOutcomeMetrics } from '../../shared/kit/observability/metrics.ts';

const envSchema = z.object({
  /** The order summary table (the read model), not the event store. */
  TABLE_NAME: z.string().min(1),
  AWS_REGION: z.string().min(1).default('us-east-1'),
  /** Local cloud endpoint; absent on AWS. */
  AWS_ENDPOINT_URL: z.string().min(1).optional(),
  /** Set by Lambda for Powertools; also the `service` dimension of metrics. */
  POWERTOOLS_SERVICE_NAME: z.string().min(1).default('projector'),
});

/** Parsed once at cold start: a missing variable fails the init, not every record. */
export const env = envSchema.parse(process.env);

export const logger = createLogger(env.POWERTOOLS_SERVICE_NAME);
export const metrics = createOutcomeMetrics(env.POWERTOOLS_SERVICE_NAME);

const client = new DynamoDBClient(
  clientConfig({
    region: env.AWS_REGION,
    ...(env.AWS_ENDPOINT_URL ? { endpoint: env.AWS_ENDPOINT_URL } : {}),
  }),
);

export const summaries = new DynamoDbOrderSummaryRepository({ client, tableName: env.TABLE_NAME });

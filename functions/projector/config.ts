import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbOrderSummaryRepository } from '../../shared/contexts/orders/adapters/dynamodb-order-summaries.ts';
import { clientConfig } from '../../shared/kit/aws/client-config.ts';
import { createLogger } from '../../shared/kit/observability/logger.ts';
import { createOutcomeMetrics } from '../../shared/kit/observability/metrics.ts';
import * as z from '../../shared/kit/zod.ts';

const envSchema = z.object({
  /** The order summary table (the read model), not the event store. */
  TABLE_NAME: z.string().check(z.minLength(1)),
  AWS_REGION: z._default(z.string().check(z.minLength(1)), 'us-east-1'),
  /** Local cloud endpoint; absent on AWS. */
  AWS_ENDPOINT_URL: z.optional(z.string().check(z.minLength(1))),
  /** Set by Lambda for Powertools; also the `service` dimension of metrics. */
  POWERTOOLS_SERVICE_NAME: z._default(z.string().check(z.minLength(1)), 'projector'),
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

import { SNSClient } from '@aws-sdk/client-sns';
import * as z from 'zod';
import { SnsEventPublisher } from '../../shared/contexts/orders/adapters/sns-event-publisher.ts';
import { clientConfig } from '../../shared/kit/aws/client-config.ts';
import { consumerEnvSchema, productionConsumerDeps } from '../../shared/kit/consumer/config.ts';

const envSchema = consumerEnvSchema.extend({
  /** The notifications topic, fanned out to one queue per channel. */
  TOPIC_ARN: z.string().min(1),
});

/** Parsed once at cold start: a missing variable fails the init, not every record. */
export const env = envSchema.parse(process.env);

export const consumerDeps = productionConsumerDeps('notifier', env);

const sns = new SNSClient(
  clientConfig({
    region: env.AWS_REGION,
    ...(env.AWS_ENDPOINT_URL ? { endpoint: env.AWS_ENDPOINT_URL } : {}),
  }),
);

export const publisher = new SnsEventPublisher({ client: sns, topicArn: env.TOPIC_ARN });

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import * as z from '../../shared/kit/zod.ts';

const configSchema = z.object({
  TABLE_NAME: z.string().check(z.minLength(1)),
  QUEUE_URL: z.string().check(z.minLength(1)),
  /** Where records that can never be recorded go at once, with their reason. */
  DLQ_URL: z.string().check(z.minLength(1)),
  AWS_REGION: z._default(z.string().check(z.minLength(1)), 'us-east-1'),
});

/** Parsed once at cold start: a missing variable fails the init, not every invocation. */
export const config = configSchema.parse(process.env);

export const dynamo = new DynamoDBClient({ region: config.AWS_REGION });
export const sqs = new SQSClient({ region: config.AWS_REGION });

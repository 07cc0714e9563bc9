import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PublishBatchCommand, SNSClient } from '@aws-sdk/client-sns';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { clientConfig } from '../../shared/kit/aws/client-config.ts';
import * as z from '../../shared/kit/zod.ts';
import type { OutboxRoutes, PublishMessages, PutEvents, SendMessages } from './publish.ts';

/**
 * `OUTBOX_ROUTES` as the stack writes it: the types published to the bus, and per consumer queue URL
 * the types sent to it straight from the outbox.
 */
const routesSchema = z.object({
  bus: z.array(z.string().check(z.minLength(1))),
  queues: z.record(z.url(), z.array(z.string().check(z.minLength(1)))),
  topics: z._default(
    z.record(z.string().check(z.startsWith('arn:')), z.array(z.string().check(z.minLength(1)))),
    {},
  ),
  /** Per topic ARN, message attributes taken from each event's data: name → dotted path. */
  topicAttributes: z._default(
    z.record(
      z.string().check(z.startsWith('arn:')),
      z.record(z.string().check(z.minLength(1)), z.string().check(z.minLength(1))),
    ),
    {},
  ),
});

const configSchema = z.object({
  EVENT_BUS_NAME: z.string().check(z.minLength(1)),
  AWS_REGION: z._default(z.string().check(z.minLength(1)), 'us-east-1'),
  AWS_ENDPOINT_URL: z.optional(z.string()),
  /** Calls per batch and destination before the record is reported as failed. */
  PUBLISH_MAX_ATTEMPTS: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(10)), 4),
  /** Without it every publishable event goes to the bus, as before routes existed. */
  OUTBOX_ROUTES: z.optional(
    z.pipe(
      z.string(),
      z.transform((text: string, ctx) => {
        try {
          return routesSchema.parse(JSON.parse(text));
        } catch (error) {
          ctx.issues.push({ code: 'custom', message: `OUTBOX_ROUTES: ${String(error)}`, input: text });
          return z.NEVER;
        }
      }),
    ),
  ),
});

/** Parsed once at cold start: a missing or malformed variable fails the init, not every invocation. */
export const config = configSchema.parse(process.env);

/** The routes the publisher applies. */
export const routes: OutboxRoutes | undefined =
  config.OUTBOX_ROUTES === undefined
    ? undefined
    : {
        bus: new Set(config.OUTBOX_ROUTES.bus),
        queues: new Map(
          Object.entries(config.OUTBOX_ROUTES.queues).map(([url, types]) => [url, new Set(types)]),
        ),
        topics: new Map(
          Object.entries(config.OUTBOX_ROUTES.topics).map(([arn, types]) => [arn, new Set(types)]),
        ),
        topicAttributes: new Map(Object.entries(config.OUTBOX_ROUTES.topicAttributes)),
      };

// The endpoint is passed explicitly, as every client of the product does (`clientConfig`): left to the
// environment, the SQS client sends each request to the host in the queue URL instead.
const aws = clientConfig({
  region: config.AWS_REGION,
  ...(config.AWS_ENDPOINT_URL ? { endpoint: config.AWS_ENDPOINT_URL } : {}),
});
const eventBridge = new EventBridgeClient(aws);
const sqs = new SQSClient(aws);
const sns = new SNSClient(aws);

/** PutEvents through the SDK client built once per container. */
export const putEvents: PutEvents = (entries) =>
  eventBridge.send(new PutEventsCommand({ Entries: entries.map((entry) => ({ ...entry })) }));

/** SendMessageBatch through the SDK client built once per container. */
export const sendMessages: SendMessages = (queueUrl, messages) =>
  sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: messages.map((m) => ({ ...m })) }));

/** PublishBatch through the SDK client built once per container. */
export const publishMessages: PublishMessages = (topicArn, messages) =>
  sns.send(
    new PublishBatchCommand({
      TopicArn: topicArn,
      PublishBatchRequestEntries: messages.map((m) => ({
        Id: m.Id,
        Message: m.Message,
        MessageAttributes: { ...m.MessageAttributes },
      })),
    }),
  );

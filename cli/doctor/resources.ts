import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DeleteTableCommand,
  DescribeTableCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateEventBusCommand, DeleteEventBusCommand } from '@aws-sdk/client-eventbridge';
import {
  CreateTopicCommand,
  DeleteTopicCommand,
  SubscribeCommand,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  type Message,
  type QueueAttributeName,
  ReceiveMessageCommand,
  SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import { retry } from '../../shared/kit/retry/backoff.ts';
import { type CheckContext, CheckFailed } from './types.ts';

/** Throwaway building blocks shared by the checks: each registers its own deletion. */

export interface Queue {
  readonly url: string;
  readonly arn: string;
}

export async function createQueue(
  ctx: CheckContext,
  suffix: string,
  attributes: Record<string, string> = {},
): Promise<Queue> {
  const name = ctx.name(suffix);
  const created = await ctx.clients.sqs.send(
    new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
  );
  const url = required(created.QueueUrl, `CreateQueue ${name} returned no QueueUrl`);
  ctx.defer(`queue ${name}`, () => ctx.clients.sqs.send(new DeleteQueueCommand({ QueueUrl: url })));
  const arn = (await queueAttributes(ctx, url, ['QueueArn'])).QueueArn;
  return { url, arn: required(arn, `GetQueueAttributes ${name} returned no QueueArn`) };
}

/** A DLQ and a queue that redrives to it after `maxReceiveCount` receives. */
export async function createQueueWithDlq(
  ctx: CheckContext,
  options: { maxReceiveCount: number; visibilityTimeout: number },
): Promise<{ queue: Queue; dlq: Queue }> {
  const dlq = await createQueue(ctx, 'dlq');
  const queue = await createQueue(ctx, 'q', {
    VisibilityTimeout: String(options.visibilityTimeout),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: options.maxReceiveCount }),
  });
  return { queue, dlq };
}

export async function queueAttributes(
  ctx: CheckContext,
  url: string,
  names: QueueAttributeName[],
): Promise<Partial<Record<QueueAttributeName, string>>> {
  const out = await ctx.clients.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: names }),
  );
  return out.Attributes ?? {};
}

/** Lets an AWS service (SNS, EventBridge) send to the queue on behalf of the given source ARNs only. */
export async function allowServiceToSend(
  ctx: CheckContext,
  queue: Queue,
  service: 'sns.amazonaws.com' | 'events.amazonaws.com',
  sourceArns: readonly string[],
): Promise<void> {
  const policy = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: service },
        Action: 'sqs:SendMessage',
        Resource: queue.arn,
        Condition: { ArnEquals: { 'aws:SourceArn': sourceArns } },
      },
    ],
  };
  await ctx.clients.sqs.send(
    new SetQueueAttributesCommand({ QueueUrl: queue.url, Attributes: { Policy: JSON.stringify(policy) } }),
  );
}

/** One ReceiveMessage call; messages stay in the queue (hidden for `visibilityTimeout`). */
export async function receive(
  ctx: CheckContext,
  url: string,
  options: { waitSeconds?: number; max?: number; visibilityTimeout?: number } = {},
): Promise<Message[]> {
  const out = await ctx.clients.sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: url,
      WaitTimeSeconds: options.waitSeconds ?? 1,
      MaxNumberOfMessages: options.max ?? 10,
      ...(options.visibilityTimeout === undefined ? {} : { VisibilityTimeout: options.visibilityTimeout }),
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['All'],
    }),
  );
  return out.Messages ?? [];
}

/**
 * Collects bodies arriving in a queue until `done(bodies)` holds, then keeps listening `settleMs`
 * longer so that deliveries which should not happen get the chance to show up.
 */
export async function collectBodies(
  ctx: CheckContext,
  url: string,
  options: {
    done: (bodies: readonly string[]) => boolean;
    what: string;
    timeoutMs: number;
    settleMs: number;
  },
): Promise<string[]> {
  const bodies: string[] = [];
  const take = async () => {
    for (const message of await receive(ctx, url, { visibilityTimeout: 60 })) bodies.push(message.Body ?? '');
  };
  await ctx.poll(
    async () => {
      await take();
      return options.done(bodies) ? true : undefined;
    },
    { what: options.what, timeoutMs: options.timeoutMs, intervalMs: 0 },
  );
  const settleUntil = performance.now() + options.settleMs;
  while (performance.now() < settleUntil) await take();
  return bodies;
}

export async function createTopic(ctx: CheckContext, suffix: string): Promise<string> {
  const name = ctx.name(suffix);
  const created = await ctx.clients.sns.send(new CreateTopicCommand({ Name: name }));
  const arn = required(created.TopicArn, `CreateTopic ${name} returned no TopicArn`);
  ctx.defer(`topic ${name}`, () => ctx.clients.sns.send(new DeleteTopicCommand({ TopicArn: arn })));
  return arn;
}

/** Subscribes the queue to the topic (allowing the topic to send to it) with the given attributes. */
export async function subscribeQueue(
  ctx: CheckContext,
  topicArn: string,
  queue: Queue,
  attributes: Record<string, string>,
): Promise<string> {
  await allowServiceToSend(ctx, queue, 'sns.amazonaws.com', [topicArn]);
  const out = await ctx.clients.sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'sqs',
      Endpoint: queue.arn,
      Attributes: attributes,
      ReturnSubscriptionArn: true,
    }),
  );
  const arn = required(out.SubscriptionArn, 'Subscribe returned no SubscriptionArn');
  ctx.defer(`subscription ${arn}`, () =>
    ctx.clients.sns.send(new UnsubscribeCommand({ SubscriptionArn: arn })),
  );
  return arn;
}

export async function createEventBus(
  ctx: CheckContext,
  suffix = 'bus',
): Promise<{ name: string; arn: string }> {
  const name = ctx.name(suffix);
  const created = await ctx.clients.events.send(new CreateEventBusCommand({ Name: name }));
  // A bus whose rules or archive are still being deleted may refuse deletion for a moment.
  ctx.defer(`event bus ${name}`, () =>
    retrying(() => ctx.clients.events.send(new DeleteEventBusCommand({ Name: name }))),
  );
  return { name, arn: required(created.EventBusArn, `CreateEventBus ${name} returned no EventBusArn`) };
}

/** An on-demand table keyed by `pk` (string), waited on until ACTIVE. */
export async function createTable(
  ctx: CheckContext,
  suffix: string,
  extra: Partial<CreateTableCommandInput> = {},
): Promise<{ name: string; streamArn?: string }> {
  const name = ctx.name(suffix);
  await ctx.clients.dynamodb.send(
    new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      ...extra,
    }),
  );
  ctx.defer(`table ${name}`, () => ctx.clients.dynamodb.send(new DeleteTableCommand({ TableName: name })));
  const table = await ctx.poll(
    async () => {
      const out = await ctx.clients.dynamodb.send(new DescribeTableCommand({ TableName: name }));
      return out.Table?.TableStatus === 'ACTIVE' ? out.Table : undefined;
    },
    { what: `table ${name} to become ACTIVE`, timeoutMs: 45_000, intervalMs: 500 },
  );
  return { name, ...(table.LatestStreamArn ? { streamArn: table.LatestStreamArn } : {}) };
}

/** Retries an operation a few times, for deletions that AWS refuses while a dependent one completes. */
export function retrying<T>(operation: () => Promise<T>, attempts = 5): Promise<T> {
  return retry(operation, {
    attempts,
    retryable: (error) => !(error instanceof Error && /NotFound|NonExistent|NoSuchEntity/.test(error.name)),
    // Linear and unjittered: one operator's deletions, no competing writers to spread out. The
    // default sleep, not ctx.sleep: deletions run after the check's signal may have been aborted.
    delayMs: (n) => 1_000 * n,
  });
}

export function required<T>(value: T | undefined | null, message: string): T {
  if (value === undefined || value === null) throw new CheckFailed(message);
  return value;
}

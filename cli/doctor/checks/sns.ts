import { type MessageAttributeValue, PublishCommand } from '@aws-sdk/client-sns';
import { collectBodies, createQueue, createTopic, receive, subscribeQueue } from '../resources.ts';
import { type Check, type CheckContext, CheckFailed } from '../types.ts';

interface Publication {
  readonly body: string;
  readonly attributes?: Record<string, string>;
  readonly expected: boolean;
}

function stringAttributes(attributes: Record<string, string> = {}): Record<string, MessageAttributeValue> {
  return Object.fromEntries(
    Object.entries(attributes).map(([key, value]) => [key, { DataType: 'String', StringValue: value }]),
  );
}

/**
 * Publishes every message to a topic with one filtered, raw-delivery SQS subscription and checks that
 * exactly the expected ones arrive. Unexpected ones are published first so that they have had more
 * time to arrive by the time the expected ones have.
 */
async function expectFiltered(
  ctx: CheckContext,
  subscription: Record<string, string>,
  publications: readonly Publication[],
): Promise<string> {
  const topicArn = await createTopic(ctx, 'topic');
  const queue = await createQueue(ctx, 'q');
  await subscribeQueue(ctx, topicArn, queue, { RawMessageDelivery: 'true', ...subscription });
  const ordered = [...publications].sort((a, b) => Number(a.expected) - Number(b.expected));
  for (const publication of ordered) {
    await ctx.clients.sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Message: publication.body,
        MessageAttributes: stringAttributes(publication.attributes),
      }),
    );
  }
  const wanted = publications.filter((p) => p.expected).map((p) => p.body);
  const bodies = await collectBodies(ctx, queue.url, {
    done: (seen) => wanted.every((body) => seen.includes(body)),
    what: `the ${wanted.length} matching message(s) in the subscribed queue`,
    timeoutMs: 20_000,
    settleMs: 2_000,
  });
  const unwanted = bodies.filter((body) => !wanted.includes(body));
  if (unwanted.length > 0) {
    throw new CheckFailed(
      `the filter let through ${unwanted.length} message(s) it should drop: ${unwanted.join(' | ')}`,
    );
  }
  return `${wanted.length} matching delivered, ${publications.length - wanted.length} non-matching dropped`;
}

export const snsFilterAttributes: Check = {
  id: 'sns-filter-attributes',
  title: 'SNS filter policy on message attributes (FilterPolicyScope MessageAttributes)',
  breaks: 'fan-out subscribers receive event types they do not handle, or none at all',
  run: (ctx) =>
    expectFiltered(
      ctx,
      {
        FilterPolicyScope: 'MessageAttributes',
        FilterPolicy: JSON.stringify({ type: ['OrderPlaced', 'OrderPaid'], source: ['orders.checkout'] }),
      },
      [
        { body: 'placed', attributes: { type: 'OrderPlaced', source: 'orders.checkout' }, expected: true },
        { body: 'paid', attributes: { type: 'OrderPaid', source: 'orders.checkout' }, expected: true },
        {
          body: 'other-type',
          attributes: { type: 'OrderShipped', source: 'orders.checkout' },
          expected: false,
        },
        { body: 'other-source', attributes: { type: 'OrderPlaced', source: 'billing' }, expected: false },
        { body: 'no-attributes', expected: false },
      ],
    ),
};

export const snsFilterBody: Check = {
  id: 'sns-filter-body',
  title: 'SNS filter policy on the message body (FilterPolicyScope MessageBody)',
  severity: 'info',
  breaks: 'nothing today (the pipeline filters on attributes); body-scoped filters would not filter here',
  run: (ctx) =>
    expectFiltered(
      ctx,
      {
        FilterPolicyScope: 'MessageBody',
        FilterPolicy: JSON.stringify({ type: ['OrderPlaced'], data: { total: [{ numeric: ['>', 100] }] } }),
      },
      [
        { body: JSON.stringify({ type: 'OrderPlaced', data: { total: 250 } }), expected: true },
        { body: JSON.stringify({ type: 'OrderPlaced', data: { total: 50 } }), expected: false },
        { body: JSON.stringify({ type: 'OrderShipped', data: { total: 250 } }), expected: false },
      ],
    ),
};

export const snsRawDelivery: Check = {
  id: 'sns-raw-delivery',
  title: 'SNS raw message delivery to SQS (body and attributes as published)',
  breaks: 'consumers get the SNS envelope instead of the event and fail to parse every fan-out message',
  async run(ctx) {
    const topicArn = await createTopic(ctx, 'topic');
    const queue = await createQueue(ctx, 'q');
    await subscribeQueue(ctx, topicArn, queue, { RawMessageDelivery: 'true' });
    const body = JSON.stringify({ id: ctx.name('event'), type: 'OrderPlaced', data: { total: 1 } });
    await ctx.clients.sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Message: body,
        MessageAttributes: stringAttributes({ type: 'OrderPlaced' }),
      }),
    );
    const message = await ctx.poll(
      async () => (await receive(ctx, queue.url, { visibilityTimeout: 30 }))[0],
      {
        what: 'the published message in the subscribed queue',
        timeoutMs: 20_000,
        intervalMs: 0,
      },
    );
    if (message.Body !== body) {
      throw new CheckFailed(
        `the queue received ${truncate(message.Body ?? '')} instead of the raw message ${body}`,
      );
    }
    const type = message.MessageAttributes?.type?.StringValue;
    if (type !== 'OrderPlaced') {
      throw new CheckFailed(
        `the message attribute "type" arrived as ${JSON.stringify(type)}; raw delivery should carry it as an SQS message attribute`,
      );
    }
    return 'body and message attributes arrived unwrapped';
  },
};

function truncate(text: string, max = 120): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

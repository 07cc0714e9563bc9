import { describe, expect, it } from 'vitest';
import { ONBOARDING_INTEGRATION_EVENT_TYPES } from '../../shared/contexts/onboarding/events/catalog.ts';
import { NOTIFICATION_SUBSCRIPTIONS as NOTIFICATION_CHANNELS } from '../../shared/contexts/orders/definition.ts';
import { ORDER_INTEGRATION_EVENT_TYPES } from '../../shared/contexts/orders/use-cases/intake.ts';
import { CONSUMER_EVENT_TYPES } from '../support/orders-handled-types.ts';
import { type CfnResource, pipelineTemplate, referencedId, referencedIds } from './infra-fixture.ts';

const dev = pipelineTemplate('dev');
const prod = pipelineTemplate('prod');
const resources = (template: typeof dev, type: string) =>
  Object.entries(template.findResources(type) as Record<string, CfnResource>);

interface Statement {
  readonly Action: string | string[];
  readonly Resource: unknown;
}

/** The saga's consumers and the logical-id prefix of their resources. */
/**
 * `OUTBOX_ROUTES` as synthesized: a JSON string with the queue URLs as tokens (`Fn::Join`), read back
 * into the bus types and, per queue or topic (named by the logical id its URL or ARN refers to), the
 * types sent to it.
 */
function routesOf(value: unknown): {
  bus: string[];
  queues: { queue: string; types: string[] }[];
  topics: { topic: string; types: string[] }[];
} {
  const parts = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join']?.[1] ?? [value];
  const text = parts.map((part) => (typeof part === 'string' ? part : `"@${referencedId(part)}"`)).join('');
  // A token inside a JSON string is emitted between quotes already; drop the doubled ones.
  const parsed = JSON.parse(text.replaceAll('""@', '"@').replaceAll('""', '"')) as {
    bus: string[];
    queues: Record<string, string[]>;
    topics?: Record<string, string[]>;
  };
  return {
    bus: parsed.bus,
    queues: Object.entries(parsed.queues).map(([queue, types]) => ({
      queue: queue.replace(/^@/, ''),
      types,
    })),
    topics: Object.entries(parsed.topics ?? {}).map(([topic, types]) => ({
      topic: topic.replace(/^@/, ''),
      types,
    })),
  };
}

const CONSUMERS = {
  saga: { id: 'OrdersSaga', queue: 'OrdersSagaWorkQueue', dlq: 'OrdersSagaWorkDlqQueue' },
  inventory: { id: 'OrdersInventory', queue: 'OrdersInventoryWorkQueue', dlq: 'OrdersInventoryWorkDlqQueue' },
  payment: { id: 'OrdersPayment', queue: 'OrdersPaymentWorkQueue', dlq: 'OrdersPaymentWorkDlqQueue' },
  email: {
    id: 'OrdersEmail',
    queue: 'OrdersNotificationsEmailWorkQueue',
    dlq: 'OrdersNotificationsEmailWorkDlqQueue',
  },
  sms: {
    id: 'OrdersSms',
    queue: 'OrdersNotificationsSmsWorkQueue',
    dlq: 'OrdersNotificationsSmsWorkDlqQueue',
  },
  push: {
    id: 'OrdersPush',
    queue: 'OrdersNotificationsPushWorkQueue',
    dlq: 'OrdersNotificationsPushWorkDlqQueue',
  },
} as const;
type ConsumerName = keyof typeof CONSUMERS;

function only<T>(entries: readonly [string, T][], prefix: string): [string, T] {
  const found = entries.filter(([id]) => id.startsWith(prefix));
  if (found.length !== 1) throw new Error(`expected one resource starting ${prefix}, got ${found.length}`);
  return found[0] as [string, T];
}

function functionOf(name: ConsumerName, template = dev): CfnResource {
  return only(resources(template, 'AWS::Lambda::Function'), `${CONSUMERS[name].id}HandlerFunction`)[1];
}

function environmentOf(name: ConsumerName, template = dev): Record<string, unknown> {
  const props = functionOf(name, template).Properties;
  return (props?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
}

function statementsOf(name: ConsumerName): Statement[] {
  const [, policy] = only(
    resources(dev, 'AWS::IAM::Policy'),
    `${CONSUMERS[name].id}HandlerRoleDefaultPolicy`,
  );
  return (policy.Properties?.PolicyDocument as { Statement: Statement[] } | undefined)?.Statement ?? [];
}

/** Actions granted on resources whose logical id starts with `prefix`. */
function actionsOn(name: ConsumerName, prefix: string): string[] {
  return statementsOf(name)
    .filter((statement) => [...referencedIds(statement.Resource)].some((id) => id.startsWith(prefix)))
    .flatMap((statement) => [statement.Action].flat())
    .sort();
}

const EVENT_STORE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'];

/** The event source mapping that drains `name`'s queue. */
function mappingOf(name: ConsumerName, template = dev): CfnResource {
  const drains = resources(template, 'AWS::Lambda::EventSourceMapping').filter(
    ([, m]) => referencedId(m.Properties?.EventSourceArn)?.startsWith(CONSUMERS[name].queue) ?? false,
  );
  return only(drains, '')[1];
}

const ON_THE_CRITICAL_PATH = ['saga', 'inventory', 'payment'] as const;
const OFF_THE_CRITICAL_PATH = ['email', 'sms', 'push'] as const;

/** The projector reads the event store's stream (`fromStoreStream`): a function, a mapping and a DLQ. */
const PROJECTOR = { id: 'OrdersProjector', dlq: 'OrdersProjectorDlqQueue' } as const;

function projectorMapping(template = dev): CfnResource {
  const [, fn] = only(resources(template, 'AWS::Lambda::Function'), `${PROJECTOR.id}HandlerFunction`);
  const fnId = resources(template, 'AWS::Lambda::Function').find(([, f]) => f === fn)?.[0];
  const mappings = resources(template, 'AWS::Lambda::EventSourceMapping').filter(
    ([, m]) => referencedId(m.Properties?.FunctionName) === fnId,
  );
  return only(mappings, '')[1];
}

function projectorStatements(): Statement[] {
  const [, policy] = only(resources(dev, 'AWS::IAM::Policy'), `${PROJECTOR.id}HandlerRoleDefaultPolicy`);
  return (policy.Properties?.PolicyDocument as { Statement: Statement[] } | undefined)?.Statement ?? [];
}

describe('infra: consumer batching by latency need', () => {
  for (const [stage, template] of [
    ['dev', dev],
    ['prod', prod],
  ] as const) {
    it(`invokes the saga, inventory and payment as soon as records arrive, with no batching window (${stage})`, () => {
      for (const name of ON_THE_CRITICAL_PATH) {
        const mapping = mappingOf(name, template).Properties;
        expect(mapping?.MaximumBatchingWindowInSeconds, name).toBeUndefined();
        expect(Number(mapping?.BatchSize), name).toBeLessThanOrEqual(10);
      }
      expect(mappingOf('saga', template).Properties?.BatchSize).toBe(10);
      expect(mappingOf('inventory', template).Properties?.BatchSize).toBe(10);
    });

    it(`lets the notification channels gather 25 records for up to 1 s (${stage})`, () => {
      for (const name of OFF_THE_CRITICAL_PATH) {
        expect(mappingOf(name, template).Properties, name).toMatchObject({
          BatchSize: 25,
          MaximumBatchingWindowInSeconds: 1,
          FunctionResponseTypes: ['ReportBatchItemFailures'],
        });
      }
    });

    it(`lets the projector gather five seconds of commits from the event store's stream, retried from the one that failed and then dead-lettered (${stage})`, () => {
      const mapping = projectorMapping(template).Properties;
      expect(mapping).toMatchObject({
        BatchSize: 100,
        MaximumBatchingWindowInSeconds: 5,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BisectBatchOnFunctionError: true,
        StartingPosition: 'TRIM_HORIZON',
        MaximumRetryAttempts: 10,
      });
      expect(mapping?.EventSourceArn).toEqual({
        'Fn::GetAtt': [expect.stringMatching(/^EventStoreTable/), 'StreamArn'],
      });
      const onFailure = (mapping?.DestinationConfig as { OnFailure: { Destination: unknown } } | undefined)
        ?.OnFailure;
      expect(referencedId(onFailure?.Destination)).toMatch(new RegExp(`^${PROJECTOR.dlq}`));
      // Commits only, as the outbox's mapping takes them.
      expect(JSON.stringify(mapping?.FilterCriteria)).toContain('INSERT');
      expect(JSON.stringify(mapping?.FilterCriteria)).toContain('E#');
    });
  }
});

describe('infra: order saga consumers', () => {
  it('drains each consumer queue with its function and gives the queue a DLQ after a bounded redrive', () => {
    const queues = resources(dev, 'AWS::SQS::Queue');
    const mappings = resources(dev, 'AWS::Lambda::EventSourceMapping').map(([, m]) => m.Properties ?? {});
    for (const [name, { id, queue, dlq }] of Object.entries(CONSUMERS)) {
      const [queueId, props] = only(queues, queue);
      const redrive = props.Properties?.RedrivePolicy as {
        deadLetterTargetArn: unknown;
        maxReceiveCount: number;
      };
      expect(referencedId(redrive.deadLetterTargetArn), name).toMatch(new RegExp(`^${dlq}`));
      expect(redrive.maxReceiveCount, name).toBeGreaterThanOrEqual(3);
      const mapping = mappings.find((m) => referencedId(m.EventSourceArn) === queueId);
      expect(referencedId(mapping?.FunctionName), name).toMatch(new RegExp(`^${id}HandlerFunction`));
      expect(mapping?.FunctionResponseTypes, name).toEqual(['ReportBatchItemFailures']);
    }
  });

  it('alarms on DLQ depth, backlog age and function errors of every consumer', () => {
    const alarms = resources(dev, 'AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties ?? {});
    const on = (metric: string, prefix: string) =>
      alarms.filter(
        (a) =>
          a.MetricName === metric &&
          (a.Dimensions as { Value: unknown }[]).some((d) => referencedId(d.Value)?.startsWith(prefix)),
      );
    for (const [name, { id, queue, dlq }] of Object.entries(CONSUMERS)) {
      expect(on('ApproximateNumberOfMessagesVisible', dlq), name).toHaveLength(1);
      expect(on('ApproximateAgeOfOldestMessage', queue), name).toHaveLength(1);
      expect(on('Errors', `${id}HandlerFunction`), name).toHaveLength(1);
    }
    // The projector has no queue: its lag is the stream's iterator age.
    expect(on('ApproximateNumberOfMessagesVisible', PROJECTOR.dlq)).toHaveLength(1);
    expect(on('IteratorAge', `${PROJECTOR.id}HandlerFunction`)).toHaveLength(1);
    expect(on('Errors', `${PROJECTOR.id}HandlerFunction`)).toHaveLength(1);
  });

  it('gives every consumer its queue, its DLQ for immediate dead-lettering, and nothing of the others', () => {
    for (const [name, { queue, dlq }] of Object.entries(CONSUMERS) as [
      ConsumerName,
      (typeof CONSUMERS)[ConsumerName],
    ][]) {
      const env = environmentOf(name);
      expect(referencedId(env.QUEUE_URL), name).toMatch(new RegExp(`^${queue}`));
      expect(referencedId(env.DLQ_URL), name).toMatch(new RegExp(`^${dlq}`));
      expect(actionsOn(name, dlq), name).toEqual(['sqs:SendMessage']);
      expect(actionsOn(name, queue), name).toContain('sqs:ChangeMessageVisibility');
      const sqsResources = statementsOf(name)
        .filter((s) => [s.Action].flat().some((a) => a.startsWith('sqs:')))
        .flatMap((s) => [...referencedIds(s.Resource)]);
      for (const id of sqsResources)
        expect(id.startsWith(queue) || id.startsWith(dlq), `${name}: ${id}`).toBe(true);
    }
  });

  it('lets the saga send its step timers to its own queue only', () => {
    expect(actionsOn('saga', CONSUMERS.saga.queue)).toContain('sqs:SendMessage');
    expect(environmentOf('saga').SAGA_STEP_TIMEOUT_MS).toBe('20000');
    expect(environmentOf('saga', prod).SAGA_STEP_TIMEOUT_MS).toBe('120000');
  });

  it('grants event store actions on the event store table only, and only to the consumers that append', () => {
    for (const name of ['saga', 'inventory', 'payment', 'email', 'sms', 'push'] as const) {
      const dynamo = statementsOf(name).filter((s) =>
        [s.Action].flat().some((a) => a.startsWith('dynamodb:')),
      );
      for (const statement of dynamo) {
        // The subjects' keys table is the one other (infra-personal-data.unit.test.ts holds its grants).
        const ids = [...referencedIds(statement.Resource)].filter(
          (id) => id !== 'AWS::NoValue' && !id.startsWith('SubjectKeysTable'),
        );
        if (ids.length === 0) continue;
        expect(ids, name).toEqual([expect.stringMatching(/^EventStoreTable/)]);
      }
      expect(actionsOn(name, 'EventStoreTable'), name).toEqual(expect.arrayContaining(EVENT_STORE_ACTIONS));
    }
    expect(actionsOn('payment', 'EventStoreTable')).toContain('dynamodb:UpdateItem');
    expect(actionsOn('email', 'EventStoreTable')).toContain('dynamodb:DeleteItem');
    expect(actionsOn('saga', 'EventStoreTable')).not.toContain('dynamodb:DeleteItem');
    // The projector reads the store's stream, never its items.
    const projectorOnStore = projectorStatements().filter((s) =>
      [...referencedIds(s.Resource)].some((id) => id.startsWith('EventStoreTable')),
    );
    expect(projectorOnStore.map((s) => s.Resource)).toEqual([
      { 'Fn::GetAtt': [expect.stringMatching(/^EventStoreTable/), 'StreamArn'] },
    ]);
  });

  it("lets the projector read and write summaries in its own table, not its index, read the event store's stream and send only to its DLQ", () => {
    const projector = projectorStatements().filter((s) =>
      [s.Action].flat().some((a) => a.startsWith('dynamodb:') || a.startsWith('sqs:')),
    );
    expect(projector).toEqual([
      {
        Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(new RegExp(`^${PROJECTOR.dlq}`)), 'Arn'] },
      },
      // The stream event source's; ListStreams cannot be scoped to a stream.
      { Action: 'dynamodb:ListStreams', Effect: 'Allow', Resource: '*' },
      {
        Action: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^EventStoreTable/), 'StreamArn'] },
      },
      {
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem'],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^OrdersOrderSummaryTable/), 'Arn'] },
      },
    ]);
    const [, fn] = only(resources(dev, 'AWS::Lambda::Function'), `${PROJECTOR.id}HandlerFunction`);
    const variables =
      (fn.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
    expect(Object.keys(variables)).not.toContain('QUEUE_URL');
    expect(Object.keys(variables)).not.toContain('EVENT_STORE_TABLE');
    const [, table] = only(resources(dev, 'AWS::DynamoDB::Table'), 'OrdersOrderSummaryTable');
    expect(table.Properties?.GlobalSecondaryIndexes).toEqual([
      expect.objectContaining({
        IndexName: 'byStatus',
        KeySchema: [
          { AttributeName: 'status', KeyType: 'HASH' },
          { AttributeName: 'updatedAt', KeyType: 'RANGE' },
        ],
      }),
    ]);
  });

  it('has the outbox deliver each consumer exactly the stored event types its handlers take, to its own queue', () => {
    const functions = resources(dev, 'AWS::Lambda::Function');
    const [, outbox] = only(functions, 'OutboxPublisher');
    const variables = (outbox.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)
      ?.Variables;
    const routes = routesOf(variables?.OUTBOX_ROUTES);
    // Every context's integration events; the orders context's among them.
    expect([...routes.bus].sort()).toEqual(
      [...ORDER_INTEGRATION_EVENT_TYPES, ...ONBOARDING_INTEGRATION_EVENT_TYPES].sort(),
    );
    for (const name of ['saga', 'inventory', 'payment'] as const) {
      const route = routes.queues.find(({ queue }) => queue.startsWith(CONSUMERS[name].queue));
      expect([...(route?.types ?? [])].sort(), name).toEqual([...CONSUMER_EVENT_TYPES[name]].sort());
    }
    // Three orders consumers (the projector reads the stream itself) and four onboarding consumers.
    expect(routes.queues.filter(({ queue }) => queue.startsWith('Orders'))).toHaveLength(3);
    expect(routes.queues.some(({ queue }) => queue.startsWith(PROJECTOR.id))).toBe(false);
    expect(routes.queues).toHaveLength(7);
    // The order outcomes go to the notifications topic from the outbox itself: no forwarding consumer.
    expect(routes.topics).toEqual([
      {
        topic: expect.stringMatching(/^OrdersNotificationsTopic/),
        types: [...CONSUMER_EVENT_TYPES.notificationChannel],
      },
    ]);
    expect(CONSUMER_EVENT_TYPES.saga).not.toContain('SagaStepTimedOut');
  });

  it('lets the outbox publish to the notifications topic with its key, nothing broader', () => {
    const [, outbox] = only(resources(dev, 'AWS::Lambda::Function'), 'OutboxPublisher');
    const role = referencedId(outbox.Properties?.Role);
    const policy = resources(dev, 'AWS::IAM::Policy').find(([, p]) =>
      ((p.Properties?.Roles as unknown[] | undefined) ?? []).some((r) => referencedId(r) === role),
    )?.[1];
    const statements =
      (policy?.Properties?.PolicyDocument as { Statement?: { Action: unknown; Resource: unknown }[] })
        ?.Statement ?? [];
    const on = (prefix: string) =>
      statements
        .filter(({ Resource }) => [...referencedIds(Resource)].some((id) => id.startsWith(prefix)))
        .flatMap(({ Action }) => [Action].flat())
        .sort();
    expect(on('OrdersNotificationsTopic')).toEqual(['sns:Publish']);
    expect(on('OrdersNotificationsKey')).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
  });

  it('puts no rule for stored events on the bus: only the saga intake rule feeds a consumer, with a rule target DLQ', () => {
    const rules = resources(dev, 'AWS::Events::Rule').filter(([id]) => id.startsWith('Orders'));
    const storedMark = (rule: CfnResource) =>
      (rule.Properties?.EventPattern as { detail?: { metadata?: { storedStream?: unknown } } } | undefined)
        ?.detail?.metadata?.storedStream;
    expect(rules.map(([id]) => id)).toEqual([expect.stringMatching(/^OrdersSagaIntakeRule/)]);
    const [, intake] = rules[0] as [string, CfnResource];
    expect(storedMark(intake)).toEqual([{ exists: false }]);
    const pattern = intake.Properties?.EventPattern as { 'detail-type': string[]; source?: unknown };
    expect(pattern['detail-type']).toContain('OrderPlaced');
    // Any producer's source: a command put on the pipeline's own bus is meant for it.
    expect(pattern.source).toBeUndefined();
    expect(pattern['detail-type']).not.toContain('SagaStepTimedOut');
    expect(CONSUMER_EVENT_TYPES.saga).not.toContain('OrderPlaced');
    const targets = intake.Properties?.Targets as { Arn: unknown; DeadLetterConfig: { Arn: unknown } }[];
    expect(referencedId(targets[0]?.Arn)).toMatch(/^OrdersSagaWorkQueue/);
    expect(referencedId(targets[0]?.DeadLetterConfig.Arn)).toMatch(/^RuleTargetsDlq/);
  });

  it('gives the payment function more time than a whole batch of provider calls', () => {
    const timeoutSeconds = Number(functionOf('payment').Properties?.Timeout);
    const callMs = Number(environmentOf('payment').PAYMENT_CALL_TIMEOUT_MS);
    const [, mapping] = only(
      resources(dev, 'AWS::Lambda::EventSourceMapping').filter(
        ([, m]) => referencedId(m.Properties?.EventSourceArn)?.startsWith(CONSUMERS.payment.queue) ?? false,
      ),
      '',
    );
    const batchSize = Number(mapping.Properties?.BatchSize);
    expect(timeoutSeconds * 1000).toBeGreaterThan(batchSize * callMs);
  });

  it('subscribes each channel queue to the outcomes of the orders whose customer chose that channel', () => {
    for (const channel of NOTIFICATION_CHANNELS)
      expect([...channel.types]).toEqual(['OrderConfirmed', 'OrderCancelled']);
    const policies = resources(dev, 'AWS::SNS::Subscription').map(
      ([, subscription]) => subscription.Properties?.FilterPolicy,
    );
    expect(policies).toHaveLength(NOTIFICATION_CHANNELS.length);
    expect(policies).toEqual(
      expect.arrayContaining(
        NOTIFICATION_CHANNELS.map(({ name }) => ({
          type: ['OrderConfirmed', 'OrderCancelled'],
          // An outcome without the attribute (published by hand) still reaches every channel.
          channels: [{ exists: false }, name],
        })),
      ),
    );
  });

  it('has the outbox set the channels attribute of the notifications topic from the contact', () => {
    const outbox = resources(dev, 'AWS::Lambda::Function').find(([id]) => id.startsWith('OutboxPublisher'));
    const routes = JSON.stringify(outbox?.[1].Properties?.Environment);
    expect(routes).toContain('topicAttributes');
    expect(routes).toContain('contact.channels');
  });
});

import type { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { CONTEXT_CATALOGS, DECLARED_CONTEXTS } from '../../shared/contexts/index.ts';
import { ordersContext } from '../../shared/contexts/orders/definition.ts';
import { ordersCatalog } from '../../shared/contexts/orders/events/catalog.ts';
import { ORDER_CONSUMER_TYPES } from '../../shared/contexts/orders/routes.ts';
import { contextOutputNames, validateContextDefinition } from '../../shared/kit/context.ts';
import { CONSUMER_EVENT_TYPES } from '../support/orders-handled-types.ts';
import { type CfnResource, pipelineTemplate, referencedId, referencedIds } from './infra-fixture.ts';
import { BEFORE } from './infra-orders-before.fixture.ts';

/** What a function is granted or told about, by what the resource is to it rather than by logical id. */
function roleOf(id: string, resources: Record<string, CfnResource>, own: { queue: string; dlq: string }) {
  if (id === own.queue) return 'queue';
  if (id === own.dlq) return 'dlq';
  if (id.startsWith('EventStoreTable')) return 'event store';
  if (id.startsWith('SubjectKeysTable')) return 'keys table';
  if (id.startsWith('DataKey')) return 'data key';
  if (id.startsWith('AWS::')) return 'own account';
  const roles: Record<string, string> = {
    'AWS::DynamoDB::Table': 'read model',
    'AWS::SNS::Topic': 'topic',
    'AWS::KMS::Key': 'topic key',
    'AWS::Logs::LogGroup': 'logs',
    'AWS::IAM::Role': 'role',
  };
  return roles[resources[id]?.Type ?? ''] ?? `other ${id}`;
}

/**
 * The orders consumers of a template as the fixture summarizes them (same shape): per service, the
 * actions granted by role of the resource, the environment (references by role), timeout, batching,
 * queue visibility and redrive; and the stack's resource counts, outputs, rules and alarms.
 */
function summary(template: Template) {
  const resources = template.toJSON().Resources as Record<string, CfnResource>;
  const of = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
  const counts: Record<string, number> = {};
  for (const { Type } of Object.values(resources)) counts[Type] = (counts[Type] ?? 0) + 1;
  const consumers: Record<string, unknown> = {};
  const keyGrants: Record<string, string[]> = {};
  for (const [id, fn] of of('AWS::Lambda::Function')) {
    const env =
      (fn.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
    const service = env.POWERTOOLS_SERVICE_NAME as string;
    if (!(service in BEFORE.dev.consumers)) continue;
    const [, mapping] = of('AWS::Lambda::EventSourceMapping').find(
      ([, m]) => referencedId(m.Properties?.FunctionName) === id,
    ) as [string, CfnResource];
    const source = referencedId(mapping.Properties?.EventSourceArn) as string;
    // A store-stream consumer's mapping reads the event store's stream: no queue, an on-failure DLQ.
    const fromStream = resources[source]?.Type === 'AWS::DynamoDB::Table';
    const queueProps = fromStream
      ? undefined
      : (resources[source]?.Properties as {
          VisibilityTimeout: number;
          RedrivePolicy: { deadLetterTargetArn: unknown; maxReceiveCount: number };
          FifoQueue?: boolean;
        });
    const onFailure = (mapping.Properties?.DestinationConfig as { OnFailure?: { Destination?: unknown } })
      ?.OnFailure?.Destination;
    const own = {
      queue: fromStream ? '' : source,
      dlq: referencedId(fromStream ? onFailure : queueProps?.RedrivePolicy.deadLetterTargetArn) as string,
    };
    const role = referencedId(fn.Properties?.Role);
    const [, policy] = of('AWS::IAM::Policy').find(([, p]) =>
      ((p.Properties?.Roles as unknown[] | undefined) ?? []).some((r) => referencedId(r) === role),
    ) as [string, CfnResource];
    type Statement = { Action: unknown; Resource: unknown };
    const document = policy.Properties?.PolicyDocument as { Statement?: Statement[] } | undefined;
    const statements = document?.Statement ?? [];
    const grants = statements.flatMap(({ Action, Resource }) => {
      const targets =
        Resource === '*' ? ['*'] : [...referencedIds(Resource)].map((r) => roleOf(r, resources, own));
      return [Action].flat().flatMap((action) => targets.map((target) => `${action} on ${target}`));
    });
    // Added since the fixture was taken (prod's data key), compared on their own below.
    const dataKeyGrants = grants.filter((g) => g.endsWith(' on data key'));
    const environment = Object.fromEntries(
      Object.entries(env)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([name, value]) => {
          const ref = referencedId(value);
          return [name, ref === undefined ? value : roleOf(ref, resources, own)];
        }),
    );
    keyGrants[service] = [...new Set(dataKeyGrants)].sort();
    consumers[service] = {
      grants: [...new Set(grants.filter((g) => !dataKeyGrants.includes(g)))].sort(),
      timeout: fn.Properties?.Timeout,
      environment,
      batchSize: mapping.Properties?.BatchSize,
      batchingWindow: mapping.Properties?.MaximumBatchingWindowInSeconds ?? null,
      visibilityTimeout: queueProps?.VisibilityTimeout ?? null,
      maxReceiveCount: queueProps?.RedrivePolicy.maxReceiveCount ?? null,
      fifo: queueProps?.FifoQueue ?? false,
    };
  }
  return {
    counts: Object.fromEntries(Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : 1))),
    outputs: Object.keys(template.findOutputs('*')).sort(),
    consumers,
    keyGrants,
    rules: of('AWS::Events::Rule').length,
    alarms: of('AWS::CloudWatch::Alarm').length,
  };
}

/**
 * Grants removed on purpose since the fixture was taken: the event store's ConditionCheckItem, which no
 * write uses (commits are conditional Puts; the IAM check on the e2e run listed it unused).
 */
const NARROWED_SINCE: readonly string[] = ['dynamodb:ConditionCheckItem on event store'];

/** Versions the catalog of every deployed context defines, each published once in the schema registry. */
const EVENT_VERSIONS = new Set(
  CONTEXT_CATALOGS.flatMap((c) => c.versions().map((v) => `${v.type}.v${v.version}`)),
).size;

/**
 * What was added on purpose since the fixture was taken: prod's data key (StageSettings.dataKey), the
 * EventBridge schema registry with one schema per event version (EventSchemaRegistry), and the replay
 * staging flow (ReplayStaging: a rule for replayed events only, its queue and DLQ with their policies,
 * two alarms, three outputs).
 */
const REGISTRY = { 'AWS::EventSchemas::Registry': 1, 'AWS::EventSchemas::Schema': EVENT_VERSIONS };
const REPLAY_STAGING = {
  'AWS::Events::Rule': 1,
  'AWS::SQS::Queue': 2,
  'AWS::SQS::QueuePolicy': 2,
  'AWS::CloudWatch::Alarm': 2,
};
const REPLAY_OUTPUTS = ['ReplayRuleArn', 'ReplayStagingDlqUrl', 'ReplayStagingQueueUrl'];

/** The saga's timer schedules (SagaTimerSchedules): a schedule group and Scheduler's delivery role. */
const TIMER_SCHEDULES = { 'AWS::Scheduler::ScheduleGroup': 1, 'AWS::IAM::Role': 1, 'AWS::IAM::Policy': 1 };
/**
 * The orders HTTP API (HttpFrontDoor): the API, its stage, one integration for its two routes (each
 * with its invoke permission), its function (role, policy, log group), its access log group, and
 * alarms on the function's errors and the API's 5xx.
 */
const HTTP_API = {
  'AWS::ApiGatewayV2::Api': 1,
  'AWS::ApiGatewayV2::Integration': 1,
  'AWS::ApiGatewayV2::Route': 2,
  'AWS::ApiGatewayV2::Stage': 1,
  'AWS::Lambda::Permission': 2,
  'AWS::Lambda::Function': 1,
  'AWS::Logs::LogGroup': 2,
  'AWS::CloudWatch::Alarm': 2,
};
const HTTP_API_ROLE = { 'AWS::IAM::Role': 1, 'AWS::IAM::Policy': 1 };
const HTTP_API_OUTPUTS = ['OrdersApiUrl'];
const sum = (...parts: Record<string, number>[]) =>
  parts.reduce<Record<string, number>>((total, part) => {
    for (const [type, count] of Object.entries(part)) total[type] = (total[type] ?? 0) + count;
    return total;
  }, {});
/**
 * Crypto-shredding (docs/personal-data.md): the keys table and its output; the saga (an intake that
 * encrypts) reads and creates keys, the channels (senders of clear addresses) read them.
 */
const SUBJECT_KEYS = { 'AWS::DynamoDB::Table': 1 };
const SUBJECT_KEYS_OUTPUTS = ['SubjectKeysTableName'];
const SUBJECT_KEY_GRANTS: Record<string, readonly string[]> = {
  'order-saga': ['dynamodb:GetItem on keys table', 'dynamodb:PutItem on keys table'],
  'notify-email': ['dynamodb:GetItem on keys table'],
  'notify-sms': ['dynamodb:GetItem on keys table'],
  'notify-push': ['dynamodb:GetItem on keys table'],
};
const SUBJECT_KEYS_ENVIRONMENT = { SUBJECT_KEYS_TABLE: 'keys table' };
const ADDED_SINCE: Record<'dev' | 'prod', Record<string, number>> = {
  dev: sum(REGISTRY, REPLAY_STAGING, TIMER_SCHEDULES, HTTP_API, HTTP_API_ROLE, SUBJECT_KEYS),
  prod: sum(
    { 'AWS::KMS::Key': 1 },
    REGISTRY,
    REPLAY_STAGING,
    TIMER_SCHEDULES,
    HTTP_API,
    HTTP_API_ROLE,
    SUBJECT_KEYS,
  ),
};

/**
 * What the saga was given since for its far timers (SagaTimerSchedules): schedules in its group (an
 * ARN of its own account and region) and the delivery role to pass, and where they are.
 */
const SAGA_TIMER_GRANTS = [
  'iam:PassRole on role',
  'scheduler:CreateSchedule on own account',
  'scheduler:DeleteSchedule on own account',
];
const SAGA_TIMER_ENVIRONMENT = {
  TIMER_QUEUE_ARN: 'queue',
  TIMER_SCHEDULER_AFTER_SECONDS: '900',
  TIMER_SCHEDULER_ROLE_ARN: 'role',
  TIMER_SCHEDULE_GROUP: expect.stringMatching(/-Saga-Timers-Group-/),
};

/**
 * Added to every orders function that appends to the event store since the fixture was taken: the
 * stream types its stream catalog lists (`catalogedStreamTypes`), the order saga streams alone.
 */
const APPENDING_SERVICES = /^(order-saga|inventory|payment|notify-\w+)$/;
const CATALOG_ENVIRONMENT = { EVENT_STORE_CATALOG_TYPES: 'saga-order' };

/**
 * Removed on purpose since the fixture was taken: the notifier, a consumer that only forwarded the
 * stored order outcomes from its queue to the notifications topic. The outbox publishes them to the
 * topic itself now (the topic's `fromOutbox`), so the notifier's function, role, policy, log group,
 * event source mapping, work queue and DLQ (with their policies) and alarms are gone, and so are its
 * two outputs.
 */
const REMOVED_CONSUMER = 'notifier';
const REMOVED_SINCE: Record<string, number> = {
  'AWS::CloudWatch::Alarm': 3,
  'AWS::IAM::Policy': 1,
  'AWS::IAM::Role': 1,
  'AWS::Lambda::EventSourceMapping': 1,
  'AWS::Lambda::Function': 1,
  'AWS::Logs::LogGroup': 1,
  'AWS::SQS::Queue': 2,
  'AWS::SQS::QueuePolicy': 2,
};
const REMOVED_OUTPUTS = ['NotifierDlqUrl', 'NotifierQueueUrl'];

/**
 * Moved on purpose since the fixture was taken: the projector reads the event store's change stream
 * itself (`fromStoreStream`) instead of a queue the outbox fed. Its work queue (with the queue's policy
 * and backlog-age alarm, replaced by an iterator-age alarm) and `ProjectorQueueUrl` are gone; its DLQ
 * stays, as the mapping's on-failure destination. It loses the queue's grants and variables and the
 * stored check (a Query on the store: every stream record is a commit), gains the stream's read, and
 * gathers up to 100 commits a batch.
 */
const STREAM_CONSUMER = 'order-projector';
const STREAM_REMOVED = { 'AWS::SQS::Queue': 1, 'AWS::SQS::QueuePolicy': 1 };
const STREAM_REMOVED_OUTPUTS = ['ProjectorQueueUrl'];
const STREAM_GRANTS = [
  'dynamodb:DescribeStream on event store',
  'dynamodb:GetRecords on event store',
  'dynamodb:GetShardIterator on event store',
  'dynamodb:ListStreams on *',
  'sqs:GetQueueAttributes on dlq',
  'sqs:GetQueueUrl on dlq',
];
function asStreamConsumer(before: {
  grants: string[];
  environment: Record<string, unknown>;
  [field: string]: unknown;
}) {
  const { DLQ_URL, QUEUE_URL, EVENT_STORE_TABLE, RETRY_BASE_SECONDS, ...environment } = before.environment;
  const queueGrant = (grant: string) =>
    grant.endsWith(' on queue') || grant === 'dynamodb:Query on event store';
  return {
    ...before,
    grants: [...before.grants.filter((grant) => !queueGrant(grant)), ...STREAM_GRANTS].sort(),
    environment,
    batchSize: 100,
    // It gathers 5 s of commits, so an order's events fold into one summary write (gatherSeconds).
    batchingWindow: 5,
    visibilityTimeout: null,
    maxReceiveCount: null,
  };
}

const withAdded = (
  counts: Record<string, number>,
  added: Record<string, number>,
  removed: Record<string, number> = {},
) =>
  Object.fromEntries(
    [...new Set([...Object.keys(counts), ...Object.keys(added)])].map((type) => [
      type,
      (counts[type] ?? 0) + (added[type] ?? 0) - (removed[type] ?? 0),
    ]),
  );

// Synthesized at import time, like the other infra tests (a first synthesis outlasts a test's timeout).
const after = { dev: summary(pipelineTemplate('dev')), prod: summary(pipelineTemplate('prod')) };

describe('infra: the orders context built from its definition', () => {
  it('is a valid definition, listed with its catalog among the declared contexts', () => {
    expect(() => validateContextDefinition(ordersContext)).not.toThrow();
    expect(DECLARED_CONTEXTS).toContain(ordersContext);
    expect(CONTEXT_CATALOGS).toContain(ordersCatalog);
  });

  it('routes to each consumer exactly the types its handler map takes, so the written-out lists cannot drift', () => {
    const consumer = (name: string) => ordersContext.consumers.find((c) => c.name === name);

    expect(ORDER_CONSUMER_TYPES).toEqual(CONSUMER_EVENT_TYPES);
    for (const name of ['saga', 'inventory', 'payment', 'projector'] as const) {
      expect(consumer(name)?.stored).toEqual(CONSUMER_EVENT_TYPES[name]);
    }
    expect(ordersContext.topics?.[0]?.fromOutbox).toBe(true);
    for (const subscription of ordersContext.topics?.[0]?.subscriptions ?? []) {
      expect(subscription.types).toEqual(CONSUMER_EVENT_TYPES.notificationChannel);
    }
  });

  it('keeps the outputs the CLI, the tests and the benches read, unprefixed', () => {
    expect(contextOutputNames(ordersContext).sort()).toEqual(
      [
        'SagaQueueUrl',
        'SagaDlqUrl',
        'InventoryQueueUrl',
        'InventoryDlqUrl',
        'PaymentQueueUrl',
        'PaymentDlqUrl',
        'ProjectorDlqUrl',
        'EmailQueueUrl',
        'EmailDlqUrl',
        'SmsQueueUrl',
        'SmsDlqUrl',
        'PushQueueUrl',
        'PushDlqUrl',
        'OrderSummaryTableName',
        'NotificationsTopicArn',
      ].sort(),
    );
  });

  for (const stage of ['dev', 'prod'] as const) {
    it(`deploys what the hand-composed orders context deployed: resources, outputs, rules and alarms (${stage})`, () => {
      expect(after[stage].counts).toEqual(
        withAdded(BEFORE[stage].counts, ADDED_SINCE[stage], sum(REMOVED_SINCE, STREAM_REMOVED)),
      );
      expect(after[stage].outputs).toEqual(
        [
          ...BEFORE[stage].outputs.filter(
            (name) => !REMOVED_OUTPUTS.includes(name) && !STREAM_REMOVED_OUTPUTS.includes(name),
          ),
          ...REPLAY_OUTPUTS,
          ...HTTP_API_OUTPUTS,
          ...SUBJECT_KEYS_OUTPUTS,
        ].sort(),
      );
      expect(after[stage].rules).toBe(BEFORE[stage].rules + REPLAY_STAGING['AWS::Events::Rule']);
      expect(after[stage].alarms).toBe(
        BEFORE[stage].alarms -
          (REMOVED_SINCE['AWS::CloudWatch::Alarm'] ?? 0) +
          REPLAY_STAGING['AWS::CloudWatch::Alarm'] +
          HTTP_API['AWS::CloudWatch::Alarm'],
      );
    });

    it(`gives each orders function the grants, environment, timeout, batching and redrive it had (${stage})`, () => {
      expect(after[stage].consumers).not.toHaveProperty(REMOVED_CONSUMER);
      for (const [service, before] of Object.entries(BEFORE[stage].consumers)) {
        if (service === REMOVED_CONSUMER) continue;
        const saga = service === 'order-saga';
        const keyGrants = SUBJECT_KEY_GRANTS[service] ?? [];
        const grants = [
          ...before.grants.filter((g: string) => !NARROWED_SINCE.includes(g)),
          ...keyGrants,
        ].sort();
        const narrowed = {
          ...before,
          grants: saga ? [...grants, ...SAGA_TIMER_GRANTS].sort() : grants,
          environment: {
            ...before.environment,
            ...(saga ? SAGA_TIMER_ENVIRONMENT : {}),
            ...(APPENDING_SERVICES.test(service) ? CATALOG_ENVIRONMENT : {}),
            ...(keyGrants.length > 0 ? SUBJECT_KEYS_ENVIRONMENT : {}),
          },
        };
        const expected = service === STREAM_CONSUMER ? asStreamConsumer(narrowed) : narrowed;
        expect(after[stage].consumers[service], service).toEqual(expected);
      }
    });
  }

  it('gives each orders function in prod the data key, to read or to write as it does its tables', () => {
    const writes = ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'];
    for (const [service, grants] of Object.entries(after.prod.keyGrants)) {
      const tables = (after.prod.consumers[service] as { grants: string[] }).grants.filter(
        (g) => g.endsWith(' on event store') || g.endsWith(' on read model'),
      );
      const writesTables = tables.some((g) => !/dynamodb:(Query|GetItem) /.test(g));
      const expected = tables.length === 0 ? [] : writesTables ? writes : writes.slice(0, 2);
      expect(grants, service).toEqual(expected.map((a) => `${a} on data key`).sort());
    }
    expect(Object.values(after.dev.keyGrants).flat()).toEqual([]);
  });
});

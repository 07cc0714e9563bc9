import type { CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { BoundedContext, type ContextDefinition } from '../../infra/constructs/bounded-context.ts';
import { BusConsumer } from '../../infra/constructs/bus-consumer.ts';
import { PipelineEventBus } from '../../infra/constructs/event-bus.ts';
import { EVENT_STORE_ACTIONS, EventStoreTable } from '../../infra/constructs/event-store-table.ts';
import { QueueConsumer } from '../../infra/constructs/queue-consumer.ts';
import { RuleTargets } from '../../infra/constructs/rule-targets.ts';
import { stageSettings } from '../../infra/stages.ts';
import { STORED_METADATA_KEY } from '../../shared/kit/events/stored.ts';
import { shopCatalog } from '../fakes/test-context.ts';
import { type CfnResource, referencedId, referencedIds, testStack } from './infra-fixture.ts';

/**
 * The shop context with one consumer of each kind: `cart` takes its commands first-hand (intake),
 * `receipts` takes an integration event once stored (fromBus), `analytics` only gets stored events
 * from the outbox (gathered batches), `ledger` applies a cart's events in order (FIFO).
 */
const shopContext: ContextDefinition = {
  name: 'shop',
  catalog: shopCatalog,
  integrationEvents: ['CartCheckedOut'],
  consumers: [
    { name: 'cart', entry: 'functions/onboarding/accounts.ts', intake: ['ItemAdded', 'ItemRemoved'] },
    { name: 'receipts', entry: 'functions/onboarding/welcome.ts', fromBus: ['CartCheckedOut'] },
    {
      name: 'analytics',
      entry: 'functions/onboarding/settings.ts',
      stored: ['ItemAdded', 'ItemRemoved', 'CartCheckedOut'],
      batching: 'gathered',
      timeoutSeconds: 15,
    },
    {
      name: 'ledger',
      entry: 'functions/onboarding/profiles.ts',
      stored: ['ItemAdded', 'ItemRemoved'],
      ordered: true,
    },
  ],
};

/** A stack holding the bounded context and only what it depends on. */
function shopStack(definition: ContextDefinition = shopContext) {
  const stack = testStack();
  const stage = stageSettings('dev');
  const alarmTopic = new Topic(stack, 'Alarms');
  const bus = new PipelineEventBus(stack, 'Events').bus;
  const ruleTargets = new RuleTargets(stack, 'RuleTargets', { stage, alarmTopic });
  const eventStore = new EventStoreTable(stack, 'EventStore', { stage });
  const context = new BoundedContext(stack, 'Shop', {
    definition,
    stage,
    alarmTopic,
    bus,
    ruleTargets,
    eventStore,
  });
  return { stack, context, eventStore };
}

const { stack, context, eventStore } = shopStack();
const template = Template.fromStack(stack);
const resources = (type: string) => template.findResources(type) as Record<string, CfnResource>;
const queues = resources('AWS::SQS::Queue');
const rules = resources('AWS::Events::Rule');
const functions = resources('AWS::Lambda::Function');
const mappings = Object.values(resources('AWS::Lambda::EventSourceMapping'));
const policies = Object.values(resources('AWS::IAM::Policy'));

/** Logical id of a construct's CloudFormation resource in the stack. */
const logicalId = (construct: IConstruct) => stack.getLogicalId(construct.node.defaultChild as CfnElement);
const tableId = logicalId(eventStore.table);

function consumer(name: string): QueueConsumer {
  const deployed = context.consumers[name];
  if (!(deployed instanceof QueueConsumer)) throw new Error(`no queue consumer ${name}`);
  return deployed;
}

function queueOf(name: string): CfnResource {
  const queue = queues[logicalId(consumer(name).queue)];
  if (!queue) throw new Error(`no queue for ${name}`);
  return queue;
}

function mappingOf(name: string): CfnResource {
  const queueId = logicalId(consumer(name).queue);
  const mapping = mappings.find((m) => referencedId(m.Properties?.EventSourceArn) === queueId);
  if (!mapping) throw new Error(`no event source mapping for ${name}`);
  return mapping;
}

/** The rules whose targets include the consumer's queue, with their logical ids. */
function rulesTargeting(name: string): [string, CfnResource][] {
  const queueId = logicalId(consumer(name).queue);
  return Object.entries(rules).filter(([, rule]) =>
    ((rule.Properties?.Targets as { Arn?: unknown }[]) ?? []).some(
      (target) => referencedId(target.Arn) === queueId,
    ),
  );
}

interface Statement {
  readonly Action: string | string[];
  readonly Resource: unknown;
}

/** Actions granted on the event store table to the role of the consumer's function. */
function tableActionsOf(name: string): string[] {
  const roleId = logicalId(consumer(name).function.role as IConstruct);
  return policies
    .filter((policy) => referencedIds(policy.Properties?.Roles).has(roleId))
    .flatMap((policy) => {
      const document = policy.Properties?.PolicyDocument as { Statement?: Statement[] } | undefined;
      return document?.Statement ?? [];
    })
    .filter((statement) => referencedIds(statement.Resource).has(tableId))
    .flatMap((statement) => [statement.Action].flat());
}

const FIFO_PROPERTIES = {
  FifoQueue: true,
  ContentBasedDeduplication: false,
  DeduplicationScope: 'messageGroup',
  FifoThroughputLimit: 'perMessageGroupId',
};

describe('infra: BoundedContext', () => {
  it('deploys one queue with its DLQ and one function per consumer, nothing else', () => {
    // Act
    const queueCount = Object.keys(queues).length;
    const functionCount = Object.keys(functions).length;

    // Assert: four work queues, four DLQs, the rule targets' DLQ.
    expect(queueCount).toBe(9);
    expect(functionCount).toBe(4);
    expect(Object.keys(context.consumers)).toEqual(['cart', 'receipts', 'analytics', 'ledger']);
  });

  it('makes the ordered consumer queue and its DLQ FIFO with per-group deduplication and throughput', () => {
    // Arrange
    const ledger = consumer('ledger');

    // Act
    const queue = queueOf('ledger');
    const dlq = queues[logicalId(ledger.deadLetterQueue)];

    // Assert
    expect(queue.Properties).toMatchObject(FIFO_PROPERTIES);
    expect(dlq?.Properties).toMatchObject(FIFO_PROPERTIES);
    const redrive = queue.Properties?.RedrivePolicy as { deadLetterTargetArn?: unknown } | undefined;
    expect(referencedId(redrive?.deadLetterTargetArn)).toBe(logicalId(ledger.deadLetterQueue));
  });

  it('keeps the queues of unordered consumers standard', () => {
    for (const name of ['cart', 'receipts', 'analytics']) {
      // Act
      const queue = queueOf(name);
      const dlq = queues[logicalId(consumer(name).deadLetterQueue)];

      // Assert
      expect(queue.Properties?.FifoQueue, name).toBeUndefined();
      expect(dlq?.Properties?.FifoQueue, name).toBeUndefined();
    }
  });

  it('drains the ordered queue without a batching window, at most ten records a batch', () => {
    // Act
    const mapping = mappingOf('ledger');

    // Assert
    expect(mapping.Properties?.MaximumBatchingWindowInSeconds).toBeUndefined();
    expect(Number(mapping.Properties?.BatchSize)).toBeLessThanOrEqual(10);
    expect(mapping.Properties?.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
  });

  it('gathers the batches of a gathered consumer for up to a second, and keeps its queue invisible long enough', () => {
    // Act
    const mapping = mappingOf('analytics');
    const queue = queueOf('analytics');

    // Assert
    expect(mapping.Properties).toMatchObject({ BatchSize: 25, MaximumBatchingWindowInSeconds: 1 });
    expect(queue.Properties?.VisibilityTimeout).toBe(6 * 15 + 1);
  });

  it('routes the intake types to the intake consumer by a rule requiring the stored mark to be absent', () => {
    // Arrange
    const cart = consumer('cart') as BusConsumer;

    // Act
    const matching = rulesTargeting('cart');

    // Assert
    expect(cart.rule).toBeUndefined();
    expect(matching).toHaveLength(1);
    const [id, rule] = matching[0] ?? [];
    expect(id).toBe(cart.intakeRule && logicalId(cart.intakeRule));
    expect(rule?.Properties?.EventPattern).toEqual({
      'detail-type': ['ItemAdded', 'ItemRemoved'],
      detail: { metadata: { [STORED_METADATA_KEY]: [{ exists: false }] } },
      'replay-name': [{ exists: false }],
    });
  });

  it('routes the fromBus types to their consumer by a rule requiring the stored mark', () => {
    // Arrange
    const receipts = consumer('receipts');

    // Act
    const matching = rulesTargeting('receipts');

    // Assert
    expect(receipts).toBeInstanceOf(BusConsumer);
    expect((receipts as BusConsumer).intakeRule).toBeUndefined();
    expect(matching).toHaveLength(1);
    expect(matching[0]?.[0]).toBe(
      receipts instanceof BusConsumer && receipts.rule && logicalId(receipts.rule),
    );
    expect(matching[0]?.[1].Properties?.EventPattern).toEqual({
      'detail-type': ['CartCheckedOut'],
      detail: { metadata: { [STORED_METADATA_KEY]: [{ exists: true }] } },
      'replay-name': [{ exists: false }],
    });
  });

  it('gives every bus rule the rule targets DLQ and retry policy', () => {
    // Arrange
    const ruleDlqId = logicalId((stack.node.findChild('RuleTargets') as RuleTargets).deadLetterQueue.queue);

    // Act
    const targets = Object.values(rules).flatMap(
      (rule) =>
        (rule.Properties?.Targets as { DeadLetterConfig?: { Arn?: unknown }; RetryPolicy?: unknown }[]) ?? [],
    );

    // Assert
    expect(targets).toHaveLength(2);
    for (const target of targets) {
      expect(referencedId(target.DeadLetterConfig?.Arn)).toBe(ruleDlqId);
      expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 7200 });
    }
  });

  it('creates no rule for the consumers fed by the outbox alone', () => {
    for (const name of ['analytics', 'ledger']) {
      // Act
      const matching = rulesTargeting(name);

      // Assert
      expect(matching, name).toEqual([]);
      expect(consumer(name), name).not.toBeInstanceOf(BusConsumer);
    }
  });

  it('gives every consumer function the table name, its context service name and metrics namespace, and the event store grants', () => {
    for (const name of Object.keys(context.consumers)) {
      // Arrange
      const fn = functions[logicalId(consumer(name).function)];

      // Act
      const actions = tableActionsOf(name);

      // Assert
      expect(fn?.Properties?.Environment, name).toMatchObject({
        Variables: {
          TABLE_NAME: { Ref: tableId },
          POWERTOOLS_SERVICE_NAME: `shop-${name}`,
          POWERTOOLS_METRICS_NAMESPACE: 'Shop',
        },
      });
      expect(actions, name).toEqual(expect.arrayContaining([...EVENT_STORE_ACTIONS]));
    }
  });

  it('returns as outbox routes exactly the stored types of each consumer that has some, with its queue', () => {
    // Act
    const routes = context.outboxRoutes();

    // Assert
    expect(routes.map(({ queue, types }) => ({ queue, types }))).toEqual([
      { queue: consumer('analytics').queue, types: ['ItemAdded', 'ItemRemoved', 'CartCheckedOut'] },
      { queue: consumer('ledger').queue, types: ['ItemAdded', 'ItemRemoved'] },
    ]);
    expect(routes.map(({ queue }) => queue as IQueue)).not.toContain(consumer('cart').queue);
    expect(routes.map(({ queue }) => queue as IQueue)).not.toContain(consumer('receipts').queue);
  });

  it('names one dashboard row per consumer "shop <consumer>", with its queue, DLQ and function', () => {
    // Act
    const rows = context.dashboardConsumers();

    // Assert
    expect(rows.map((row) => row.name)).toEqual([
      'shop cart',
      'shop receipts',
      'shop analytics',
      'shop ledger',
    ]);
    const ledger = rows[3];
    expect(ledger?.queue).toBe(consumer('ledger').queue);
    expect(ledger?.deadLetterQueue).toBe(consumer('ledger').deadLetterQueue);
    expect(ledger?.function).toBe(consumer('ledger').function);
  });

  it('exposes the context name and its integration events for the outbox', () => {
    // Assert
    expect(context.contextName).toBe('shop');
    expect(context.integrationEvents).toEqual(['CartCheckedOut']);
  });

  it('throws at construction for an invalid definition, naming the field', () => {
    // Arrange
    const invalid: ContextDefinition = {
      ...shopContext,
      consumers: [
        {
          name: 'ledger',
          entry: 'functions/onboarding/profiles.ts',
          intake: ['ItemAdded'],
          ordered: true,
        },
      ],
    };
    const unknownType: ContextDefinition = { ...shopContext, integrationEvents: ['OrderPlaced'] };

    // Act
    const buildOrdered = () => shopStack(invalid);
    const buildUnknown = () => shopStack(unknownType);

    // Assert
    expect(buildOrdered).toThrow(
      'shop.consumers.ledger: an ordered (FIFO) consumer is fed by the outbox only',
    );
    expect(buildUnknown).toThrow('shop.integrationEvents: OrderPlaced is not in the catalog');
  });

  it('resolves a stage duration a consumer names from the stage settings, and refuses one the stage does not define', () => {
    // Arrange
    const withDuration = (setting: string): ContextDefinition => ({
      ...shopContext,
      consumers: shopContext.consumers.map((c, i) =>
        i === 0 ? { ...c, stageEnvironment: { STEP_TIMEOUT_MS: setting } } : c,
      ),
    });

    // Act
    const known = Template.fromStack(shopStack(withDuration('sagaStepTimeout')).stack);
    const buildUnknown = () => shopStack(withDuration('cartExpiry'));

    // Assert
    known.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          STEP_TIMEOUT_MS: String(stageSettings('dev').sagaStepTimeout.toMilliseconds()),
        }),
      },
    });
    expect(buildUnknown).toThrow(
      "cartExpiry is not a duration of the dev stage's settings (infra/stages.ts)",
    );
  });
});

import { Duration } from 'aws-cdk-lib';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  type ContextConsumerDefinition,
  type ContextDefinition,
  type ContextTopicDefinition,
  consumerGrants,
  contextOutputPrefix,
  type EventStoreGrant,
  outboxTopicTypes,
  pascalName,
  type StageDurationSetting,
  unstoredRuleTypes,
  usesEventStore,
  validateContextDefinition,
} from '../../shared/kit/context.ts';
import type { ContextOutputName } from '../stacks/outputs.ts';
import type { StageSettings } from '../stages.ts';
import { BusConsumer } from './bus-consumer.ts';
import { ContextTable } from './context-table.ts';
import type { DashboardConsumer } from './dashboard.ts';
import type { EventStoreTable } from './event-store-table.ts';
import { FanOutTopic } from './fan-out-topic.ts';
import { BATCHING, consumerVisibilityTimeout, QueueConsumer } from './queue-consumer.ts';
import type { RuleTargets } from './rule-targets.ts';
import { SagaTimerSchedules } from './saga-timer-schedules.ts';
import { StoreStreamConsumer } from './store-stream-consumer.ts';
import { SUBJECT_KEYS_ENV, type SubjectKeysTable } from './subject-keys-table.ts';

export type { ContextConsumerDefinition, ContextDefinition };

/** What the stack needs of a deployed context. */
export interface DeployedContext {
  readonly contextName: string;
  /** Events the outbox puts on the bus for this context. */
  readonly integrationEvents: readonly string[];
  /** The queues the outbox delivers stored events to, with the types each takes. */
  outboxRoutes(): { queue: IQueue; types: readonly string[] }[];
  /** The topics the outbox publishes stored events to (`fromOutbox`), with the types each takes. */
  outboxTopicRoutes(): {
    topic: FanOutTopic;
    types: readonly string[];
    attributes?: Readonly<Record<string, string>>;
  }[];
  /** Rows of the pipeline dashboard, one per consumer. */
  dashboardConsumers(): DashboardConsumer[];
  /** Its stack outputs, by name (the CLI, the tests and the benches read them). */
  outputs(): Record<string, string>;
}

/**
 * The stage's value of a duration a definition names (the definition names it, the stage defines it):
 * a name the stage does not define as a duration fails the synth, naming it.
 */
function stageDuration(stage: StageSettings, setting: StageDurationSetting): Duration {
  const value: unknown = (stage as unknown as Record<string, unknown>)[setting];
  if (!(value instanceof Duration)) {
    throw new Error(`${setting} is not a duration of the ${stage.name} stage's settings (infra/stages.ts)`);
  }
  return value;
}

/** How a consumer's records are batched: its batching (or FIFO), with its own batch size if it has one. */
function batchingOf(consumer: ContextConsumerDefinition) {
  const batching = consumer.ordered
    ? { batchSize: 10, fifo: true as const }
    : BATCHING[consumer.batching ?? 'immediate'];
  return {
    ...batching,
    batchSize: consumer.batchSize ?? batching.batchSize,
    ...(consumer.gatherSeconds === undefined
      ? {}
      : { maxBatchingWindow: Duration.seconds(consumer.gatherSeconds) }),
  };
}

/** A consumer's function timeout: fixed, or a bounded call per record of a full batch plus a margin. */
function timeoutOf(consumer: ContextConsumerDefinition, stage: StageSettings): Duration {
  const perRecord = consumer.timeoutPerRecord;
  if (perRecord === undefined) return Duration.seconds(consumer.timeoutSeconds ?? 10);
  const call = stageDuration(stage, perRecord.perRecord).toSeconds();
  return Duration.seconds(batchingOf(consumer).batchSize * call + perRecord.marginSeconds);
}

/** Props of {@link BoundedContext}. */
export interface BoundedContextProps {
  readonly definition: ContextDefinition;
  readonly stage: StageSettings;
  readonly alarmTopic: ITopic;
  readonly bus: IEventBus;
  readonly ruleTargets: RuleTargets;
  readonly eventStore: EventStoreTable;
  /** The subjects' keys, granted to the consumers whose definition says `personalData`. */
  readonly subjectKeys?: SubjectKeysTable;
}

/**
 * A context deployed from its {@link ContextDefinition}: its tables and topics (each subscription's
 * queue drained by the consumer that names it), and per consumer a queue (+DLQ, FIFO when ordered)
 * drained by its Lambda, the rules for what it takes from the bus, exactly the grants it declares
 * (event store capabilities, its topics and tables, its own queue for timers), the alarms of a
 * {@link QueueConsumer}, its dashboard row and its outputs.
 */
export class BoundedContext extends Construct implements DeployedContext {
  readonly contextName: string;
  readonly integrationEvents: readonly string[];
  /** Queue-fed consumers, and the one that reads the store's change stream (`fromStoreStream`). */
  readonly consumers: Readonly<Record<string, QueueConsumer | StoreStreamConsumer>>;
  readonly tables: Readonly<Record<string, ContextTable>>;
  readonly topics: Readonly<Record<string, FanOutTopic>>;
  /** The step timers of each consumer that has them (its saga), by consumer name. */
  readonly timers: Record<string, SagaTimerSchedules> = {};
  private readonly definition: ContextDefinition;

  constructor(scope: Construct, id: string, props: BoundedContextProps) {
    super(scope, id);
    validateContextDefinition(props.definition);
    this.definition = props.definition;
    this.contextName = props.definition.name;
    this.integrationEvents = props.definition.integrationEvents;
    const tables: Record<string, ContextTable> = {};
    for (const table of props.definition.tables ?? []) {
      tables[table.name] = new ContextTable(this, pascalName(table.name), {
        definition: table,
        stage: props.stage,
      });
    }
    this.tables = tables;
    const topics: Record<string, FanOutTopic> = {};
    for (const topic of props.definition.topics ?? []) {
      topics[topic.name] = this.createTopic(topic, props);
    }
    this.topics = topics;
    const consumers: Record<string, QueueConsumer | StoreStreamConsumer> = {};
    for (const consumer of props.definition.consumers) {
      consumers[consumer.name] = this.createConsumer(consumer, props);
    }
    this.consumers = consumers;
  }

  outboxRoutes(): { queue: IQueue; types: readonly string[] }[] {
    return this.definition.consumers
      .filter((consumer) => (consumer.stored ?? []).length > 0 && !consumer.fromStoreStream)
      .map((consumer) => ({
        queue: this.queueConsumer(consumer.name).queue,
        types: consumer.stored ?? [],
      }));
  }

  outboxTopicRoutes(): {
    topic: FanOutTopic;
    types: readonly string[];
    attributes?: Readonly<Record<string, string>>;
  }[] {
    return (this.definition.topics ?? [])
      .filter((topic) => topic.fromOutbox)
      .map((topic) => ({
        topic: this.topicNamed(topic.name),
        types: outboxTopicTypes(topic),
        ...(topic.attributes === undefined ? {} : { attributes: topic.attributes }),
      }));
  }

  dashboardConsumers(): DashboardConsumer[] {
    return this.definition.consumers.map(({ name }) => {
      const consumer = this.consumer(name);
      return {
        name: `${this.contextName} ${name}`,
        ...(consumer instanceof QueueConsumer ? { queue: consumer.queue } : {}),
        deadLetterQueue: consumer.deadLetterQueue,
        function: consumer.function,
      };
    });
  }

  /** Named as `contextOutputNames` derives them from the definition. */
  outputs(): Record<ContextOutputName, string> {
    const prefix = contextOutputPrefix(this.definition);
    const outputs: Record<ContextOutputName, string> = {};
    for (const { name } of this.definition.consumers) {
      const consumer = this.consumer(name);
      if (consumer instanceof QueueConsumer) {
        outputs[`${prefix}${pascalName(name)}QueueUrl`] = consumer.queue.queueUrl;
      }
      outputs[`${prefix}${pascalName(name)}DlqUrl`] = consumer.deadLetterQueue.queueUrl;
    }
    for (const [name, table] of Object.entries(this.tables)) {
      outputs[`${prefix}${pascalName(name)}TableName`] = table.table.tableName;
    }
    for (const [name, topic] of Object.entries(this.topics)) {
      outputs[`${prefix}${pascalName(name)}TopicArn`] = topic.topic.topicArn;
    }
    return outputs;
  }

  private consumer(name: string): QueueConsumer | StoreStreamConsumer {
    const consumer = this.consumers[name];
    if (!consumer) throw new Error(`${this.contextName}: no consumer ${name}`);
    return consumer;
  }

  private queueConsumer(name: string): QueueConsumer {
    const consumer = this.consumer(name);
    if (!(consumer instanceof QueueConsumer)) throw new Error(`${this.contextName}: ${name} has no queue`);
    return consumer;
  }

  /**
   * A topic fanned out to one queue per subscription, each queue shaped for the consumer that drains
   * it: its receives before the DLQ, and invisible for six times its timeout plus its batching window.
   */
  private createTopic(topic: ContextTopicDefinition, props: BoundedContextProps): FanOutTopic {
    const drainer = (subscription: string) => {
      const consumer = props.definition.consumers.find(
        ({ fromTopic }) => fromTopic?.topic === topic.name && fromTopic.subscription === subscription,
      );
      if (!consumer) throw new Error(`${topic.name}.${subscription}: no consumer drains it`);
      return consumer;
    };
    return new FanOutTopic(this, pascalName(topic.name), {
      stage: props.stage,
      catalog: props.definition.catalog,
      alarmTopic: props.alarmTopic,
      subscribers: topic.subscriptions.map(({ name, types, where }) => {
        const consumer = drainer(name);
        const batching = batchingOf(consumer);
        return {
          name,
          types,
          ...(where === undefined ? {} : { where }),
          maxReceiveCount: consumer.maxReceiveCount ?? 5,
          visibilityTimeout: consumerVisibilityTimeout(
            timeoutOf(consumer, props.stage),
            'maxBatchingWindow' in batching ? batching.maxBatchingWindow : undefined,
          ),
        };
      }),
    });
  }

  private createConsumer(
    consumer: ContextConsumerDefinition,
    props: BoundedContextProps,
  ): QueueConsumer | StoreStreamConsumer {
    const { stage, eventStore, definition } = props;
    const stageEnvironment = Object.fromEntries(
      Object.entries(consumer.stageEnvironment ?? {}).map(([name, setting]) => [
        name,
        String(stageDuration(stage, setting).toMilliseconds()),
      ]),
    );
    const resourceEnvironment: Record<string, string> = {};
    for (const grant of consumerGrants(consumer)) {
      if (typeof grant === 'string') continue;
      resourceEnvironment[grant.env] =
        'publish' in grant
          ? this.topicNamed(grant.publish).topic.topicArn
          : this.tableNamed(grant.table).table.tableName;
    }
    const common = {
      stage,
      alarmTopic: props.alarmTopic,
      entry: consumer.entry,
      serviceName: consumer.serviceName ?? `${definition.name}-${consumer.name}`,
      environment: {
        ...(usesEventStore(consumer)
          ? {
              [consumer.eventStoreEnv ?? 'TABLE_NAME']: eventStore.table.tableName,
              // Read by the store of a consumer that appends (its first commits carry the catalog key).
              ...(definition.catalogedStreamTypes && consumerGrants(consumer).includes('eventStore')
                ? { EVENT_STORE_CATALOG_TYPES: definition.catalogedStreamTypes.join(',') }
                : {}),
            }
          : {}),
        // The queue runtime's retry backoff; a store-stream consumer retries per its stream mapping.
        ...(consumer.fromStoreStream ? {} : { RETRY_BASE_SECONDS: String(stage.retryBase.toSeconds()) }),
        // The context's own metrics namespace (its consumers are the `service` dimension within it).
        POWERTOOLS_METRICS_NAMESPACE: definition.metricsNamespace ?? pascalName(definition.name),
        ...consumer.environment,
        ...stageEnvironment,
        ...resourceEnvironment,
        ...(consumer.personalData && props.subjectKeys
          ? { [SUBJECT_KEYS_ENV]: props.subjectKeys.table.tableName }
          : {}),
      },
      maxReceiveCount: consumer.maxReceiveCount ?? 5,
      timeout: timeoutOf(consumer, stage),
      ...batchingOf(consumer),
    };
    const id = pascalName(consumer.name);
    if (consumer.fromStoreStream) {
      const { maxReceiveCount: _, batchSize, ...run } = common;
      const deployed = new StoreStreamConsumer(this, id, {
        ...run,
        eventStore,
        // A stream batch is not capped at 10 as a queue's is: a second of commits, up to 100.
        batchSize: consumer.batchSize ?? Math.max(batchSize, 100),
      });
      this.grant(deployed, consumer, props);
      return deployed;
    }
    const unstored = unstoredRuleTypes(consumer);
    const fromBus = unstored.length > 0 || (consumer.fromBus ?? []).length > 0;
    const subscription = consumer.fromTopic;
    const deployed = fromBus
      ? new BusConsumer(this, id, {
          ...common,
          bus: props.bus,
          ruleTargets: props.ruleTargets,
          catalog: definition.catalog,
          eventTypes: consumer.fromBus ?? [],
          intakeTypes: unstored,
          description: `${definition.name} ${consumer.name}: ${[...(consumer.intake ?? []), ...(consumer.fromBus ?? [])].join(', ')}`,
        })
      : new QueueConsumer(this, id, {
          ...common,
          ...(subscription === undefined
            ? {}
            : { queue: this.subscriptionQueue(subscription.topic, subscription.subscription) }),
        });
    this.grant(deployed, consumer, props);
    return deployed;
  }

  /** Exactly what the definition grants the consumer, each on its one resource. */
  private grant(
    deployed: QueueConsumer | StoreStreamConsumer,
    consumer: ContextConsumerDefinition,
    { eventStore, stage, subjectKeys }: BoundedContextProps,
  ) {
    const fn: IGrantable = deployed.function;
    if (consumer.personalData) {
      if (!subjectKeys)
        throw new Error(`${consumer.name}: personalData needs the stack's subject keys table`);
      subjectKeys.grant(fn, consumer.personalData);
    }
    const onEventStore: Record<EventStoreGrant, () => void> = {
      eventStore: () => eventStore.grantEventStore(fn),
      storedEventCheck: () => eventStore.grantStoredEventCheck(fn),
      idempotencyRecords: () => eventStore.grantIdempotencyRecords(fn),
      eventStoreUpdate: () => eventStore.grantItemUpdate(fn),
    };
    for (const grant of consumerGrants(consumer)) {
      if (typeof grant === 'string') onEventStore[grant]();
      else if ('publish' in grant) this.topicNamed(grant.publish).grantPublish(fn);
      else this.tableNamed(grant.table).grantItems(fn, grant.actions);
    }
    // Near timers are delayed messages to its own (standard) queue, far ones Scheduler schedules.
    if (consumer.timers && deployed instanceof QueueConsumer) {
      this.timers[consumer.name] = new SagaTimerSchedules(deployed, 'Timers', {
        function: deployed.function,
        queue: deployed.queue,
        stage,
      });
    }
  }

  private topicNamed(name: string): FanOutTopic {
    const topic = this.topics[name];
    if (!topic) throw new Error(`${this.contextName}: no topic ${name}`);
    return topic;
  }

  private tableNamed(name: string): ContextTable {
    const table = this.tables[name];
    if (!table) throw new Error(`${this.contextName}: no table ${name}`);
    return table;
  }

  private subscriptionQueue(topic: string, subscription: string) {
    const found = this.topicNamed(topic).subscribers[subscription];
    if (!found) throw new Error(`${this.contextName}: topic ${topic} has no subscription ${subscription}`);
    return found.queue;
  }
}

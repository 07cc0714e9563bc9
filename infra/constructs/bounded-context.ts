import { Duration } from 'aws-cdk-lib';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  type ContextConsumerDefinition,
  type ContextDefinition,
  pascalName,
  validateContextDefinition,
} from '../../shared/kit/context.ts';
import type { StageSettings } from '../stages.ts';
import { BusConsumer } from './bus-consumer.ts';
import type { DashboardConsumer } from './dashboard.ts';
import type { EventStoreTable } from './event-store-table.ts';
import { BATCHING, QueueConsumer } from './queue-consumer.ts';

export type { ContextConsumerDefinition, ContextDefinition };

import type { RuleTargets } from './rule-targets.ts';

/** What the stack needs of any deployed context, declarative or hand-composed. */
export interface DeployedContext {
  readonly contextName: string;
  /** Events the outbox puts on the bus for this context. */
  readonly integrationEvents: readonly string[];
  /** The queues the outbox delivers stored events to, with the types each takes. */
  outboxRoutes(): { queue: IQueue; types: readonly string[] }[];
  /** Rows of the pipeline dashboard, one per consumer. */
  dashboardConsumers(): DashboardConsumer[];
}

/** Props of {@link BoundedContext}. */
export interface BoundedContextProps {
  readonly definition: ContextDefinition;
  readonly stage: StageSettings;
  readonly alarmTopic: ITopic;
  readonly bus: IEventBus;
  readonly ruleTargets: RuleTargets;
  readonly eventStore: EventStoreTable;
}

/**
 * A context deployed from its {@link ContextDefinition}: per consumer a queue (+DLQ, FIFO when ordered)
 * drained by its Lambda, a rule for what it takes from the bus, the event store grants every consumer
 * of the kit needs (append, read, stored checks, input claims) and the alarms of a {@link QueueConsumer}.
 */
export class BoundedContext extends Construct implements DeployedContext {
  readonly contextName: string;
  readonly integrationEvents: readonly string[];
  readonly consumers: Readonly<Record<string, QueueConsumer>>;
  private readonly definition: ContextDefinition;

  constructor(scope: Construct, id: string, props: BoundedContextProps) {
    super(scope, id);
    validateContextDefinition(props.definition);
    this.definition = props.definition;
    this.contextName = props.definition.name;
    this.integrationEvents = props.definition.integrationEvents;
    const consumers: Record<string, QueueConsumer> = {};
    for (const consumer of props.definition.consumers) {
      consumers[consumer.name] = this.createConsumer(consumer, props);
    }
    this.consumers = consumers;
  }

  outboxRoutes(): { queue: IQueue; types: readonly string[] }[] {
    return this.definition.consumers
      .filter((consumer) => (consumer.stored ?? []).length > 0)
      .map((consumer) => ({
        queue: (this.consumers[consumer.name] as QueueConsumer).queue,
        types: consumer.stored ?? [],
      }));
  }

  dashboardConsumers(): DashboardConsumer[] {
    return this.definition.consumers.map(({ name }) => {
      const consumer = this.consumers[name] as QueueConsumer;
      return {
        name: `${this.contextName} ${name}`,
        queue: consumer.queue,
        deadLetterQueue: consumer.deadLetterQueue,
        function: consumer.function,
      };
    });
  }

  private createConsumer(consumer: ContextConsumerDefinition, props: BoundedContextProps): QueueConsumer {
    const { stage, eventStore, definition } = props;
    const common = {
      stage,
      alarmTopic: props.alarmTopic,
      entry: consumer.entry,
      serviceName: `${definition.name}-${consumer.name}`,
      environment: {
        TABLE_NAME: eventStore.table.tableName,
        RETRY_BASE_SECONDS: String(stage.retryBase.toSeconds()),
        // The context's own metrics namespace (its consumers are the `service` dimension within it).
        POWERTOOLS_METRICS_NAMESPACE: definition.metricsNamespace ?? pascalName(definition.name),
        ...consumer.environment,
      },
      maxReceiveCount: consumer.maxReceiveCount ?? 5,
      ...(consumer.timeoutSeconds === undefined
        ? {}
        : { timeout: Duration.seconds(consumer.timeoutSeconds) }),
      ...(consumer.ordered ? { batchSize: 10, fifo: true } : BATCHING[consumer.batching ?? 'immediate']),
    };
    const id = pascalName(consumer.name);
    const fromBus = [...(consumer.intake ?? []), ...(consumer.fromBus ?? [])].length > 0;
    const deployed = fromBus
      ? new BusConsumer(this, id, {
          ...common,
          bus: props.bus,
          ruleTargets: props.ruleTargets,
          catalog: definition.catalog,
          eventTypes: consumer.fromBus ?? [],
          intakeTypes: consumer.intake ?? [],
          description: `${definition.name} ${consumer.name}: ${[...(consumer.intake ?? []), ...(consumer.fromBus ?? [])].join(', ')}`,
        })
      : new QueueConsumer(this, id, common);
    eventStore.grantEventStore(deployed.function);
    return deployed;
  }
}

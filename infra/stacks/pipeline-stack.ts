import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { type IEventBus, Rule } from 'aws-cdk-lib/aws-events';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { CONTEXT_CATALOGS, DECLARED_CONTEXTS } from '../../shared/contexts/index.ts';
import { contextOutputNames, pascalName } from '../../shared/kit/context.ts';
import { type ApiSettings, apiSettings } from '../api-settings.ts';
import { AlarmTopic } from '../constructs/alarm-topic.ts';
import { BoundedContext, type DeployedContext } from '../constructs/bounded-context.ts';
import { liveOnly } from '../constructs/bus-consumer.ts';
import { PipelineDashboard } from '../constructs/dashboard.ts';
import { dataKey, grantTableKey, skipIfAwsManagedKey } from '../constructs/data-key.ts';
import { PipelineEventBus } from '../constructs/event-bus.ts';
import { EventStoreTable } from '../constructs/event-store-table.ts';
import type { HttpFrontDoor } from '../constructs/http-front-door.ts';
import { OutboxPublisher } from '../constructs/outbox-publisher.ts';
import { QueueConsumer } from '../constructs/queue-consumer.ts';
import { ReplayStaging } from '../constructs/replay-staging.ts';
import { RuleTargets } from '../constructs/rule-targets.ts';
import { EventSchemaRegistry } from '../constructs/schema-registry.ts';
import { SubjectKeysTable } from '../constructs/subject-keys-table.ts';
import type { StageSettings } from '../stages.ts';
import { ordersHttpApi } from './orders-api.ts';
import { OUTPUTS } from './outputs.ts';

export interface PipelineStackProps extends StackProps {
  readonly stage: StageSettings;
  /** The HTTP API's authorization, CORS and throttling. @default IAM, CORS closed, 50 rps (apiSettings()) */
  readonly api?: ApiSettings;
}

/** Each context's events carry a source under its name (`orders.api`, `onboarding.accounts`). */
export const EVENT_SOURCE_PREFIXES: readonly string[] = CONTEXT_CATALOGS.map((catalog) => `${catalog.name}.`);

/**
 * Every output name of the contexts, derived from their definitions like the resources themselves:
 * `<prefix><Consumer>QueueUrl` and `…DlqUrl`, `<prefix><Table>TableName`, `<prefix><Topic>TopicArn`
 * (e.g. `OnboardingProfilesQueueUrl`; orders has no prefix: `SagaQueueUrl`, `OrderSummaryTableName`).
 */
export function declaredContextOutputs(): string[] {
  return DECLARED_CONTEXTS.flatMap(contextOutputNames);
}

/**
 * Composition only. The bus (archive, resource policy) feeds rules whose targets all have a DLQ and a
 * retry policy; in dev, the walking skeleton records every event (bus → rule → queue → Lambda →
 * table); the event store's stream is published by the outbox, integration events to the bus and
 * every other stored event straight to the queues that take it; each context (orders, onboarding) is
 * a {@link BoundedContext} built from its definition, with its consumers, tables, topics, dashboard
 * rows and outputs. Every queue has a DLQ, every alarm notifies the alarm topic.
 */
export class PipelineStack extends Stack {
  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, props);
    const { stage } = props;

    const alarmTopic = new AlarmTopic(this, 'Alarms', {
      email: stage.alarmEmail,
      removalPolicy: stage.removalPolicy,
    }).topic;
    const events = new PipelineEventBus(this, 'Events', {
      busName: `${this.stackName}-bus`,
      archiveRetention: stage.archiveRetention,
      removalPolicy: stage.removalPolicy,
    });
    const ruleTargets = new RuleTargets(this, 'RuleTargets', { stage, alarmTopic });
    const replays = new ReplayStaging(this, 'Replays', { stage, bus: events.bus, ruleTargets, alarmTopic });
    const skeleton = stage.walkingSkeleton
      ? this.walkingSkeleton(stage, alarmTopic, events.bus, ruleTargets)
      : undefined;

    const eventStore = new EventStoreTable(this, 'EventStore', { stage });
    // Crypto-shredding: one data key per data subject (docs/personal-data.md).
    const subjectKeys = new SubjectKeysTable(this, 'SubjectKeys', { stage });
    const outbox = new OutboxPublisher(this, 'Outbox', { stage, eventStore, bus: events.bus, alarmTopic });
    // The contexts, each deployed from its definition (one line in shared/contexts/index.ts).
    const contexts: DeployedContext[] = DECLARED_CONTEXTS.map(
      (definition) =>
        new BoundedContext(this, pascalName(definition.name), {
          definition,
          stage,
          alarmTopic,
          bus: events.bus,
          ruleTargets,
          eventStore,
          subjectKeys,
        }),
    );
    const orders = contexts.find((context) => context.contextName === 'orders');
    const ordersApi =
      orders instanceof BoundedContext
        ? ordersHttpApi(this, {
            stage,
            api: props.api ?? apiSettings(),
            eventStore,
            orders,
            alarmTopic,
            subjectKeys,
          })
        : undefined;
    new EventSchemaRegistry(this, 'Schemas', {
      catalogs: DECLARED_CONTEXTS.map((definition) => definition.catalog),
    });
    // Integration events on the bus; every other stored event straight to the queues and topics that take it.
    outbox.deliverTo(
      [...new Set(contexts.flatMap((context) => context.integrationEvents))],
      contexts.flatMap((context) => context.outboxRoutes()),
      contexts.flatMap((context) => context.outboxTopicRoutes()),
    );

    const dashboard = new PipelineDashboard(this, 'Dashboard', {
      consumers: [
        ...(skeleton
          ? [
              {
                name: 'recorder',
                queue: skeleton.recorder.queue,
                deadLetterQueue: skeleton.recorder.deadLetterQueue,
                function: skeleton.recorder.function,
              },
            ]
          : []),
        ...contexts.flatMap((context) => context.dashboardConsumers()),
      ],
      outboxFunction: outbox.function,
    });
    this.addOutputs({
      alarmTopic,
      events,
      ruleTargets,
      replays,
      skeleton,
      eventStore,
      subjectKeys,
      outbox,
      contexts,
      dashboard,
      ordersApi,
    });
  }

  /** Walking skeleton: proves the whole path bus → rule → queue (+DLQ) → Lambda → table. */
  private walkingSkeleton(
    stage: StageSettings,
    alarmTopic: ITopic,
    bus: IEventBus,
    ruleTargets: RuleTargets,
  ) {
    const key = dataKey(this, stage);
    const table = new Table(this, 'RecordedEvents', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      ...(key
        ? { encryption: TableEncryption.CUSTOMER_MANAGED, encryptionKey: key }
        : { encryption: TableEncryption.AWS_MANAGED }),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: stage.deletionProtection,
      removalPolicy: stage.removalPolicy,
    });
    skipIfAwsManagedKey(table, stage, 'table');
    const recorder = new QueueConsumer(this, 'Recorder', {
      entry: 'functions/event-recorder/handler.ts',
      stage,
      alarmTopic,
      environment: { TABLE_NAME: table.tableName },
      timeout: Duration.seconds(5),
      maxReceiveCount: 3,
    });
    grantTableKey(key, recorder.function, 'write');
    table.grant(recorder.function, 'dynamodb:PutItem');
    new Rule(this, 'RecordAllOrderEvents', {
      eventBus: bus,
      description: 'Walking skeleton: every event of every context is recorded once',
      eventPattern: liveOnly({
        source: EVENT_SOURCE_PREFIXES.map((prefix) => ({ prefix })) as unknown as string[],
      }),
      targets: [ruleTargets.queue(recorder.queue)],
    });
    return { table, recorder };
  }

  private addOutputs(parts: {
    alarmTopic: ITopic;
    events: PipelineEventBus;
    ruleTargets: RuleTargets;
    replays: ReplayStaging;
    skeleton: { table: Table; recorder: QueueConsumer } | undefined;
    eventStore: EventStoreTable;
    subjectKeys: SubjectKeysTable;
    outbox: OutboxPublisher;
    contexts: readonly DeployedContext[];
    dashboard: PipelineDashboard;
    ordersApi: HttpFrontDoor | undefined;
  }): void {
    const output = (name: string, value: string) => new CfnOutput(this, name, { value });
    output(OUTPUTS.busName, parts.events.bus.eventBusName);
    output(OUTPUTS.archiveName, parts.events.archiveName);
    if (parts.skeleton) {
      const { recorder, table } = parts.skeleton;
      output(OUTPUTS.recorderQueueUrl, recorder.queue.queueUrl);
      output(OUTPUTS.recorderDlqUrl, recorder.deadLetterQueue.queueUrl);
      output(OUTPUTS.recorderFunctionName, recorder.function.functionName);
      output(OUTPUTS.recordedEventsTable, table.tableName);
    }
    output(OUTPUTS.ruleDlqUrl, parts.ruleTargets.deadLetterQueue.queue.queueUrl);
    output(OUTPUTS.replayRuleArn, parts.replays.rule.ruleArn);
    output(OUTPUTS.replayQueueUrl, parts.replays.queue.queue.queueUrl);
    output(OUTPUTS.replayDlqUrl, parts.replays.queue.deadLetterQueue.queue.queueUrl);
    output(OUTPUTS.eventStoreTable, parts.eventStore.table.tableName);
    output(OUTPUTS.subjectKeysTable, parts.subjectKeys.table.tableName);
    output(OUTPUTS.outboxFunctionName, parts.outbox.function.functionName);
    output(OUTPUTS.outboxDlqUrl, parts.outbox.deadLetterQueue.queue.queueUrl);
    output(OUTPUTS.alarmTopicArn, parts.alarmTopic.topicArn);
    output(OUTPUTS.dashboardName, parts.dashboard.dashboard.dashboardName);
    if (parts.ordersApi) output(OUTPUTS.apiUrl, parts.ordersApi.url);
    // Each context's outputs, named from its definition (its queues, DLQs, tables and topics).
    for (const context of parts.contexts) {
      for (const [name, value] of Object.entries(context.outputs())) output(name, value);
    }
  }
}

import { Duration, Stack } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import type { DynamoEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { StageSettings } from '../stages.ts';
import { ALARM_PERIOD, iteratorAgeAlarm, thresholdAlarm } from './alarms.ts';
import { DeadLetterQueue } from './dead-letter-queue.ts';
import type { EventStoreTable } from './event-store-table.ts';
import { PipelineFunction } from './pipeline-function.ts';

/** Props of {@link OutboxPublisher}. */
export interface OutboxPublisherProps {
  readonly stage: StageSettings;
  /** The event store whose stream is the outbox. */
  readonly eventStore: EventStoreTable;
  readonly bus: IEventBus;
  /** Where the alarms notify. @default no action */
  readonly alarmTopic?: ITopic;
  /** Stream records per invocation. @default 100 */
  readonly batchSize?: number;
  /** Retries of a failing batch (after bisecting) before it goes to the on-failure queue. @default 10 */
  readonly retryAttempts?: number;
  /** Records older than this go to the on-failure queue unpublished (1 minute – 7 days). @default Duration.hours(24) */
  readonly maxRecordAge?: Duration;
  /** Alarm when the publisher lags the table by more than this. @default Duration.minutes(1) */
  readonly maxIteratorAge?: Duration;
  /** @default Duration.seconds(30) */
  readonly timeout?: Duration;
}

/**
 * The outbox: the event store table's stream → publisher Lambda (`functions/outbox-publisher`) →
 * PutEvents to the bus. The mapping passes only inserted event items (`sk` starting `E#`), reports
 * partial failures, bisects failing batches, retries a bounded number of times and then hands the
 * batch's coordinates to an SQS on-failure queue, so no event is dropped silently. Alarms: that
 * queue not empty, function errors, iterator age (publishing lags behind appends).
 */
export class OutboxPublisher extends Construct {
  readonly function: NodejsFunction;
  readonly eventSource: DynamoEventSource;
  /** Receives the stream coordinates of batches that could not be published. */
  readonly deadLetterQueue: DeadLetterQueue;
  readonly alarms: { readonly dlqNotEmpty: Alarm; readonly errors: Alarm; readonly iteratorAge: Alarm };
  private routed = false;

  constructor(scope: Construct, id: string, props: OutboxPublisherProps) {
    super(scope, id);
    const settings = resolveSettings(props);
    this.deadLetterQueue = new DeadLetterQueue(this, 'Dlq', {
      stage: props.stage,
      purpose: 'the outbox publisher: stream batches it could not publish',
      alarmTopic: props.alarmTopic,
    });
    const fn = new PipelineFunction(this, 'Publisher', {
      entry: 'functions/outbox-publisher/handler.ts',
      stage: props.stage,
      serviceName: 'outbox-publisher',
      timeout: settings.timeout,
      environment: { EVENT_BUS_NAME: props.bus.eventBusName },
      // The stream grant below includes it; the action cannot be scoped to a stream.
      wildcardResourceReasons: ['dynamodb:ListStreams (the stream event source)'],
    });
    this.function = fn.function;
    props.bus.grantPutEventsTo(this.function);

    const source = props.eventStore.readStream(this, this.function, {
      batchSize: settings.batchSize,
      retryAttempts: settings.retryAttempts,
      maxRecordAge: settings.maxRecordAge,
      onFailure: this.deadLetterQueue.queue,
    });
    this.eventSource = source;
    this.alarms = this.createAlarms(settings.maxIteratorAge, props.alarmTopic);
  }

  /**
   * Routes stored events: `busTypes` to the bus, each consumer's types straight to its queue
   * (SendMessageBatch) and each fan-out topic's types straight to the topic (PublishBatch), instead of
   * through the bus and a rule or a forwarding consumer; each destination is granted here. Call once,
   * after the consumers exist.
   */
  deliverTo(
    busTypes: readonly string[],
    consumers: readonly { queue: IQueue; types: readonly string[] }[],
    topics: readonly {
      topic: OutboxTopic;
      types: readonly string[];
      /** Message attributes taken from each event's data (name → dotted path), for subscription filters. */
      attributes?: Readonly<Record<string, string>>;
    }[] = [],
  ): void {
    if (this.routed) throw new Error(`${this.node.path}: deliverTo was called twice`);
    this.routed = true;
    const queues: Record<string, readonly string[]> = {};
    for (const { queue, types } of consumers) {
      if (types.length === 0) throw new Error(`${this.node.path}: a queue route needs at least one type`);
      queues[queue.queueUrl] = types;
      // SendMessage(Batch) only: grantSendMessages adds GetQueueAttributes and GetQueueUrl, which the
      // publisher never calls (the IAM check on the e2e run listed them unused). The queues use SQS-owned
      // keys; a customer key would need its GenerateDataKey/Decrypt as well.
      queue.grant(this.function, 'sqs:SendMessage');
      queue.encryptionMasterKey?.grant(this.function, 'kms:GenerateDataKey', 'kms:Decrypt');
    }
    const topicRoutes: Record<string, readonly string[]> = {};
    const topicAttributes: Record<string, Readonly<Record<string, string>>> = {};
    for (const { topic, types, attributes } of topics) {
      if (types.length === 0) throw new Error(`${this.node.path}: a topic route needs at least one type`);
      topicRoutes[topic.topic.topicArn] = types;
      if (attributes !== undefined && Object.keys(attributes).length > 0) {
        topicAttributes[topic.topic.topicArn] = attributes;
      }
      // sns:Publish covers PublishBatch; the topic's key for the encrypted messages.
      topic.grantPublish(this.function);
    }
    this.function.addEnvironment(
      'OUTBOX_ROUTES',
      Stack.of(this).toJsonString({
        bus: busTypes,
        queues,
        topics: topicRoutes,
        ...(Object.keys(topicAttributes).length === 0 ? {} : { topicAttributes }),
      }),
    );
  }

  private createAlarms(maxIteratorAge: Duration, alarmTopic?: ITopic) {
    return {
      dlqNotEmpty: this.deadLetterQueue.notEmptyAlarm,
      errors: thresholdAlarm(this, 'Errors', this.function.metricErrors({ period: ALARM_PERIOD }), {
        description: `Invocation errors of the outbox publisher (${this.node.path})`,
        threshold: 0,
        alarmTopic,
      }),
      iteratorAge: iteratorAgeAlarm(
        this,
        this.function,
        maxIteratorAge,
        'Outbox publishing lags appends',
        alarmTopic,
      ),
    };
  }
}

/** A topic the outbox publishes to: its ARN, and the grant to publish (with its key). */
export interface OutboxTopic {
  readonly topic: ITopic;
  grantPublish(grantee: IGrantable): unknown;
}

function resolveSettings(props: OutboxPublisherProps) {
  const settings = {
    batchSize: props.batchSize ?? 100,
    retryAttempts: props.retryAttempts ?? 10,
    maxRecordAge: props.maxRecordAge ?? Duration.hours(24),
    maxIteratorAge: props.maxIteratorAge ?? Duration.minutes(1),
    timeout: props.timeout ?? Duration.seconds(30),
  };
  // The stream mapping's limits are checked where every reader's mapping is made (readStream).
  return settings;
}

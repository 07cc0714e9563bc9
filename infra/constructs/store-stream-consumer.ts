import { Duration } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { StageSettings } from '../stages.ts';
import { ALARM_PERIOD, iteratorAgeAlarm, thresholdAlarm } from './alarms.ts';
import { DeadLetterQueue } from './dead-letter-queue.ts';
import type { EventStoreTable } from './event-store-table.ts';
import { PipelineFunction } from './pipeline-function.ts';

/** Props of {@link StoreStreamConsumer}. */
export interface StoreStreamConsumerProps {
  /** Handler file relative to the repository root; built with `createStoreStreamConsumer`. */
  readonly entry: string;
  readonly stage: StageSettings;
  /** The event store whose change stream it reads. */
  readonly eventStore: EventStoreTable;
  readonly environment?: Record<string, string>;
  /** @default Duration.seconds(10) */
  readonly timeout?: Duration;
  /** Stream records per invocation (1 – 10,000). @default 100 */
  readonly batchSize?: number;
  /** How long Lambda gathers records before invoking (0 – 300 s). @default none */
  readonly maxBatchingWindow?: Duration;
  /** Retries of a failing batch (after bisecting) before its coordinates go to the DLQ. @default 10 */
  readonly retryAttempts?: number;
  /** Alarm when it lags the store by more than this. @default Duration.minutes(5) */
  readonly maxIteratorAge?: Duration;
  /** Powertools service name. @default the construct id */
  readonly serviceName?: string;
  /** Where the alarms notify. @default no action */
  readonly alarmTopic?: ITopic;
}

/**
 * A consumer of the event store's change stream (a read model's projector): the store's stream →
 * a DynamoDB stream mapping (inserted commit items only, gathered up to its window) → a bundled
 * Lambda that reports the commit it failed at. The mapping retries from there, bisects, and after
 * its retries hands the records' coordinates to the DLQ, so nothing is dropped silently; the shard
 * waits meanwhile. It reads the stream beside the outbox: a stream serves two readers per shard
 * without throttling, so the stack has at most one of these. Alarms: DLQ not empty, errors, iterator
 * age (the consumer lags the store).
 */
export class StoreStreamConsumer extends Construct {
  readonly function: NodejsFunction;
  /** Receives the stream coordinates of batches it gave up on. */
  readonly deadLetterQueue: Queue;
  readonly alarms: { readonly dlqNotEmpty: Alarm; readonly errors: Alarm; readonly iteratorAge: Alarm };

  constructor(scope: Construct, id: string, props: StoreStreamConsumerProps) {
    super(scope, id);
    const settings = resolveSettings(props);
    const dlq = new DeadLetterQueue(this, 'Dlq', {
      stage: props.stage,
      purpose: `${id}: stream batches it could not handle`,
      alarmTopic: props.alarmTopic,
    });
    this.deadLetterQueue = dlq.queue;
    this.function = new PipelineFunction(this, 'Handler', {
      entry: props.entry,
      stage: props.stage,
      serviceName: props.serviceName ?? id,
      timeout: settings.timeout,
      environment: { ...props.environment },
      // The stream grant of the event source includes it; the action cannot be scoped to a stream.
      wildcardResourceReasons: ['dynamodb:ListStreams (the stream event source)'],
    }).function;
    props.eventStore.readStream(this, this.function, {
      batchSize: settings.batchSize,
      retryAttempts: settings.retryAttempts,
      maxRecordAge: Duration.hours(24),
      ...(settings.maxBatchingWindow === undefined ? {} : { maxBatchingWindow: settings.maxBatchingWindow }),
      onFailure: this.deadLetterQueue,
    });
    this.alarms = {
      dlqNotEmpty: dlq.notEmptyAlarm,
      errors: thresholdAlarm(this, 'Errors', this.function.metricErrors({ period: ALARM_PERIOD }), {
        description: `Invocation errors of ${id} (${this.node.path})`,
        threshold: 0,
        alarmTopic: props.alarmTopic,
      }),
      iteratorAge: iteratorAgeAlarm(
        this,
        this.function,
        settings.maxIteratorAge,
        `${id} lags the event store`,
        props.alarmTopic,
      ),
    };
  }
}

function resolveSettings(props: StoreStreamConsumerProps) {
  const settings = {
    batchSize: props.batchSize ?? 100,
    retryAttempts: props.retryAttempts ?? 10,
    maxIteratorAge: props.maxIteratorAge ?? Duration.minutes(5),
    timeout: props.timeout ?? Duration.seconds(10),
    maxBatchingWindow: props.maxBatchingWindow,
  };
  // The stream mapping's limits are checked where every reader's mapping is made (readStream).
  return settings;
}

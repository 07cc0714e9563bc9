import { Duration } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { StageSettings } from '../stages.ts';
import { ALARM_PERIOD, thresholdAlarm } from './alarms.ts';
import { ConsumerQueue } from './consumer-queue.ts';
import { PipelineFunction, repoRoot } from './pipeline-function.ts';

export { repoRoot };

/** Props of {@link QueueConsumer}. */
export interface QueueConsumerProps {
  /** Handler file relative to the repository root, e.g. `functions/event-recorder/handler.ts`. */
  readonly entry: string;
  readonly stage: StageSettings;
  /** Environment variables for the function (config is parsed from them at cold start). */
  readonly environment?: Record<string, string>;
  /** @default Duration.seconds(10) */
  readonly timeout?: Duration;
  /** Receives before a message moves to the DLQ. @default 3 */
  readonly maxReceiveCount?: number;
  /** @default 10 */
  readonly batchSize?: number;
  /** Upper bound of concurrent invocations from this queue (2 is the AWS minimum). @default 5 */
  readonly maxConcurrency?: number;
  /** Alarm when the oldest message is older than this. @default Duration.minutes(5) */
  readonly maxMessageAge?: Duration;
  /** @default 256 */
  readonly memorySize?: number;
  /** Where the alarms notify (the stage decides: the stack's alarm topic). @default no action */
  readonly alarmTopic?: ITopic;
  /** Powertools service name. @default the construct id */
  readonly serviceName?: string;
  /**
   * Drain an existing queue (e.g. a `FanOutTopic` subscriber's) instead of creating one. Its
   * visibility timeout must be at least six times `timeout`; `maxReceiveCount` and `maxMessageAge`
   * then belong to that queue. @default a new {@link ConsumerQueue}
   */
  readonly queue?: ConsumerQueue;
  /**
   * The handler sends records it can never process straight to the DLQ, with the reason as message
   * attributes (the consumer runtime does): it gets `DLQ_URL` and `sqs:SendMessage` on the DLQ.
   * Off for handlers that only ever retry and leave dead-lettering to the redrive policy. @default true
   */
  readonly directDeadLettering?: boolean;
}

/**
 * An SQS queue with its dead-letter queue, drained by a bundled Lambda that reports partial batch
 * failures, with alarms on the three things an operator must see: DLQ not empty, backlog age, errors.
 */
export class QueueConsumer extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly function: NodejsFunction;
  readonly consumerQueue: ConsumerQueue;
  readonly alarms: { readonly dlqNotEmpty: Alarm; readonly oldestMessageAge: Alarm; readonly errors: Alarm };

  constructor(scope: Construct, id: string, props: QueueConsumerProps) {
    super(scope, id);
    const timeout = props.timeout ?? Duration.seconds(10);
    const batchSize = props.batchSize ?? 10;
    const maxConcurrency = props.maxConcurrency ?? 5;
    validateConsumerProps(id, batchSize, maxConcurrency, timeout);

    this.consumerQueue = props.queue ?? this.createQueue(id, timeout, props);
    // AWS guidance: visibility at least six times the function timeout, so retries of a batch never
    // see the message reappear while it is still being processed.
    if (this.consumerQueue.visibilityTimeout.toSeconds() < timeout.toSeconds() * 6) {
      throw new Error(`${id}: the queue's visibility timeout must be at least 6 × the function timeout`);
    }
    this.queue = this.consumerQueue.queue;
    this.deadLetterQueue = this.consumerQueue.deadLetterQueue.queue;

    this.function = this.createFunction(id, timeout, props);
    this.queue.grant(this.function, 'sqs:ChangeMessageVisibility');
    if (props.directDeadLettering ?? true) this.deadLetterQueue.grant(this.function, 'sqs:SendMessage');
    this.function.addEventSource(
      new SqsEventSource(this.queue, { batchSize, reportBatchItemFailures: true, maxConcurrency }),
    );

    this.alarms = {
      ...this.consumerQueue.alarms,
      errors: thresholdAlarm(this, 'Errors', this.function.metricErrors({ period: ALARM_PERIOD }), {
        description: `Invocation errors of ${id} (${this.node.path})`,
        threshold: 0,
        alarmTopic: props.alarmTopic,
      }),
    };
  }

  private createFunction(id: string, timeout: Duration, props: QueueConsumerProps): NodejsFunction {
    return new PipelineFunction(this, 'Handler', {
      entry: props.entry,
      stage: props.stage,
      serviceName: props.serviceName ?? id,
      timeout,
      memorySize: props.memorySize,
      environment: {
        // Lets the handler schedule a failed record's retry (ChangeMessageVisibility backoff).
        QUEUE_URL: this.queue.queueUrl,
        ...((props.directDeadLettering ?? true) ? { DLQ_URL: this.deadLetterQueue.queueUrl } : {}),
        ...props.environment,
      },
    }).function;
  }

  private createQueue(id: string, timeout: Duration, props: QueueConsumerProps): ConsumerQueue {
    return new ConsumerQueue(this, 'Work', {
      stage: props.stage,
      purpose: id,
      visibilityTimeout: Duration.seconds(timeout.toSeconds() * 6),
      maxReceiveCount: props.maxReceiveCount,
      maxMessageAge: props.maxMessageAge,
      alarmTopic: props.alarmTopic,
    });
  }
}

function validateConsumerProps(id: string, batchSize: number, maxConcurrency: number, timeout: Duration) {
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10) {
    // Above 10 SQS needs a batching window; keep per-record latency predictable instead.
    throw new Error(`${id}: batchSize must be between 1 and 10, got ${batchSize}`);
  }
  if (!Number.isInteger(maxConcurrency) || maxConcurrency < 2 || maxConcurrency > 1000) {
    throw new Error(`${id}: maxConcurrency must be between 2 and 1000, got ${maxConcurrency}`);
  }
  if (timeout.toSeconds() * 6 > 43_200) {
    throw new Error(`${id}: timeout too long for a visibility timeout of six times it (max 12 h)`);
  }
}

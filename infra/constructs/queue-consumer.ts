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

/** The SQS event source's batch size limit without a batching window, and with one. */
const MAX_BATCH_SIZE = { withoutWindow: 10, withWindow: 10_000 } as const;
/** The longest batching window an SQS event source takes. */
const MAX_BATCHING_WINDOW_SECONDS = 300;
/** SQS's longest visibility timeout. */
const MAX_VISIBILITY_SECONDS = 43_200;

/**
 * Batching by latency need (see {@link QueueConsumerProps.maxBatchingWindow}).
 * - `immediate`: consumers on an order's critical path (the saga and its participants): invoked as
 *   soon as records are there, every wait would add to each order's latency.
 * - `gathered`: consumers off it (read model, notifications, recorder): up to 1 s to gather up to 25
 *   records, so under load one invocation (its platform lines, its batch log line) serves many
 *   records. Give them a timeout that fits a full batch.
 */
export const BATCHING = {
  immediate: { batchSize: 10 },
  gathered: { batchSize: 25, maxBatchingWindow: Duration.seconds(1) },
} as const;

/**
 * AWS guidance for a Lambda-drained queue: visible again no sooner than six times the function
 * timeout plus the batching window, so a batch is never redelivered while it is still being gathered
 * or processed.
 */
export function consumerVisibilityTimeout(timeout: Duration, maxBatchingWindow?: Duration): Duration {
  return Duration.seconds(timeout.toSeconds() * 6 + (maxBatchingWindow?.toSeconds() ?? 0));
}

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
  /**
   * Records per invocation: at most 10 without a batching window, up to 10,000 with one (SQS event
   * source limits). @default 10
   */
  readonly batchSize?: number;
  /**
   * How long Lambda gathers records before invoking, at most 5 minutes. Consumers on an order's
   * critical path take none (invoked as soon as records are there); consumers off it trade up to this
   * much latency for fuller batches, i.e. fewer invocations (and fewer log and platform lines) per
   * record. The queue then stays invisible for six times the timeout plus this window.
   * @default none
   */
  readonly maxBatchingWindow?: Duration;
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
   * visibility timeout must be at least {@link consumerVisibilityTimeout} (six times `timeout` plus
   * `maxBatchingWindow`); `maxReceiveCount` and `maxMessageAge` then belong to that queue.
   * @default a new {@link ConsumerQueue}
   */
  readonly queue?: ConsumerQueue;
  /**
   * The handler sends records it can never process straight to the DLQ, with the reason as message
   * attributes (the consumer runtime does): it gets `DLQ_URL` and `sqs:SendMessage` on the DLQ.
   * Off for handlers that only ever retry and leave dead-lettering to the redrive policy. @default true
   */
  readonly directDeadLettering?: boolean;
  /**
   * Per-key order: a FIFO queue (and DLQ) whose message groups are delivered one batch at a time, in
   * order, groups in parallel (competing consumers across keys). No batching window (SQS FIFO event
   * sources take none) and at most 10 records a batch. @default false
   */
  readonly fifo?: boolean;
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
    const batchingWindow = props.maxBatchingWindow;
    validateConsumerProps(id, { batchSize, maxConcurrency, timeout, batchingWindow });
    if (props.fifo && batchingWindow !== undefined) {
      throw new Error(`${id}: a FIFO queue's event source takes no maxBatchingWindow`);
    }

    const visibility = consumerVisibilityTimeout(timeout, batchingWindow);
    this.consumerQueue = props.queue ?? this.createQueue(id, visibility, props);
    if (this.consumerQueue.visibilityTimeout.toSeconds() < visibility.toSeconds()) {
      throw new Error(
        `${id}: the queue's visibility timeout (${this.consumerQueue.visibilityTimeout.toSeconds()} s) must be at least 6 × the function timeout + the batching window (${visibility.toSeconds()} s)`,
      );
    }
    this.queue = this.consumerQueue.queue;
    this.deadLetterQueue = this.consumerQueue.deadLetterQueue.queue;

    this.function = this.createFunction(id, timeout, props);
    // No grant of its own for the retry backoff's ChangeMessageVisibility: the event source below
    // grants it with the consume actions (a second statement was a duplicate, per the IAM check).
    if (props.directDeadLettering ?? true) this.deadLetterQueue.grant(this.function, 'sqs:SendMessage');
    this.function.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize,
        reportBatchItemFailures: true,
        maxConcurrency,
        ...(batchingWindow === undefined ? {} : { maxBatchingWindow: batchingWindow }),
      }),
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

  private createQueue(id: string, visibility: Duration, props: QueueConsumerProps): ConsumerQueue {
    return new ConsumerQueue(this, 'Work', {
      stage: props.stage,
      purpose: id,
      visibilityTimeout: visibility,
      maxReceiveCount: props.maxReceiveCount,
      maxMessageAge: props.maxMessageAge,
      alarmTopic: props.alarmTopic,
      fifo: props.fifo ?? false,
    });
  }
}

function validateConsumerProps(
  id: string,
  props: {
    batchSize: number;
    maxConcurrency: number;
    timeout: Duration;
    batchingWindow: Duration | undefined;
  },
): void {
  const { batchSize, maxConcurrency, timeout, batchingWindow } = props;
  const batchingWindowMs = batchingWindow?.toMilliseconds() ?? 0;
  if (
    batchingWindowMs % 1000 !== 0 ||
    batchingWindowMs < 0 ||
    batchingWindowMs > MAX_BATCHING_WINDOW_SECONDS * 1000
  ) {
    throw new Error(
      `${id}: maxBatchingWindow must be whole seconds between 0 and ${MAX_BATCHING_WINDOW_SECONDS}, got ${batchingWindow?.toHumanString()}`,
    );
  }
  const maxBatchSize = batchingWindowMs > 0 ? MAX_BATCH_SIZE.withWindow : MAX_BATCH_SIZE.withoutWindow;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > maxBatchSize) {
    const hint = batchingWindowMs > 0 ? '' : ' (above 10 SQS requires a maxBatchingWindow of at least 1 s)';
    throw new Error(`${id}: batchSize must be between 1 and ${maxBatchSize}, got ${batchSize}${hint}`);
  }
  if (!Number.isInteger(maxConcurrency) || maxConcurrency < 2 || maxConcurrency > 1000) {
    throw new Error(`${id}: maxConcurrency must be between 2 and 1000, got ${maxConcurrency}`);
  }
  if (timeout.toSeconds() * 6 + batchingWindowMs / 1000 > MAX_VISIBILITY_SECONDS) {
    throw new Error(
      `${id}: timeout too long for a visibility timeout of six times it plus the batching window (max 12 h)`,
    );
  }
}

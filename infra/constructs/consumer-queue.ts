import { Duration } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { StageSettings } from '../stages.ts';
import { ALARM_PERIOD, thresholdAlarm } from './alarms.ts';
import { DeadLetterQueue, FIFO_QUEUE, skipQueueCustomerKeyCheck } from './dead-letter-queue.ts';

/** Props of {@link ConsumerQueue}. */
export interface ConsumerQueueProps {
  readonly stage: StageSettings;
  /** Who drains the queue, for alarm texts, e.g. `email notifications`. */
  readonly purpose: string;
  /**
   * How long a received message stays invisible. For a Lambda consumer, at least six times its timeout
   * (AWS guidance), which {@link QueueConsumer} derives. @default Duration.seconds(60)
   */
  readonly visibilityTimeout?: Duration;
  /** Receives before a message moves to the DLQ. @default 3 */
  readonly maxReceiveCount?: number;
  /** Alarm when the oldest message is older than this. @default Duration.minutes(5) */
  readonly maxMessageAge?: Duration;
  /** Where the alarms notify. @default no action */
  readonly alarmTopic?: ITopic;
  /** A FIFO queue (and DLQ): per-key order, see {@link FIFO_QUEUE}. @default false */
  readonly fifo?: boolean;
}

/**
 * A work queue and its dead-letter queue: encrypted, TLS-only, redrive after `maxReceiveCount`, with
 * alarms on "DLQ not empty" and "backlog not draining" (age of the oldest message).
 */
export class ConsumerQueue extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: DeadLetterQueue;
  readonly maxReceiveCount: number;
  readonly visibilityTimeout: Duration;
  /** Per-key order: messages of one group (a stream) are delivered one batch at a time, in order. */
  readonly fifo: boolean;
  readonly alarms: { readonly dlqNotEmpty: Alarm; readonly oldestMessageAge: Alarm };

  constructor(scope: Construct, id: string, props: ConsumerQueueProps) {
    super(scope, id);
    this.maxReceiveCount = props.maxReceiveCount ?? 3;
    this.visibilityTimeout = props.visibilityTimeout ?? Duration.seconds(60);
    validateConsumerQueueProps(id, this.maxReceiveCount, props);

    this.fifo = props.fifo ?? false;
    this.deadLetterQueue = new DeadLetterQueue(this, 'Dlq', {
      stage: props.stage,
      purpose: props.purpose,
      alarmTopic: props.alarmTopic,
      fifo: this.fifo,
    });
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: this.visibilityTimeout,
      deadLetterQueue: { queue: this.deadLetterQueue.queue, maxReceiveCount: this.maxReceiveCount },
      removalPolicy: props.stage.removalPolicy,
      ...(this.fifo ? FIFO_QUEUE : {}),
    });
    skipQueueCustomerKeyCheck(this.queue);
    const maxAge = props.maxMessageAge ?? Duration.minutes(5);
    this.alarms = {
      dlqNotEmpty: this.deadLetterQueue.notEmptyAlarm,
      oldestMessageAge: thresholdAlarm(
        this,
        'OldestMessageAge',
        this.queue.metricApproximateAgeOfOldestMessage({ period: ALARM_PERIOD, statistic: 'Maximum' }),
        {
          description: `Backlog of ${props.purpose} is not draining: oldest message older than ${maxAge.toHumanString()} (${this.node.path})`,
          threshold: maxAge.toSeconds(),
          evaluationPeriods: 3,
          alarmTopic: props.alarmTopic,
        },
      ),
    };
  }
}

function validateConsumerQueueProps(id: string, maxReceiveCount: number, props: ConsumerQueueProps): void {
  if (!Number.isInteger(maxReceiveCount) || maxReceiveCount < 1 || maxReceiveCount > 1000) {
    throw new Error(`${id}: maxReceiveCount must be an integer between 1 and 1000, got ${maxReceiveCount}`);
  }
  const visibility = props.visibilityTimeout?.toSeconds();
  if (visibility !== undefined && visibility > 43_200) {
    throw new Error(`${id}: visibilityTimeout must be at most 12 hours, got ${visibility} s`);
  }
  if (props.maxMessageAge && props.maxMessageAge.toSeconds() < 60) {
    throw new Error(`${id}: maxMessageAge below one minute would alarm on normal traffic`);
  }
}

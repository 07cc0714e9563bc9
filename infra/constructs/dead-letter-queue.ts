import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { DeduplicationScope, FifoThroughputLimit, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import type { StageSettings } from '../stages.ts';
import { ALARM_PERIOD, thresholdAlarm } from './alarms.ts';
import { skipCheckov } from './checkov.ts';

/**
 * A FIFO queue as the pipeline uses them: per-key order (message group = a stream), deduplication by
 * the sender's id (an event id: content-based deduplication would merge two events with equal bodies),
 * and high throughput (deduplication and throughput limits per message group, not per queue).
 */
export const FIFO_QUEUE = {
  fifo: true,
  contentBasedDeduplication: false,
  deduplicationScope: DeduplicationScope.MESSAGE_GROUP,
  fifoThroughputLimit: FifoThroughputLimit.PER_MESSAGE_GROUP_ID,
} as const;

/**
 * Why the pipeline's queues (work queues and DLQs) keep SSE-SQS rather than a customer-managed key,
 * the one place checkov's CKV_AWS_27 is answered. A queue holds a message for minutes (a DLQ up to
 * the stage's retention) and is already encrypted at rest, TLS-only and reachable only by the
 * principals its policy and the roles name. A key would make every producer a KMS caller (SNS and
 * EventBridge by key policy, each function by grant), and SSE-KMS costs a GenerateDataKey per producer
 * and a Decrypt per consumer in each data key reuse period with traffic: at the 5-minute default,
 * 30 queues × 2 principals × 8,640 periods = up to 0.5 M requests, $1.50 a month, on top of the key's
 * $1; negligible only near the 24 h maximum, which keeps one data key in use for a day.
 * The data that is kept (event store, read models, logs) is what prod puts under its data key.
 */
export function skipQueueCustomerKeyCheck(queue: Queue): void {
  skipCheckov(queue, [
    {
      id: 'CKV_AWS_27',
      comment:
        'SSE-SQS (SQS-managed keys), not a customer-managed key: messages are transient, the queue is TLS-only and reachable only by named principals; the data kept (event store, read models, logs) is under the stack data key in prod (infra/constructs/dead-letter-queue.ts).',
    },
  ]);
}

/** Props of {@link DeadLetterQueue}. */
export interface DeadLetterQueueProps {
  /** Retention and removal policy come from the stage. */
  readonly stage: StageSettings;
  /** What dead-letters here, for the alarm text, e.g. `rule targets of the bus`. */
  readonly purpose: string;
  /** Where the "not empty" alarm notifies. @default no action */
  readonly alarmTopic?: ITopic;
  /** A FIFO queue (the DLQ of a FIFO queue must be one). @default false */
  readonly fifo?: boolean;
}

/**
 * A dead-letter queue: encrypted (SSE-SQS), TLS-only, kept as long as the stage says, with an alarm as
 * soon as one message is in it. Everything that can fail to deliver in the pipeline ends in one of these.
 */
export class DeadLetterQueue extends Construct {
  readonly queue: Queue;
  /** In ALARM while the queue holds at least one message. */
  readonly notEmptyAlarm: Alarm;

  constructor(scope: Construct, id: string, props: DeadLetterQueueProps) {
    super(scope, id);
    if (props.purpose.trim() === '') throw new Error(`${id}: purpose must describe what dead-letters here`);

    this.queue = new Queue(this, 'Queue', {
      // SSE-SQS rather than KMS: SNS, EventBridge and Lambda can all write to it without key grants.
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: props.stage.dlqRetention,
      removalPolicy: props.stage.removalPolicy,
      ...(props.fifo ? FIFO_QUEUE : {}),
    });
    skipQueueCustomerKeyCheck(this.queue);
    NagSuppressions.addResourceSuppressions(this.queue, [
      {
        id: 'AwsSolutions-SQS3',
        reason: `This queue is itself a dead-letter queue (of ${props.purpose}); a DLQ of a DLQ adds nothing, its alarm fires on the first message.`,
      },
    ]);
    this.notEmptyAlarm = thresholdAlarm(
      this,
      'NotEmpty',
      this.queue.metricApproximateNumberOfMessagesVisible({ period: ALARM_PERIOD, statistic: 'Maximum' }),
      {
        description: `Messages in the dead-letter queue of ${props.purpose} (${this.node.path})`,
        threshold: 0,
        alarmTopic: props.alarmTopic,
      },
    );
  }
}

import { fileURLToPath } from 'node:url';
import { Duration, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import type { StageSettings } from '../stages.ts';

/** Repository root, so `entry` paths are stable wherever the CDK CLI is started from. */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

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
}

/**
 * An SQS queue with its dead-letter queue, drained by a bundled Lambda that reports partial batch
 * failures, with alarms on the three things an operator must see: DLQ not empty, backlog age, errors.
 */
export class QueueConsumer extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly function: NodejsFunction;
  readonly alarms: { readonly dlqNotEmpty: Alarm; readonly oldestMessageAge: Alarm; readonly errors: Alarm };

  constructor(scope: Construct, id: string, props: QueueConsumerProps) {
    super(scope, id);
    const timeout = props.timeout ?? Duration.seconds(10);
    const maxReceiveCount = props.maxReceiveCount ?? 3;
    if (maxReceiveCount < 1 || maxReceiveCount > 1000) {
      throw new Error(`${id}: maxReceiveCount must be between 1 and 1000, got ${maxReceiveCount}`);
    }

    this.deadLetterQueue = new Queue(this, 'Dlq', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: props.stage.dlqRetention,
      removalPolicy: props.stage.removalPolicy,
    });
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // AWS guidance: at least six times the function timeout, so retries of a batch never
      // see the message reappear while it is still being processed.
      visibilityTimeout: Duration.seconds(timeout.toSeconds() * 6),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount },
      removalPolicy: props.stage.removalPolicy,
    });

    const logGroup = new LogGroup(this, 'Logs', {
      retention: props.stage.logRetention,
      removalPolicy: props.stage.removalPolicy,
    });
    // Own role instead of the AWS-managed basic execution policy: it may write to this log group only.
    const role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    logGroup.grantWrite(role);
    this.function = new NodejsFunction(this, 'Function', {
      role,
      entry: `${repoRoot}${props.entry}`,
      projectRoot: repoRoot,
      depsLockFilePath: `${repoRoot}package-lock.json`,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      timeout,
      memorySize: props.memorySize ?? 256,
      logGroup,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        // Lets the handler schedule a failed record's retry (ChangeMessageVisibility backoff).
        QUEUE_URL: this.queue.queueUrl,
        ...props.environment,
      },
      bundling: {
        minify: true,
        sourceMap: true,
        target: 'node22',
        // The SDK is bundled rather than taken from the runtime: versions are pinned by our lockfile
        // and the same bundle runs on a local cloud, where no runtime-provided SDK exists.
        externalModules: [],
      },
    });
    NagSuppressions.addResourceSuppressions(this.function, [
      {
        id: 'AwsSolutions-L1',
        reason:
          'nodejs22.x is a supported LTS Lambda runtime and the one bundles target (node22); it is pinned on purpose so AWS and the local cloud run the same major. Moving to a newer runtime is a deliberate, tested change.',
      },
    ]);
    this.queue.grant(this.function, 'sqs:ChangeMessageVisibility');
    this.function.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: props.batchSize ?? 10,
        reportBatchItemFailures: true,
        maxConcurrency: props.maxConcurrency ?? 5,
      }),
    );

    this.alarms = {
      dlqNotEmpty: new Alarm(this, 'DlqNotEmpty', {
        alarmDescription: `Messages in the dead-letter queue of ${Stack.of(this).stackName}/${id}`,
        metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
        }),
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      oldestMessageAge: new Alarm(this, 'OldestMessageAge', {
        alarmDescription: `Backlog of ${id} is not draining`,
        metric: this.queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(1) }),
        threshold: (props.maxMessageAge ?? Duration.minutes(5)).toSeconds(),
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      errors: new Alarm(this, 'Errors', {
        alarmDescription: `Invocation errors of ${id}`,
        metric: this.function.metricErrors({ period: Duration.minutes(1) }),
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    };
  }
}

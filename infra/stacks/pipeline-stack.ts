import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import { QueueConsumer } from '../constructs/queue-consumer.ts';
import type { StageSettings } from '../stages.ts';

export interface PipelineStackProps extends StackProps {
  readonly stage: StageSettings;
}

/** Every event of the product carries a source under this prefix (e.g. `orders.api`). */
export const EVENT_SOURCE_PREFIX = 'orders.';

/** Names of the stack outputs the CLI and the end-to-end tests read. */
export const OUTPUTS = {
  busName: 'EventBusName',
  recorderQueueUrl: 'RecorderQueueUrl',
  recorderDlqUrl: 'RecorderDlqUrl',
  recorderFunctionName: 'RecorderFunctionName',
  recordedEventsTable: 'RecordedEventsTableName',
  ruleDlqUrl: 'RuleTargetDlqUrl',
} as const;

/**
 * Composition only: the walking skeleton that proves the whole path
 * EventBridge bus → rule → SQS (+DLQ) → Lambda (partial batch failures) → DynamoDB.
 */
export class PipelineStack extends Stack {
  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, props);
    const { stage } = props;

    const bus = new EventBus(this, 'Bus', { eventBusName: `${this.stackName}-bus` });

    const recordedEvents = new Table(this, 'RecordedEvents', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: stage.deletionProtection,
      removalPolicy: stage.removalPolicy,
    });

    const recorder = new QueueConsumer(this, 'Recorder', {
      entry: 'functions/event-recorder/handler.ts',
      stage,
      environment: { TABLE_NAME: recordedEvents.tableName },
      timeout: Duration.seconds(5),
      maxReceiveCount: 3,
    });
    recordedEvents.grant(recorder.function, 'dynamodb:PutItem');

    // Events the rule cannot deliver to the queue (after its retries) land here instead of vanishing.
    const ruleTargetDlq = new Queue(this, 'RuleTargetDlq', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: stage.dlqRetention,
      removalPolicy: stage.removalPolicy,
    });
    NagSuppressions.addResourceSuppressions(ruleTargetDlq, [
      {
        id: 'AwsSolutions-SQS3',
        reason:
          'This queue is itself a dead-letter queue (of the EventBridge rule target); a DLQ of a DLQ adds nothing.',
      },
    ]);
    new Rule(this, 'RecordAllOrderEvents', {
      eventBus: bus,
      description: 'Walking skeleton: every order event is recorded once',
      eventPattern: { source: [{ prefix: EVENT_SOURCE_PREFIX }] as unknown as string[] },
      targets: [
        new SqsQueue(recorder.queue, {
          deadLetterQueue: ruleTargetDlq,
          retryAttempts: 8,
          maxEventAge: Duration.hours(2),
        }),
      ],
    });

    new CfnOutput(this, OUTPUTS.busName, { value: bus.eventBusName });
    new CfnOutput(this, OUTPUTS.recorderQueueUrl, { value: recorder.queue.queueUrl });
    new CfnOutput(this, OUTPUTS.recorderDlqUrl, { value: recorder.deadLetterQueue.queueUrl });
    new CfnOutput(this, OUTPUTS.recorderFunctionName, { value: recorder.function.functionName });
    new CfnOutput(this, OUTPUTS.recordedEventsTable, { value: recordedEvents.tableName });
    new CfnOutput(this, OUTPUTS.ruleDlqUrl, { value: ruleTargetDlq.queueUrl });
  }
}

import { CloudWatchClient, ListDashboardsCommand, PutDashboardCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  UpdateContinuousBackupsCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import {
  CreateArchiveCommand,
  DescribeArchiveCommand,
  DescribeEventBusCommand,
  EventBridgeClient,
  PutPermissionCommand,
} from '@aws-sdk/client-eventbridge';
import {
  GetTopicAttributesCommand,
  PublishCommand,
  SetTopicAttributesCommand,
  SNSClient,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createStackError,
  deleteCreatedStacks,
  deployTemplate,
  region,
  runOneStreamRecord,
  tableWithEveryFeature,
  uniqueName,
} from './emulator-gaps.support.ts';

/**
 * What the local emulator (MiniStack, version pinned in cli/cloud/ministack.ts) does differently from
 * AWS with resources the pipeline template uses. Each "emulator gap:" test asserts the emulator's
 * current, wrong behaviour: when an upgrade fixes it, the test fails and the matching local-cloud
 * fix-up (or note) can go. The product template stays AWS-correct either way.
 */
const events = new EventBridgeClient({ region });
const sns = new SNSClient({ region });
const sqs = new SQSClient({ region });
const dynamo = new DynamoDBClient({ region });
const cloudwatch = new CloudWatchClient({ region });

const busArn = (name: string) => `arn:aws:events:${region}:000000000000:event-bus/${name}`;

afterAll(deleteCreatedStacks);

describe('local emulator vs AWS: EventBridge', () => {
  it('emulator gap: CloudFormation rejects AWS::Events::Archive, while events:CreateArchive works', async () => {
    // Arrange
    const busName = uniqueName('gap-bus');
    const archive = {
      Type: 'AWS::Events::Archive',
      Properties: { SourceArn: { 'Fn::GetAtt': ['Bus', 'Arn'] }, RetentionDays: 7 },
    };

    // Act
    const refused = await createStackError({
      Bus: { Type: 'AWS::Events::EventBus', Properties: { Name: busName } },
      Archive: archive,
    });
    await deployTemplate({ Bus: { Type: 'AWS::Events::EventBus', Properties: { Name: busName } } });
    const archiveName = uniqueName('gap-archive');
    await events.send(
      new CreateArchiveCommand({
        ArchiveName: archiveName,
        EventSourceArn: busArn(busName),
        RetentionDays: 7,
      }),
    );

    // Assert
    expect(refused).toMatch(/Unrecognized resource types: \[AWS::Events::Archive\]/);
    expect((await events.send(new DescribeArchiveCommand({ ArchiveName: archiveName }))).State).toBe(
      'ENABLED',
    );
  });

  it('emulator gap: CloudFormation rejects AWS::Events::EventBusPolicy and AWS::EventSchemas::Discoverer', async () => {
    // Arrange
    const bus = { Type: 'AWS::Events::EventBus', Properties: { Name: uniqueName('gap-bus') } };
    const statement = {
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::000000000000:root' },
      Action: 'events:PutEvents',
      Resource: '*',
    };

    // Act
    const policy = await createStackError({
      Bus: bus,
      Policy: {
        Type: 'AWS::Events::EventBusPolicy',
        Properties: { EventBusName: { Ref: 'Bus' }, StatementId: 's', Statement: statement },
      },
    });
    const discoverer = await createStackError({
      Bus: { ...bus, Properties: { Name: uniqueName('gap-bus') } },
      Discoverer: {
        Type: 'AWS::EventSchemas::Discoverer',
        Properties: { SourceArn: { 'Fn::GetAtt': ['Bus', 'Arn'] } },
      },
    });

    // Assert
    expect(policy).toMatch(/Unrecognized resource types: \[AWS::Events::EventBusPolicy\]/);
    expect(discoverer).toMatch(/Unrecognized resource types: \[AWS::EventSchemas::Discoverer\]/);
  });

  it('emulator gap: a bus Policy property is dropped; PutPermission stores a policy document as Principal "*"', async () => {
    // Arrange
    const [declared, viaDocument, viaStatement] = [
      uniqueName('gap-bus'),
      uniqueName('gap-bus'),
      uniqueName('gap-bus'),
    ];
    const policy = (name: string) => ({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'OwnAccount',
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::000000000000:root' },
          Action: 'events:PutEvents',
          Resource: busArn(name),
        },
      ],
    });

    // Act
    await deployTemplate(
      Object.fromEntries(
        [declared, viaDocument, viaStatement].map((name, i) => [
          `Bus${i}`,
          {
            Type: 'AWS::Events::EventBus',
            Properties: { Name: name, ...(i === 0 ? { Policy: policy(name) } : {}) },
          },
        ]),
      ),
    );
    await events.send(
      new PutPermissionCommand({ EventBusName: viaDocument, Policy: JSON.stringify(policy(viaDocument)) }),
    );
    await events.send(
      new PutPermissionCommand({
        EventBusName: viaStatement,
        StatementId: 'OwnAccount',
        Action: 'events:PutEvents',
        Principal: '000000000000',
      }),
    );
    const policyOf = async (name: string) =>
      (await events.send(new DescribeEventBusCommand({ Name: name }))).Policy;

    // Assert
    expect(await policyOf(declared)).toBeUndefined();
    expect(JSON.parse((await policyOf(viaDocument)) ?? '{}').Statement[0]).toMatchObject({ Principal: '*' });
    expect(JSON.parse((await policyOf(viaStatement)) ?? '{}').Statement[0]).toMatchObject({
      Sid: 'OwnAccount',
      Principal: '000000000000',
      Action: 'events:PutEvents',
    });
  });
});

describe('local emulator vs AWS: SNS', () => {
  it("emulator gap: a topic's KmsMasterKeyId is dropped; SetTopicAttributes applies it", async () => {
    // Arrange
    const deployed = await deployTemplate({
      Key: { Type: 'AWS::KMS::Key', Properties: { EnableKeyRotation: true } },
      Topic: { Type: 'AWS::SNS::Topic', Properties: { KmsMasterKeyId: { 'Fn::GetAtt': ['Key', 'Arn'] } } },
    });
    const topicArn = deployed.Topic ?? '';
    const kmsKeyOf = async () =>
      (await sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }))).Attributes?.KmsMasterKeyId;
    const fromTemplate = await kmsKeyOf();

    // Act
    await sns.send(
      new SetTopicAttributesCommand({
        TopicArn: topicArn,
        AttributeName: 'KmsMasterKeyId',
        AttributeValue: deployed.Key,
      }),
    );

    // Assert
    expect(fromTemplate).toBeUndefined();
    expect(await kmsKeyOf()).toBe(deployed.Key);
  });

  it("emulator gap: SNS keeps a subscription's RedrivePolicy but never dead-letters an undeliverable message", async () => {
    // Arrange: a subscription whose queue is gone, with a DLQ.
    const queueArn = async (url: string) =>
      (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] })))
        .Attributes?.QueueArn;
    const deployed = await deployTemplate({
      Topic: { Type: 'AWS::SNS::Topic' },
      Dlq: { Type: 'AWS::SQS::Queue' },
    });
    const gone =
      (await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('gap-gone') }))).QueueUrl ?? '';
    await sns.send(
      new SubscribeCommand({
        TopicArn: deployed.Topic,
        Protocol: 'sqs',
        Endpoint: await queueArn(gone),
        Attributes: {
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: await queueArn(deployed.Dlq ?? '') }),
        },
      }),
    );
    await sqs.send(new DeleteQueueCommand({ QueueUrl: gone }));

    // Act
    await sns.send(new PublishCommand({ TopicArn: deployed.Topic, Message: 'undeliverable' }));
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: deployed.Dlq, WaitTimeSeconds: 3 }),
    );

    // Assert: AWS would put the message in the DLQ (client-side delivery error).
    expect(Messages).toHaveLength(0);
  });
});

describe('local emulator vs AWS: DynamoDB', () => {
  it('emulator gap: a table’s TTL, point-in-time recovery and SSE are dropped; the DynamoDB API applies them', async () => {
    // Arrange
    const { Table: tableName = '' } = await deployTemplate({ Table: tableWithEveryFeature });
    const live = async () => ({
      ttl: (await dynamo.send(new DescribeTimeToLiveCommand({ TableName: tableName }))).TimeToLiveDescription
        ?.TimeToLiveStatus,
      pitr: (await dynamo.send(new DescribeContinuousBackupsCommand({ TableName: tableName })))
        .ContinuousBackupsDescription?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus,
      sse: (await dynamo.send(new DescribeTableCommand({ TableName: tableName }))).Table?.SSEDescription
        ?.Status,
    });
    const fromTemplate = await live();

    // Act
    await dynamo.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      }),
    );
    await dynamo.send(
      new UpdateContinuousBackupsCommand({
        TableName: tableName,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      }),
    );
    await dynamo.send(
      new UpdateTableCommand({ TableName: tableName, SSESpecification: { Enabled: true, SSEType: 'KMS' } }),
    );

    // Assert
    expect(fromTemplate).toEqual({ ttl: 'DISABLED', pitr: 'DISABLED', sse: undefined });
    expect(await live()).toEqual({ ttl: 'ENABLED', pitr: 'ENABLED', sse: 'ENABLED' });
  });
});

describe('local emulator vs AWS: DynamoDB stream event source mappings', () => {
  it('emulator gap: a stream record reported as a batch item failure is dropped, not retried or sent to the on-failure queue', async () => {
    // Act: the function reports every record failed; with 0 retries AWS sends it to the on-failure queue.
    const { result, onFailure } = await runOneStreamRecord(
      'exports.handler = async (e) => ({ batchItemFailures: e.Records.map((r) => ({ itemIdentifier: r.dynamodb.SequenceNumber })) });',
    );

    // Assert: the emulator counts the batch as done and moves on.
    expect(result).toBe('OK - 1 records');
    expect(onFailure).toHaveLength(0);
  });

  it('emulator gap: a failing stream batch is retried past MaximumRetryAttempts instead of going to the on-failure queue', async () => {
    // Act: the function always throws; with 0 retries AWS sends the batch to the on-failure queue.
    const { result, onFailure } = await runOneStreamRecord(
      'exports.handler = async () => { throw new Error("poison"); };',
    );

    // Assert: the emulator keeps retrying (only MaximumRecordAgeInSeconds would end it).
    expect(result).toBe('FAILED');
    expect(onFailure).toHaveLength(0);
  });
});

describe('local emulator vs AWS: CloudWatch', () => {
  it('emulator gap: ListDashboards answers with a LastModified the AWS SDK cannot parse', async () => {
    // Arrange
    await cloudwatch.send(
      new PutDashboardCommand({
        DashboardName: uniqueName('gap-dashboard'),
        DashboardBody: '{"widgets":[]}',
      }),
    );

    // Act
    const listing = cloudwatch.send(new ListDashboardsCommand({}));

    // Assert
    await expect(listing).rejects.toThrow(/Expected real number/);
  });
});

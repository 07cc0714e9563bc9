import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetEventSourceMappingCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetQueueUrlCommand, type Message, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';

/** Clients of the emulator the int tier's global setup started (endpoint from the environment). */
export const region = process.env.AWS_REGION ?? 'us-east-1';
const cfn = new CloudFormationClient({ region });
const created: string[] = [];

/** A short unique name for this run. */
export const uniqueName = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

/** Physical ids of a deployed stack's resources, by logical id. */
export type Deployed = Record<string, string>;

/**
 * Creates a small CloudFormation stack from raw resources and waits for it. Resolves with the
 * physical ids on CREATE_COMPLETE, rejects with the API's message if CreateStack refuses the template,
 * and with the stack status otherwise.
 */
export async function deployTemplate(
  resources: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): Promise<Deployed> {
  const name = uniqueName('gap');
  await cfn.send(
    new CreateStackCommand({
      StackName: name,
      TemplateBody: JSON.stringify({ ...extra, Resources: resources }),
    }),
  );
  created.push(name);
  for (let i = 0; i < 240; i += 1) {
    const stack = (await cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0];
    if (stack?.StackStatus === 'CREATE_COMPLETE') {
      const { StackResources = [] } = await cfn.send(new DescribeStackResourcesCommand({ StackName: name }));
      return Object.fromEntries(
        StackResources.map((r) => [r.LogicalResourceId ?? '', r.PhysicalResourceId ?? '']),
      );
    }
    if (stack && !stack.StackStatus?.endsWith('IN_PROGRESS')) {
      throw new Error(`stack ${name} ended ${stack.StackStatus}: ${stack.StackStatusReason ?? ''}`);
    }
    await sleep(250);
  }
  throw new Error(`stack ${name} did not finish in 60 s`);
}

/** The error message CreateStack answers for the template, or undefined when it accepts it. */
export async function createStackError(resources: Record<string, unknown>): Promise<string | undefined> {
  try {
    await deployTemplate(resources);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** Deletes every stack this file created (without waiting: the emulator is discarded after the run). */
export async function deleteCreatedStacks(): Promise<void> {
  await Promise.all(
    created.map((name) => cfn.send(new DeleteStackCommand({ StackName: name })).catch(() => {})),
  );
}

/** A role any Lambda in these templates can use (the emulator does not evaluate IAM). */
export const lambdaRole = {
  Type: 'AWS::IAM::Role',
  Properties: {
    AssumeRolePolicyDocument: {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
      ],
    },
  },
};

/** A Node function whose code is `handlerCode` (index.handler), run by the template's `Role`. */
export function inlineFunction(handlerCode: string): Record<string, unknown> {
  return {
    Type: 'AWS::Lambda::Function',
    Properties: {
      Runtime: 'nodejs22.x',
      Handler: 'index.handler',
      Role: { 'Fn::GetAtt': ['Role', 'Arn'] },
      Code: { ZipFile: handlerCode },
    },
  };
}

/**
 * A table with a NEW_IMAGE stream, an on-failure queue, and an inline Node function behind a stream
 * mapping that reports batch item failures, retries 0 times and sends what it gives up on to the queue.
 */
export function streamMappingTemplate(handlerCode: string): Record<string, unknown> {
  return {
    Table: {
      Type: 'AWS::DynamoDB::Table',
      Properties: {
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
        StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
      },
    },
    OnFailure: { Type: 'AWS::SQS::Queue' },
    Role: lambdaRole,
    Fn: inlineFunction(handlerCode),
    Mapping: {
      Type: 'AWS::Lambda::EventSourceMapping',
      Properties: {
        FunctionName: { Ref: 'Fn' },
        EventSourceArn: { 'Fn::GetAtt': ['Table', 'StreamArn'] },
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: 10,
        MaximumRetryAttempts: 0,
        MaximumRecordAgeInSeconds: 3600,
        BisectBatchOnFunctionError: true,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['OnFailure', 'Arn'] } } },
      },
    },
  };
}

/** A table declaring TTL, point-in-time recovery and SSE, as the event store does. */
export const tableWithEveryFeature = {
  Type: 'AWS::DynamoDB::Table',
  Properties: {
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    BillingMode: 'PAY_PER_REQUEST',
    TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    SSESpecification: { SSEEnabled: true },
  },
};

/**
 * Deploys {@link streamMappingTemplate} with `handlerCode`, puts one item, waits until the mapping has
 * handled it, then waits up to 15 s for the on-failure queue (AWS delivers there within seconds).
 */
export async function runOneStreamRecord(
  handlerCode: string,
): Promise<{ result: string | undefined; onFailure: Message[] }> {
  const dynamo = new DynamoDBClient({ region });
  const lambda = new LambdaClient({ region });
  const sqs = new SQSClient({ region });
  const deployed = await deployTemplate(streamMappingTemplate(handlerCode));
  await dynamo.send(new PutItemCommand({ TableName: deployed.Table, Item: { pk: { S: 'poison' } } }));
  const mapping = async () =>
    (await lambda.send(new GetEventSourceMappingCommand({ UUID: deployed.Mapping }))).LastProcessingResult;
  for (let i = 0; i < 60 && (await mapping()) === 'No records processed'; i += 1) await sleep(250);
  // AWS sends what it gave up on within seconds; 15 s of long polls leaves room for a slow endpoint.
  let onFailure: Message[] = [];
  for (const until = Date.now() + 15_000; onFailure.length === 0 && Date.now() < until; ) {
    ({ Messages: onFailure = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: deployed.OnFailure, WaitTimeSeconds: 5 }),
    ));
  }
  return { result: await mapping(), onFailure };
}

/**
 * The URL of a queue a stack created, on the endpoint the tests talk to. CloudFormation's physical id
 * of a queue is its URL; moto's names the AWS host (sqs.<region>.amazonaws.com), which is unreachable
 * from here (conformance test "CloudFormation gives a queue URL on the endpoint that serves it"), so
 * the URL is asked again by the queue's name. On AWS and the other emulators it is the same URL.
 */
export async function queueUrlOnEndpoint(physicalId: string): Promise<string> {
  const name = physicalId.split('/').at(-1) ?? physicalId;
  const sqs = new SQSClient({ region });
  try {
    return (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl ?? physicalId;
  } finally {
    sqs.destroy();
  }
}

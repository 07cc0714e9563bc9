import { setTimeout as sleep } from 'node:timers/promises';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { lambdaUnavailable } from './conformance.support.ts';
import {
  deleteCreatedStacks,
  deployTemplate,
  inlineFunction,
  lambdaRole,
  region,
} from './conformance-resources.support.ts';

/**
 * A DynamoDB stream mapping and an SQS mapping on the local cloud run apart, as on AWS, where each
 * event source mapping polls its own source. MiniStack 1.5.33 invokes stream mappings inline in the
 * thread that polls every SQS mapping, so a busy outbox publisher held up the saga's queues; the
 * local cloud's launcher (cli/cloud/ministack_launch.py) gives the streams a thread of their own.
 * This test fails if that fix-up stops working, and passes unchanged once the emulator polls them
 * apart itself.
 */
const dynamo = new DynamoDBClient({ region });
const sqs = new SQSClient({ region });
const logs = new CloudWatchLogsClient({ region });

afterAll(deleteCreatedStacks);

/** How long the stream function holds its invocation. */
const STREAM_HOLD_MS = 8_000;

/** The function outlives its hold (Lambda's default timeout is 3 s). */
function withTimeout(fn: Record<string, unknown>): Record<string, unknown> {
  return { ...fn, Properties: { ...(fn.Properties as object), Timeout: 30 } };
}

/** A second stream mapping on the same table: a function that logs each key it gets, and when. */
const KEYS_READER = {
  Keys: inlineFunction(
    'exports.handler = async (e) => { for (const r of e.Records) console.log(JSON.stringify({ key: r.dynamodb.Keys.pk.S, keyAt: Date.now() })); };',
  ),
  KeysMapping: {
    Type: 'AWS::Lambda::EventSourceMapping',
    Properties: {
      FunctionName: { Ref: 'Keys' },
      EventSourceArn: { 'Fn::GetAtt': ['Table', 'StreamArn'] },
      StartingPosition: 'LATEST',
      BatchSize: 10,
    },
  },
};

async function deployBoth(more: Record<string, unknown> = {}) {
  const deployed = await deployTemplate({
    ...more,
    Table: {
      Type: 'AWS::DynamoDB::Table',
      Properties: {
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
        StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
      },
    },
    Work: { Type: 'AWS::SQS::Queue', Properties: { VisibilityTimeout: 60 } },
    Role: lambdaRole,
    Slow: withTimeout(
      inlineFunction(
        `exports.handler = async () => { const start = Date.now(); await new Promise((r) => setTimeout(r, ${STREAM_HOLD_MS})); console.log(JSON.stringify({ streamStart: start, streamEnd: Date.now() })); };`,
      ),
    ),
    Fast: inlineFunction(
      'exports.handler = async () => { console.log(JSON.stringify({ queueAt: Date.now() })); };',
    ),
    StreamMapping: {
      Type: 'AWS::Lambda::EventSourceMapping',
      Properties: {
        FunctionName: { Ref: 'Slow' },
        EventSourceArn: { 'Fn::GetAtt': ['Table', 'StreamArn'] },
        StartingPosition: 'LATEST',
        BatchSize: 10,
      },
    },
    QueueMapping: {
      Type: 'AWS::Lambda::EventSourceMapping',
      Properties: {
        FunctionName: { Ref: 'Fast' },
        EventSourceArn: { 'Fn::GetAtt': ['Work', 'Arn'] },
        BatchSize: 10,
      },
    },
  });
  return deployed;
}

/** The first JSON line with `key` the function logged (waits up to 30 s). */
async function loggedNumbers(
  functionName: string,
  key: string,
  value?: string,
): Promise<Record<string, number>> {
  for (let i = 0; i < 60; i += 1) {
    const found = await logs
      .send(new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${functionName}` }))
      .catch(() => ({ events: [] }));
    for (const event of found.events ?? []) {
      const match = /\{.*\}/.exec(event.message ?? '');
      const wanted = value === undefined ? `"${key}"` : `"${key}":"${value}"`;
      if (match?.[0].includes(wanted)) return JSON.parse(match[0]) as Record<string, number>;
    }
    await sleep(500);
  }
  throw new Error(`${functionName} logged no ${key} within 30 s`);
}

describe('DynamoDB stream mappings on the local cloud, as on AWS', () => {
  beforeEach(async (context) => {
    const why = await lambdaUnavailable();
    if (why !== undefined) context.skip(`needs a running Lambda: ${why}`);
  });

  it('handles a queue record while a stream mapping is still busy with its batch', async () => {
    // Arrange: a stream function that takes its time, and a queue function.
    const deployed = await deployBoth();
    const queueUrl = deployed.Work ?? '';

    // Act: a stream record first; once its invocation is under way, a queue message.
    await dynamo.send(new PutItemCommand({ TableName: deployed.Table, Item: { pk: { S: 'slow' } } }));
    await sleep(3_000);
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'quick' }));
    const stream = await loggedNumbers(deployed.Slow ?? '', 'streamEnd');
    const queue = await loggedNumbers(deployed.Fast ?? '', 'queueAt');

    // Assert: the queue record was handled during the stream invocation, not after it.
    expect(queue.queueAt).toBeGreaterThan(stream.streamStart as number);
    expect(queue.queueAt).toBeLessThan(stream.streamEnd as number);
  });

  it('handles a record on one stream mapping while another mapping of the same stream is busy', async () => {
    // Arrange: the slow function and a key logger both read the table's stream.
    const deployed = await deployBoth(KEYS_READER);

    // Act: a first record keeps the slow mapping busy; a second one comes while it is.
    await dynamo.send(new PutItemCommand({ TableName: deployed.Table, Item: { pk: { S: 'first' } } }));
    await sleep(3_000);
    await dynamo.send(new PutItemCommand({ TableName: deployed.Table, Item: { pk: { S: 'second' } } }));
    const stream = await loggedNumbers(deployed.Slow ?? '', 'streamEnd');
    const second = await loggedNumbers(deployed.Keys ?? '', 'key', 'second');

    // Assert: the key logger took the second record before the slow mapping was through its first.
    expect(second.keyAt).toBeGreaterThan(stream.streamStart as number);
    expect(second.keyAt).toBeLessThan(stream.streamEnd as number);
  });
});

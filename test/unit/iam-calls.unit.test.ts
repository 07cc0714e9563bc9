import { describe, expect, it } from 'vitest';
import { arnTranslator, functionOfCaller, iamCallsOf } from '../support/iam/calls.ts';
import { type RecordedRequest, recordedRequestOf } from '../support/iam/requests.ts';
import { TemplateReader } from '../support/iam/template.ts';
import { TINY_NAMING, tinyTemplate } from './iam-fixture.ts';

const scope = { account: '000000000000', region: 'us-east-1' };
const request = (service: string, api: string, params: Record<string, unknown>): RecordedRequest => ({
  caller: 'Fn',
  service,
  api,
  status: 200,
  params,
});
const signed = (service: string) => ({
  authorization: `AWS4-HMAC-SHA256 Credential=KEY/20260101/us-east-1/${service}/aws4_request`,
  'x-amz-user-agent': 'aws-sdk-js/3 app/OrdersSagaHandlerFunction8AE958E8-PT-NO-OP-2.36.0-PTEnv-NA',
});

describe('IAM check: what a recorded request is', () => {
  it('reads an EventBridge Scheduler call from its REST path: the API, the schedule and its group', () => {
    // Arrange
    const headers = { ...signed('scheduler'), 'content-type': 'application/json' };
    const input = JSON.stringify({ GroupName: 'Timers', Target: { Input: 'secret order' } });

    // Act
    const create = recordedRequestOf({
      method: 'POST',
      path: '/schedules/order-ord-1-reserveInventory-0123456789abcdef',
      headers,
      body: Buffer.from(input),
      status: 200,
    });
    const remove = recordedRequestOf({
      method: 'DELETE',
      path: '/schedules/order-ord-1-reserveInventory-0123456789abcdef?groupName=Timers&clientToken=x',
      headers,
      body: Buffer.alloc(0),
      status: 404,
    });

    // Assert
    const named = { ScheduleName: 'order-ord-1-reserveInventory-0123456789abcdef', GroupName: 'Timers' };
    expect(create).toMatchObject({ service: 'scheduler', api: 'CreateSchedule', params: named });
    expect(remove).toMatchObject({ service: 'scheduler', api: 'DeleteSchedule', params: named });
    expect(iamCallsOf(create, scope)).toEqual([
      {
        action: 'scheduler:CreateSchedule',
        resource:
          'arn:aws:scheduler:us-east-1:000000000000:schedule/Timers/order-ord-1-reserveInventory-0123456789abcdef',
      },
    ]);
  });

  it('keeps the caller, the API and the naming parameters, and drops the payload', () => {
    // Arrange
    const body = { QueueUrl: 'http://127.0.0.1:4577/000000000000/Work', MessageBody: 'secret order' };

    // Act
    const recorded = recordedRequestOf({
      method: 'POST',
      path: '/',
      headers: {
        ...signed('sqs'),
        'x-amz-target': 'AmazonSQS.SendMessage',
        'content-type': 'application/x-amz-json-1.0',
      },
      body: Buffer.from(JSON.stringify(body)),
      status: 200,
    });

    // Assert
    expect(recorded).toEqual({
      caller: 'OrdersSagaHandlerFunction8AE958E8-PT-NO-OP-2.36.0-PTEnv-NA',
      service: 'sqs',
      api: 'SendMessage',
      status: 200,
      params: { QueueUrl: 'http://127.0.0.1:4577/000000000000/Work' },
    });
  });

  it('reads a query-protocol body (SNS) and keeps the table of each transaction item', () => {
    // Arrange
    const form = 'Action=Publish&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A000000000000%3ATopic&Message=hi';
    const transaction = {
      TransactItems: [{ Put: { TableName: 'Store', Item: {} } }, { ConditionCheck: { TableName: 'Store' } }],
    };

    // Act
    const publish = recordedRequestOf({
      method: 'POST',
      path: '/',
      headers: { ...signed('sns'), 'content-type': 'application/x-www-form-urlencoded' },
      body: Buffer.from(form),
      status: 200,
    });
    const transact = recordedRequestOf({
      method: 'POST',
      path: '/',
      headers: {
        ...signed('dynamodb'),
        'x-amz-target': 'DynamoDB_20120810.TransactWriteItems',
        'content-type': 'application/x-amz-json-1.0',
      },
      body: Buffer.from(JSON.stringify(transaction)),
      status: 200,
    });

    // Assert
    expect(publish).toMatchObject({
      api: 'Publish',
      params: { TopicArn: 'arn:aws:sns:us-east-1:000000000000:Topic' },
    });
    expect(transact.params).toEqual({
      TransactItems: [
        { kind: 'Put', TableName: 'Store' },
        { kind: 'ConditionCheck', TableName: 'Store' },
      ],
    });
  });
});

describe('IAM check: the IAM calls behind a request', () => {
  it('authorizes a batch send as sqs:SendMessage on the queue named by its URL', () => {
    // Act
    const calls = iamCallsOf(
      request('sqs', 'SendMessageBatch', { QueueUrl: 'http://127.0.0.1:4577/000000000000/Work.fifo' }),
      scope,
    );

    // Assert
    expect(calls).toEqual([
      { action: 'sqs:SendMessage', resource: 'arn:aws:sqs:us-east-1:000000000000:Work.fifo' },
    ]);
  });

  it('authorizes each transaction item as its own action on its own table', () => {
    // Act
    const calls = iamCallsOf(
      request('dynamodb', 'TransactWriteItems', {
        TransactItems: [
          { kind: 'Put', TableName: 'Store' },
          { kind: 'ConditionCheck', TableName: 'Other' },
        ],
      }),
      scope,
    );

    // Assert
    expect(calls).toEqual([
      { action: 'dynamodb:PutItem', resource: 'arn:aws:dynamodb:us-east-1:000000000000:table/Store' },
      {
        action: 'dynamodb:ConditionCheckItem',
        resource: 'arn:aws:dynamodb:us-east-1:000000000000:table/Other',
      },
    ]);
  });

  it('authorizes a query on an index against the index ARN, and PutEvents on each bus of its entries', () => {
    // Act
    const query = iamCallsOf(
      request('dynamodb', 'Query', { TableName: 'Store', IndexName: 'byType' }),
      scope,
    );
    const put = iamCallsOf(request('events', 'PutEvents', { EntryBuses: ['Orders-bus', 'default'] }), scope);

    // Assert
    expect(query).toEqual([
      {
        action: 'dynamodb:Query',
        resource: 'arn:aws:dynamodb:us-east-1:000000000000:table/Store/index/byType',
      },
    ]);
    expect(put.map((c) => c.resource)).toEqual([
      'arn:aws:events:us-east-1:000000000000:event-bus/Orders-bus',
      'arn:aws:events:us-east-1:000000000000:event-bus/default',
    ]);
  });

  it('names a KMS key by its ARN and falls back to the whole service on an API it cannot place', () => {
    // Act
    const kms = iamCallsOf(request('kms', 'Decrypt', { KeyId: '1234' }), scope);
    const metrics = iamCallsOf(request('monitoring', 'PutMetricData', { Namespace: 'Orders' }), scope);

    // Assert
    expect(kms).toEqual([{ action: 'kms:Decrypt', resource: 'arn:aws:kms:us-east-1:000000000000:key/1234' }]);
    expect(metrics).toEqual([{ action: 'cloudwatch:PutMetricData', resource: '*' }]);
  });

  it('ties a caller to its function even with the suffix Powertools adds to the app id', () => {
    // Assert
    expect(functionOfCaller('Fn-PT-NO-OP-2.36.0-PTEnv-NA', ['Fn', 'Other'])).toBe('Fn');
    expect(functionOfCaller('Fnord', ['Fn'])).toBeUndefined();
    expect(functionOfCaller('unknown', ['Fn'])).toBeUndefined();
  });

  it('moves an ARN of the deployed stack to the same logical resource as another template names it', () => {
    // Arrange
    const deployed = new TemplateReader(
      { Resources: { Table: { Type: 'AWS::DynamoDB::Table' }, Bus: { Type: 'AWS::Events::EventBus' } } },
      {
        ...TINY_NAMING,
        stackName: 'Tiny-e2e',
        physicalIds: new Map([
          ['Table', 'T-1'],
          ['Bus', 'Tiny-e2e-bus'],
        ]),
      },
    );
    const prod = new TemplateReader(tinyTemplate(), {
      ...TINY_NAMING,
      physicalIds: new Map([['Table', 'T-1']]),
    });
    const translate = arnTranslator(deployed, prod);

    // Act / Assert
    expect(translate('arn:aws:events:eu-west-1:111122223333:event-bus/Tiny-e2e-bus')).toBe(
      'arn:aws:events:eu-west-1:111122223333:event-bus/Tiny-bus',
    );
    expect(translate('arn:aws:dynamodb:eu-west-1:111122223333:table/T-1/index/byType')).toBe(
      'arn:aws:dynamodb:eu-west-1:111122223333:table/T-1/index/byType',
    );
    expect(translate('*')).toBe('*');
  });
});

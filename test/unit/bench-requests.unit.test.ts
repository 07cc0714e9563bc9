import { describe, expect, it } from 'vitest';
import { callerOf, classify, serviceOf, snsAttributes } from '../../bench/requests/classify.ts';
import {
  capacityOf,
  type IndexShape,
  indexWriteUnits,
  itemSize,
  putShapeOf,
} from '../../bench/requests/dynamodb-capacity.ts';
import { matchesFilterPolicy, queueArnOfUrl } from '../../bench/requests/platform.ts';

const signed = (service: string, extra: Record<string, string> = {}) => ({
  authorization: `AWS4-HMAC-SHA256 Credential=000000000000/20261122/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=x`,
  'user-agent': 'aws-sdk-js/3.1 ua/2.1 os/linux app/saga-PT-NO-OP-2.36.0',
  ...extra,
});
const ok = { status: 200, headers: {}, body: Buffer.from('{}') };

describe('request classification', () => {
  it('reads the service from the SigV4 scope and the caller from the app id', () => {
    // Assert
    expect(serviceOf(signed('dynamodb'))).toBe('dynamodb');
    expect(serviceOf({})).toBe('unsigned');
    expect(callerOf(signed('sqs'))).toBe('saga-PT-NO-OP-2.36.0');
    expect(callerOf({ 'user-agent': 'curl/8' })).toBe('unknown');
  });

  it('names JSON-protocol calls by their target, counts PutEvents entries as billed events and tells stored ones apart', () => {
    // Arrange
    const detail = 'x'.repeat(70 * 1024);
    const body = Buffer.from(
      JSON.stringify({
        Entries: [
          { Source: 'orders.api', DetailType: 'OrderPlaced', Detail: '{}' },
          { Source: 'orders.saga', DetailType: 'OrderConfirmed', Detail: detail },
          {
            Source: 'orders.saga',
            DetailType: 'OrderConfirmed',
            Detail: JSON.stringify({ metadata: { storedStream: 'saga-order#o1', storedVersion: 7 } }),
          },
        ],
      }),
    );
    const headers = signed('events', {
      'x-amz-target': 'AWSEvents.PutEvents',
      'content-type': 'application/x-amz-json-1.1',
    });

    // Act
    const record = classify({ method: 'POST', path: '/', headers, body }, ok, 1);

    // Assert
    expect(record).toMatchObject({ service: 'events', action: 'PutEvents', chunks: 4 });
    expect(record.entries?.map((e) => [e.detailType, e.stored])).toEqual([
      ['OrderPlaced', false],
      ['OrderConfirmed', false],
      ['OrderConfirmed', true],
    ]);
  });

  it('reads query-protocol SNS publishes with their message attributes', () => {
    // Arrange
    const form = new URLSearchParams({
      Action: 'Publish',
      Message: '{}',
      'MessageAttributes.entry.1.Name': 'type',
      'MessageAttributes.entry.1.Value.DataType': 'String',
      'MessageAttributes.entry.1.Value.StringValue': 'OrderConfirmed',
    });
    const headers = signed('sns', { 'content-type': 'application/x-www-form-urlencoded' });

    // Act
    const record = classify(
      { method: 'POST', path: '/', headers, body: Buffer.from(form.toString()) },
      ok,
      1,
    );

    // Assert
    expect(record).toMatchObject({
      service: 'sns',
      action: 'Publish',
      attributes: { type: 'OrderConfirmed' },
    });
    expect(snsAttributes({ MessageAttributes: { source: { StringValue: 'orders.saga' } } })).toEqual({
      source: 'orders.saga',
    });
  });

  it('keeps the queue of a SendMessageBatch and the size of a transaction', () => {
    // Arrange
    const json = { 'content-type': 'application/x-amz-json-1.0' };
    const batch = Buffer.from(JSON.stringify({ QueueUrl: 'http://h/000000000000/q', Entries: [{}, {}] }));
    const tx = Buffer.from(JSON.stringify({ TransactItems: [{ Put: { Item: { pk: { S: 'a' } } } }, {}] }));

    // Act
    const sent = classify(
      {
        method: 'POST',
        path: '/',
        headers: signed('sqs', { ...json, 'x-amz-target': 'AmazonSQS.SendMessageBatch' }),
        body: batch,
      },
      ok,
      1,
    );
    const written = classify(
      {
        method: 'POST',
        path: '/',
        headers: signed('dynamodb', { ...json, 'x-amz-target': 'DynamoDB_20120810.TransactWriteItems' }),
        body: tx,
      },
      ok,
      1,
    );

    // Assert
    expect(sent.sent).toEqual({ queueUrl: 'http://h/000000000000/q', messages: 2 });
    expect(written.items).toBe(2);
    expect(written.capacity.wru).toBe(2);
  });
});

describe('DynamoDB request units', () => {
  it('sizes items as names plus values', () => {
    // Assert
    expect(itemSize({ pk: { S: 'abc' } })).toBe(5);
    expect(itemSize({ n: { N: '12345' } })).toBe(1 + 4);
    expect(itemSize({ m: { M: { a: { BOOL: true } } } })).toBe(1 + 3 + 1 + 1 + 1);
  });

  it('bills writes per KB, doubled in transactions, and reads per 4 KB by consistency', () => {
    // Arrange
    const big = { pk: { S: 'x'.repeat(1500) } };

    // Assert
    expect(capacityOf('PutItem', { Item: big })).toEqual({ wru: 2, rru: 0 });
    expect(
      capacityOf('TransactWriteItems', {
        TransactItems: [{ Put: { Item: big } }, { ConditionCheck: { Key: { pk: { S: 'k' } } } }],
      }),
    ).toEqual({ wru: 6, rru: 0 });
    expect(capacityOf('GetItem', { ConsistentRead: true }, { Item: big })).toEqual({ wru: 0, rru: 1 });
    expect(capacityOf('Query', {}, { Items: [big, big, big] })).toEqual({ wru: 0, rru: 1 });
    expect(
      capacityOf(
        'Query',
        { ConsistentRead: true },
        { Items: Array(3).fill({ pk: { S: 'x'.repeat(2000) } }) },
      ),
    ).toEqual({
      wru: 0,
      rru: 2,
    });
  });
});

describe('platform routing', () => {
  it('turns a queue URL into its ARN', () => {
    // Assert
    expect(queueArnOfUrl('http://127.0.0.1:4566/000000000000/OrderPipeline-q')).toBe(
      'arn:aws:sqs:us-east-1:000000000000:OrderPipeline-q',
    );
  });

  it('matches SNS filter policies on exact values, prefixes and exists, every key required', () => {
    // Arrange
    const policy = { type: ['OrderConfirmed', 'OrderCancelled'], source: [{ prefix: 'orders.' }] };

    // Assert
    expect(matchesFilterPolicy(policy, { type: 'OrderConfirmed', source: 'orders.saga' })).toBe(true);
    expect(matchesFilterPolicy(policy, { type: 'OrderPlaced', source: 'orders.saga' })).toBe(false);
    expect(matchesFilterPolicy(policy, { type: 'OrderConfirmed' })).toBe(false);
    expect(matchesFilterPolicy({ channel: [{ exists: false }] }, {})).toBe(true);
    expect(matchesFilterPolicy(undefined, {})).toBe(true);
  });
});

describe('write units of secondary indexes', () => {
  const summaryIndex: IndexShape = {
    name: 'byStatus',
    keyAttributes: ['status', 'updatedAt'],
    projection: 'KEYS_ONLY',
    tableKeys: ['orderId'],
  };
  const item = {
    orderId: { S: 'ord-1' },
    status: { S: 'CONFIRMED' },
    updatedAt: { S: '2026-11-30T10:00:00.000Z' },
    summary: { S: 'x'.repeat(3000) },
  };

  it('bills a keys-only entry one unit, twice when the put replaced an item (the old entry is deleted)', () => {
    const fresh = putShapeOf('PutItem', {
      TableName: 't',
      Item: item,
      ConditionExpression: 'attribute_not_exists(#pk)',
    });
    const replacing = putShapeOf('PutItem', {
      TableName: 't',
      Item: item,
      ConditionExpression: '#version = :expected',
    });

    expect(fresh && indexWriteUnits(fresh, [summaryIndex])).toBe(1);
    expect(replacing && indexWriteUnits(replacing, [summaryIndex])).toBe(2);
  });

  it('bills an index that projects everything like the item itself, and nothing for an item without its keys', () => {
    const all = { ...summaryIndex, projection: 'ALL' as const };
    const put = putShapeOf('PutItem', { TableName: 't', Item: item });
    const keyless = putShapeOf('PutItem', { TableName: 't', Item: { orderId: { S: 'ord-2' } } });

    expect(put && indexWriteUnits(put, [all])).toBe(3);
    expect(keyless && indexWriteUnits(keyless, [all])).toBe(0);
  });
});

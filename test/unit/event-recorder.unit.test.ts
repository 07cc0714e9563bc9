import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { recordBatch } from '../../functions/event-recorder/record-batch.ts';
import { envelopeFromSqsBody, recordEvent } from '../../functions/event-recorder/record-event.ts';
import { ValidationError } from '../../shared/kit/errors/pipeline-error.ts';
import { DLQ_URL, eventBridgeBody, FakeSqs, QUEUE_URL, sqsEvent, sqsRecord } from '../fakes/sqs.ts';

const envelope = {
  id: 'evt-1',
  type: 'OrderPlaced',
  version: 2,
  source: 'orders.api',
  time: '2026-11-22T10:00:00.000Z',
  correlationId: 'corr-1',
  data: { orderId: 'o-1' },
};

describe('event recorder (walking skeleton consumer)', () => {
  it('reads the envelope out of an EventBridge event delivered by SQS', () => {
    const body = JSON.stringify({ 'detail-type': 'OrderPlaced', source: 'orders.api', detail: envelope });
    expect(envelopeFromSqsBody(body)).toEqual(envelope);
  });

  it('rejects a body that is not JSON, not an EventBridge event, or carries a broken envelope, naming the field', () => {
    expect(() => envelopeFromSqsBody('{oops')).toThrow(ValidationError);
    expect(() => envelopeFromSqsBody('{"hello":1}')).toThrow(/detail/);
    const broken = JSON.stringify({ detail: { ...envelope, correlationId: '' } });
    expect(() => envelopeFromSqsBody(broken)).toThrow(/detail\.correlationId/);
  });

  it('rejects an envelope whose metadata is nested too deeply to store as JSON again', () => {
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    const body = `{"detail":${JSON.stringify({ ...envelope, metadata: { deep: 0 } }).replace('"deep":0', `"deep":${deep}`)}}`;
    expect(() => envelopeFromSqsBody(body)).toThrow(ValidationError);
    expect(() => envelopeFromSqsBody(body)).toThrow(
      'detail: envelope cannot be serialized (nested too deeply)',
    );
  });

  it('stores an event once and treats a redelivery as a duplicate, not an error', async () => {
    // Arrange: a fake client whose second put hits the attribute_not_exists condition.
    const puts: unknown[] = [];
    const client = {
      send: async (command: { input: unknown }) => {
        puts.push(command.input);
        if (puts.length > 1) throw new ConditionalCheckFailedException({ message: 'exists', $metadata: {} });
        return {};
      },
    } as unknown as DynamoDBClient;

    // Act
    const first = await recordEvent(client, 'table', envelope, () => new Date('2026-11-22T10:00:01Z'));
    const second = await recordEvent(client, 'table', envelope);

    // Assert
    expect([first, second]).toEqual(['recorded', 'duplicate']);
    expect(puts[0]).toMatchObject({
      TableName: 'table',
      ConditionExpression: 'attribute_not_exists(pk)',
      Item: { pk: { S: 'EVENT#evt-1' }, recordedAt: { S: '2026-11-22T10:00:01.000Z' } },
    });
  });

  it('lets other DynamoDB failures surface so the record is retried', async () => {
    const client = { send: async () => Promise.reject(new Error('throttled')) } as unknown as DynamoDBClient;
    await expect(recordEvent(client, 'table', envelope)).rejects.toThrow('throttled');
  });
});

describe('event recorder batch: immediate dead-lettering of what can never be recorded', () => {
  const okClient = { send: async () => ({}) } as unknown as DynamoDBClient;
  const deps = (sqs: FakeSqs, dynamo: DynamoDBClient = okClient) => ({
    dynamo,
    sqs,
    tableName: 'table',
    queueUrl: QUEUE_URL,
    dlqUrl: DLQ_URL,
    now: () => new Date('2026-11-22T10:00:05Z'),
    log: () => {},
  });

  it('sends a record that is not an envelope to the DLQ at once, with its reason, and reports no failure', async () => {
    // Arrange
    const sqs = new FakeSqs();
    const poison = sqsRecord(JSON.stringify({ detail: { marker: 'bad' } }), { messageId: 'm-poison' });
    const good = sqsRecord(eventBridgeBody(envelope), { messageId: 'm-good' });

    // Act
    const response = await recordBatch(sqsEvent(poison, good), deps(sqs));

    // Assert
    expect(response.batchItemFailures).toEqual([]);
    expect(sqs.sent).toHaveLength(1);
    expect(sqs.sent[0]?.QueueUrl).toBe(DLQ_URL);
    expect(sqs.sent[0]?.MessageBody).toBe(poison.body);
    expect(sqs.sent[0]?.MessageAttributes).toMatchObject({
      'error-code': { StringValue: 'VALIDATION' },
      'error-path': { StringValue: 'detail.id' },
      'error-message': { StringValue: expect.stringMatching(/^detail\.id: /) },
      'failed-at': { StringValue: '2026-11-22T10:00:05.000Z' },
    });
    expect(sqs.visibilityChanges).toEqual([]);
  });

  it('retries with backoff what may succeed later (a DynamoDB failure)', async () => {
    // Arrange
    const sqs = new FakeSqs();
    const failing = { send: async () => Promise.reject(new Error('throttled')) } as unknown as DynamoDBClient;
    const record = sqsRecord(eventBridgeBody(envelope), { messageId: 'm-1' });

    // Act
    const response = await recordBatch(sqsEvent(record), deps(sqs, failing));

    // Assert
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }]);
    expect(sqs.sent).toEqual([]);
    expect(sqs.visibilityChanges).toHaveLength(1);
  });

  it('retries a poison record when the DLQ cannot take it, so nothing is lost', async () => {
    // Arrange
    const sqs = new FakeSqs();
    sqs.failSends = true;
    const poison = sqsRecord('{not json', { messageId: 'm-poison' });

    // Act
    const response = await recordBatch(sqsEvent(poison), deps(sqs));

    // Assert
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-poison' }]);
    expect(sqs.visibilityChanges).toHaveLength(1);
  });
});

import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { envelopeFromSqsBody, recordEvent } from '../../functions/event-recorder/record-event.ts';
import { ValidationError } from '../../shared/errors/pipeline-error.ts';

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

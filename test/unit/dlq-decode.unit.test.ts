import { describe, expect, it } from 'vitest';
import { decodeBody, decodeMessage } from '../../cli/dlq/decode.ts';
import type { DeadLetterQueue, DlqSource } from '../../cli/dlq/model.ts';
import type { ReceivedMessage } from '../../cli/dlq/queue-port.ts';

const sourceArn = 'arn:aws:sqs:us-east-1:000000000000:Stack-RecorderWorkQueue-BBB';
const otherArn = 'arn:aws:sqs:us-east-1:000000000000:Stack-OtherWorkQueue-EEE';

const envelope = {
  id: 'evt-1',
  type: 'OrderPlaced',
  version: 1,
  source: 'orders.api',
  time: '2026-11-22T10:00:00.000Z',
  correlationId: 'corr-1',
  data: { orderId: 'o-1' },
};
const eventBridgeEvent = {
  version: '0',
  id: 'eb-1',
  'detail-type': 'OrderPlaced',
  source: 'orders.api',
  time: '2026-11-22T10:00:00Z',
  detail: envelope,
};

function dlqWith(...sources: DlqSource[]): Pick<DeadLetterQueue, 'sources'> {
  return { sources };
}

function received(overrides: Partial<ReceivedMessage> = {}): ReceivedMessage {
  return {
    messageId: 'm-1',
    receiptHandle: 'h-1',
    body: JSON.stringify(eventBridgeEvent),
    attributes: { SentTimestamp: String(Date.parse('2026-11-22T10:00:00Z')), ApproximateReceiveCount: '4' },
    messageAttributes: {},
    ...overrides,
  };
}

const text = (value: string) => ({ DataType: 'String', StringValue: value });

describe('dlq show: decoding message bodies', () => {
  it('reads detail-type and the envelope id, type and correlationId of an EventBridge event', () => {
    const decoded = decodeBody(JSON.stringify(eventBridgeEvent));
    expect(decoded).toEqual({
      format: 'eventbridge',
      event: { id: 'eb-1', detailType: 'OrderPlaced', source: 'orders.api', time: '2026-11-22T10:00:00Z' },
      envelope: {
        id: 'evt-1',
        type: 'OrderPlaced',
        version: 1,
        source: 'orders.api',
        correlationId: 'corr-1',
      },
    });
  });

  it('unwraps an SNS notification before reading the event inside it', () => {
    // Arrange
    const notification = {
      Type: 'Notification',
      MessageId: 'sns-1',
      TopicArn: 'arn:aws:sns:us-east-1:000000000000:orders',
      Message: JSON.stringify(eventBridgeEvent),
    };

    // Act
    const decoded = decodeBody(JSON.stringify(notification));

    // Assert
    expect(decoded.format).toBe('sns+eventbridge');
    expect(decoded.sns).toEqual({ messageId: 'sns-1', topicArn: notification.TopicArn });
    expect(decoded.envelope?.correlationId).toBe('corr-1');
  });

  it('says so when an EventBridge detail is not an envelope, and reads a bare envelope and plain text', () => {
    const poison = decodeBody(JSON.stringify({ ...eventBridgeEvent, detail: { marker: 'x' } }));
    expect(poison).toMatchObject({ format: 'eventbridge', problem: 'detail is not an event envelope' });
    expect(poison.envelope).toBeUndefined();
    expect(decodeBody(JSON.stringify(envelope))).toMatchObject({
      format: 'envelope',
      envelope: { id: 'evt-1' },
    });
    expect(decodeBody('not json')).toEqual({ format: 'text', problem: 'body is not JSON' });
  });
});

describe('dlq show: why a message is in the DLQ', () => {
  it('reports the reason the consumer runtime attached when it dead-lettered the record', () => {
    // Arrange
    const message = received({
      messageAttributes: {
        'error-code': text('VALIDATION'),
        'error-message': text('Required'),
        'error-path': text('detail.data.orderId'),
        'failed-at': text('2026-11-22T10:00:01.000Z'),
        'source-queue': text(sourceArn),
        'receive-count': { DataType: 'Number', StringValue: '1' },
        tenant: text('acme'),
      },
    });

    // Act
    const decoded = decodeMessage(
      message,
      dlqWith({ kind: 'queue', queueArn: sourceArn, maxReceiveCount: 3 }),
    );

    // Assert
    expect(decoded.failure).toEqual({
      kind: 'consumer',
      summary: 'VALIDATION at detail.data.orderId: Required',
      code: 'VALIDATION',
      message: 'Required',
      path: 'detail.data.orderId',
      failedAt: '2026-11-22T10:00:01.000Z',
      sourceQueue: sourceArn,
      receiveCount: 1,
    });
    expect(decoded.attributes.tenant).toBe('acme');
  });

  it('says "exceeded maxReceiveCount (N)" for a message SQS moved, with no reason attributes', () => {
    // Arrange: two sources; DeadLetterQueueSourceArn says which one moved it.
    const dlq = dlqWith(
      { kind: 'queue', queueArn: sourceArn, maxReceiveCount: 3 },
      { kind: 'queue', queueArn: otherArn, maxReceiveCount: 5 },
    );
    const message = received({
      attributes: { ...received().attributes, DeadLetterQueueSourceArn: otherArn },
    });

    // Act
    const decoded = decodeMessage(message, dlq, new Date('2026-11-22T10:05:00Z'));

    // Assert
    expect(decoded.failure).toMatchObject({ kind: 'max-receive', maxReceiveCount: 5, sourceQueue: otherArn });
    expect(decoded.failure.summary).toBe('exceeded maxReceiveCount (5) of Stack-OtherWorkQueue-EEE');
    expect(decoded).toMatchObject({
      receiveCount: 4,
      sentAt: '2026-11-22T10:00:00.000Z',
      ageSeconds: 300,
      sourceArn: otherArn,
    });
  });

  it('uses the only source queue when SQS did not say where the message came from', () => {
    const decoded = decodeMessage(
      received(),
      dlqWith({ kind: 'queue', queueArn: sourceArn, maxReceiveCount: 3 }),
    );
    expect(decoded.failure.summary).toBe('exceeded maxReceiveCount (3) of Stack-RecorderWorkQueue-BBB');
  });

  it('reports why EventBridge could not deliver to a rule target', () => {
    const decoded = decodeMessage(
      received({
        messageAttributes: {
          ERROR_CODE: text('SQS_SEND_FAILED'),
          ERROR_MESSAGE: text('Access denied'),
          RULE_ARN: text('arn:aws:events:us-east-1:000000000000:rule/bus/rule'),
          TARGET_ARN: text(sourceArn),
          RETRY_ATTEMPTS: text('8'),
        },
      }),
      dlqWith({ kind: 'rule-target', rule: 'rule', targetArn: sourceArn }),
    );
    expect(decoded.failure).toMatchObject({ kind: 'eventbridge', code: 'SQS_SEND_FAILED', retryAttempts: 8 });
    expect(decoded.failure.summary).toBe(
      'EventBridge could not deliver it to Stack-RecorderWorkQueue-BBB (SQS_SEND_FAILED: Access denied)',
    );
  });

  it('names the SNS subscription of a delivery DLQ and shows binary attributes by size', () => {
    const decoded = decodeMessage(
      received({ messageAttributes: { blob: { DataType: 'Binary', BinaryValue: new Uint8Array(3) } } }),
      dlqWith({ kind: 'sns-subscription', subscriptionArn: 'arn:sub', endpointArn: sourceArn }),
    );
    expect(decoded.failure.kind).toBe('sns-delivery');
    expect(decoded.attributes.blob).toBe('<binary 3 bytes>');
  });
});

import type { PublishCommand, PublishCommandInput } from '@aws-sdk/client-sns';
import { describe, expect, it } from 'vitest';
import {
  LoggingNotificationSender,
  mask,
} from '../../shared/contexts/orders/adapters/logging-notification-sender.ts';
import { SnsEventPublisher } from '../../shared/contexts/orders/adapters/sns-event-publisher.ts';
import { planNotifications } from '../../shared/contexts/orders/domain/notifications.ts';
import { exampleEvent, ordersCatalog } from '../../shared/contexts/orders/events/catalog.ts';
import { outcomeFanOutHandlers } from '../../shared/contexts/orders/use-cases/outcome-fan-out.ts';
import { createSqsConsumer } from '../../shared/kit/consumer/runtime.ts';
import { CountingOutcomeMetrics } from '../../shared/kit/observability/metrics.ts';
import { RecordingLogger } from '../fakes/logger.ts';
import { DLQ_URL, eventBridgeBody, FakeSqs, QUEUE_URL, sqsEvent, sqsRecord } from '../fakes/sqs.ts';

/** An SNS client that keeps what it was asked to publish. */
class FakeSns {
  readonly published: PublishCommandInput[] = [];

  async send(command: PublishCommand) {
    this.published.push(command.input);
    return { MessageId: `sns-${this.published.length}`, $metadata: {} };
  }
}

function notifier(sns: FakeSns) {
  const publisher = new SnsEventPublisher({
    client: sns as never,
    topicArn: 'arn:aws:sns:us-east-1:0:topic',
  });
  const metrics = new CountingOutcomeMetrics();
  const consumer = createSqsConsumer({
    catalog: ordersCatalog,
    name: 'notifier',
    handlers: outcomeFanOutHandlers(publisher),
    sqs: new FakeSqs(),
    queueUrl: QUEUE_URL,
    dlqUrl: DLQ_URL,
    logger: new RecordingLogger(),
    metrics,
  });
  return { consumer, metrics };
}

describe('notifier: order outcomes from the bus to the notifications topic', () => {
  it('publishes each outcome as its envelope with the type, source and version attributes the filters read', async () => {
    // Arrange
    const sns = new FakeSns();
    const { consumer, metrics } = notifier(sns);
    const confirmed = exampleEvent('OrderConfirmed');
    const cancelled = exampleEvent('OrderCancelled');

    // Act
    const response = await consumer(
      sqsEvent(sqsRecord(eventBridgeBody(confirmed)), sqsRecord(eventBridgeBody(cancelled))),
    );

    // Assert
    expect(response.batchItemFailures).toEqual([]);
    expect(metrics.totals.success).toBe(2);
    expect(sns.published.map((p) => JSON.parse(p.Message ?? '{}'))).toEqual([confirmed, cancelled]);
    expect(sns.published[0]).toMatchObject({
      TopicArn: 'arn:aws:sns:us-east-1:0:topic',
      MessageAttributes: {
        type: { DataType: 'String', StringValue: 'OrderConfirmed' },
        source: { DataType: 'String', StringValue: 'orders.saga' },
        version: { DataType: 'Number', StringValue: '1' },
      },
    });
  });

  it('handles only the outcomes: anything else is a routing mistake for the DLQ', async () => {
    // Arrange
    const sns = new FakeSns();
    const { consumer, metrics } = notifier(sns);

    // Act
    await consumer(sqsEvent(sqsRecord(eventBridgeBody(exampleEvent('OrderPlaced')))));

    // Assert
    expect(sns.published).toEqual([]);
    expect(metrics.totals['dead-lettered']).toBe(1);
  });
});

describe('simulated channel gateway', () => {
  it('answers with a delivery id derived from the delivery key and logs the address masked', async () => {
    // Arrange
    const logger = new RecordingLogger();
    const sender = new LoggingNotificationSender(logger);
    const [notification] = planNotifications(exampleEvent('OrderConfirmed'));
    if (!notification) throw new Error('the example has no channel');

    // Act
    const first = await sender.send(notification);
    const again = await sender.send(notification);

    // Assert
    expect(first.deliveryId).toMatch(/^sim-email-[0-9a-f]{16}$/);
    expect(again).toEqual(first);
    expect(logger.lines[0]?.fields).toMatchObject({ channel: 'email', to: 'ad***@example.com' });
    expect(JSON.stringify(logger.lines)).not.toContain('ada@example.com');
  });

  it('masks phone numbers and push tokens too', () => {
    expect(mask('+4915112345678')).toBe('+49***78');
    expect(mask('abc')).toBe('***');
  });
});

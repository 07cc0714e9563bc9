import { randomUUID } from 'node:crypto';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, inject, it } from 'vitest';
import { NOTIFICATION_CHANNELS } from '../../infra/stacks/notification-channels.ts';
import { eventCatalog } from '../../shared/events/catalog.ts';
import type { EventEnvelope } from '../../shared/events/envelope.ts';
import { snsMessageAttributes } from '../../shared/events/patterns.ts';
import { testClients } from '../support/aws.ts';

const outputs = inject('stackOutputs');
const { sqs } = testClients();
const sns = new SNSClient({ region: process.env.AWS_REGION ?? 'us-east-1' });

function requireOutput(name: string): string {
  const value = outputs[name];
  if (!value) throw new Error(`stack output ${name} missing: ${JSON.stringify(outputs)}`);
  return value;
}

function anEvent(
  type: 'OrderPlaced' | 'OrderConfirmed' | 'PaymentAuthorized',
  correlationId: string,
): EventEnvelope {
  const definition = eventCatalog[type];
  return {
    id: randomUUID(),
    type,
    version: definition.version,
    source: definition.source,
    time: new Date().toISOString(),
    correlationId,
    data: definition.example as Record<string, unknown>,
  };
}

/** Bodies of this test's messages in a queue, received for a few seconds and deleted. */
async function drain(queueUrl: string, correlationId: string): Promise<EventEnvelope[]> {
  const found: EventEnvelope[] = [];
  const deadline = Date.now() + 4_000;
  while (Date.now() < deadline) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    const ours = Messages.filter((m) => m.Body?.includes(correlationId));
    found.push(...ours.map((m) => JSON.parse(m.Body ?? '{}') as EventEnvelope));
    if (ours.length > 0) {
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: ours.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
    }
  }
  return found;
}

describe('notifications fan-out: topic → one queue per channel', () => {
  it('delivers each event, raw, to exactly the channels whose filter lists its type', async () => {
    // Arrange
    const correlationId = `fan-out-e2e-${randomUUID()}`;
    const published = [
      anEvent('OrderPlaced', correlationId),
      anEvent('OrderConfirmed', correlationId),
      anEvent('PaymentAuthorized', correlationId),
    ];

    // Act
    for (const event of published) {
      await sns.send(
        new PublishCommand({
          TopicArn: requireOutput('NotificationsTopicArn'),
          Message: JSON.stringify(event),
          MessageAttributes: snsMessageAttributes(event),
        }),
      );
    }
    const received = Object.fromEntries(
      await Promise.all(
        NOTIFICATION_CHANNELS.map(async ({ name }) => {
          const url = requireOutput(`${name.charAt(0).toUpperCase()}${name.slice(1)}QueueUrl`);
          return [name, await drain(url, correlationId)] as const;
        }),
      ),
    );

    // Assert: the body is the envelope itself (raw delivery), routed by the catalog filters.
    for (const { name, types } of NOTIFICATION_CHANNELS) {
      const expected = published.filter((e) => (types as readonly string[]).includes(e.type));
      expect(received[name], name).toEqual(expected);
    }
  });
});

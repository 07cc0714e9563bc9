import { randomUUID } from 'node:crypto';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { OUTPUTS } from '../../infra/stacks/outputs.ts';
import { NOTIFICATION_SUBSCRIPTIONS as NOTIFICATION_CHANNELS } from '../../shared/contexts/orders/definition.ts';
import type { EventDataInput, EventType } from '../../shared/contexts/orders/events/catalog.ts';
import { createEvent } from '../../shared/contexts/orders/events/catalog.ts';
import { notificationStreamId } from '../../shared/contexts/orders/use-cases/notifications.ts';
import { DynamoDbEventStore } from '../../shared/kit/event-store/dynamodb.ts';
import type { EventEnvelope } from '../../shared/kit/events/envelope.ts';
import { snsMessageAttributes } from '../../shared/kit/events/patterns.ts';
import { markStored } from '../../shared/kit/events/stored.ts';
import { eventually, testClients } from '../support/aws.ts';
import { drained, stackOutput } from '../support/stack-outputs.ts';

const { sqs, dynamo } = testClients();
const sns = new SNSClient({ region: process.env.AWS_REGION ?? 'us-east-1' });

const capitalized = (name: string) => `${name.charAt(0).toUpperCase()}${name.slice(1)}`;

async function publish(event: EventEnvelope<unknown>): Promise<void> {
  await sns.send(
    new PublishCommand({
      TopicArn: stackOutput(OUTPUTS.notificationsTopicArn),
      Message: JSON.stringify(event),
      MessageAttributes: snsMessageAttributes(event),
    }),
  );
}

/** Messages about `orderId` in a channel's DLQ, left in place. */
async function deadLettered(channel: string, orderId: string): Promise<number> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: stackOutput(`${capitalized(channel)}DlqUrl`),
      MaxNumberOfMessages: 10,
      VisibilityTimeout: 0,
    }),
  );
  return Messages.filter((m) => m.Body?.includes(orderId)).length;
}

describe('notifications fan-out: topic → one queue per channel → channel consumer', () => {
  it('routes only the events a channel filter lists, and each channel delivers on the customer’s choice only', async () => {
    // Arrange: one order's outcome for a customer who chose email and push, plus events no channel takes.
    const orderId = `fan-out-e2e-${randomUUID()}`;
    const store = new DynamoDbEventStore({ client: dynamo, tableName: stackOutput(OUTPUTS.eventStoreTable) });
    const make = <T extends EventType>(type: T, data: EventDataInput<T>) =>
      createEvent(type, data, { correlationId: `corr-${orderId}` });
    const contact = {
      email: 'ada@example.com',
      pushToken: 'push-token-1',
      channels: ['email', 'push'] as const,
    };
    const confirmed = make('OrderConfirmed', {
      orderId,
      customerId: 'cus-1',
      total: 5,
      currency: 'EUR',
      contact: { ...contact, channels: [...contact.channels] },
    });
    const unrouted = [
      make('PaymentAuthorized', { orderId, authorizationId: 'auth-1', amount: 5, currency: 'EUR' }),
      make('InventoryReserved', { orderId, items: [{ sku: 'X', qty: 1 }] }),
    ];

    // Act: stored, the outcome is published to the topic by the outbox itself (the topic is fed by the
    // outbox, no forwarding consumer). The events no channel takes are published to the topic by hand,
    // stored and marked like the outbox would, so only the subscriptions' filters can keep them out.
    const streamId = `fan-out-e2e#${orderId}`;
    const stored = await store.append(streamId, [...unrouted, confirmed], { expectedVersion: 0 });
    for (const { event, streamVersion } of stored.events) {
      if (event.type !== 'OrderConfirmed') await publish(markStored(event, streamId, streamVersion));
    }
    const sent = await eventually(
      async () => {
        const events: EventEnvelope[] = [];
        for await (const stored of store.readAll(notificationStreamId(orderId))) events.push(stored.event);
        return events.length >= 2 ? events : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    await drained(sqs);

    // Assert: one delivery per chosen channel; a routing mistake would have dead-lettered the others
    // (no channel consumer handles them), so every channel DLQ stays clear of this order.
    const all: EventEnvelope[] = [];
    for await (const stored of store.readAll(notificationStreamId(orderId))) all.push(stored.event);
    expect(sent).toBeDefined();
    expect(all.map((e) => [e.type, e.data.channel]).sort()).toEqual([
      ['NotificationSent', 'email'],
      ['NotificationSent', 'push'],
    ]);
    for (const { name, types } of NOTIFICATION_CHANNELS) {
      expect([...types].sort(), name).toEqual(['OrderCancelled', 'OrderConfirmed']);
      expect(await deadLettered(name, orderId), name).toBe(0);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { createEvent, ordersCatalog } from '../../shared/contexts/orders/events/catalog.ts';
import { notificationHandlers } from '../../shared/contexts/orders/use-cases/notifications.ts';
import { createSqsConsumer } from '../../shared/kit/consumer/runtime.ts';
import { InMemoryEventStore } from '../../shared/kit/event-store/in-memory.ts';
import type { EventEnvelope } from '../../shared/kit/events/envelope.ts';
import { InMemoryIdempotencyStore } from '../../shared/kit/idempotency/in-memory.ts';
import { CountingOutcomeMetrics } from '../../shared/kit/observability/metrics.ts';
import { InMemorySubjectKeys, isCiphertext, protectEvent } from '../../shared/kit/personal-data/index.ts';
import { ManualClock } from '../fakes/clock.ts';
import { contextFor } from '../fakes/context.ts';
import { RecordingLogger } from '../fakes/logger.ts';
import { InMemoryNotificationSender } from '../fakes/orders.ts';
import { DLQ_URL, eventBridgeBody, FakeSqs, QUEUE_URL, sqsEvent, sqsRecord } from '../fakes/sqs.ts';

const at = { requestedBy: 'test', at: new Date('2026-12-02T10:00:00Z') };

async function confirmedFor(keys: InMemorySubjectKeys, clock: ManualClock) {
  const clear = createEvent(
    'OrderConfirmed',
    {
      orderId: 'ord-1',
      customerId: 'cus-1',
      total: 34,
      currency: 'EUR',
      contact: { email: 'ada@example.com', phone: '+4915112345678', channels: ['email', 'sms'] },
    },
    { correlationId: 'c' },
    clock,
  );
  return protectEvent(ordersCatalog, clear, keys);
}

describe('notification channels on encrypted contacts', () => {
  function setup() {
    const clock = new ManualClock();
    const keys = new InMemorySubjectKeys();
    const sender = new InMemoryNotificationSender();
    const deps = {
      store: new InMemoryEventStore({ clock: clock.now }),
      sender,
      idempotency: new InMemoryIdempotencyStore(),
      subjectKeys: keys,
    };
    return { clock, keys, sender, handlers: notificationHandlers(deps) };
  }

  it('sends to the decrypted address of each channel', async () => {
    const { clock, keys, sender, handlers } = setup();
    const event = await confirmedFor(keys, clock);

    await handlers.OrderConfirmed?.(event, contextFor(event, clock));

    expect(sender.deliveries.map((d) => d.to)).toEqual(['ada@example.com', '+4915112345678']);
  });

  it('skips a forgotten customer with the reason logged, and neither throws nor sends', async () => {
    const { clock, keys, sender, handlers } = setup();
    const event = await confirmedFor(keys, clock);
    await keys.forget('cus-1', at);
    const logger = new RecordingLogger();
    const context = { ...contextFor(event, clock), logger };

    const outcome = await handlers.OrderConfirmed?.(event, context);

    expect(outcome).toBe('handled');
    expect(sender.deliveries).toEqual([]);
    expect(logger.lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: 'notification skipped: personal data erased',
        fields: expect.objectContaining({ reason: 'SUBJECT_FORGOTTEN', customerId: 'cus-1' }),
      }),
    );
    expect(JSON.stringify(logger.lines)).not.toContain('ada@example.com');
  });

  it('refuses a tampered address as DECRYPTION_FAILED, never sending garbage', async () => {
    const { clock, keys, sender, handlers } = setup();
    const event = await confirmedFor(keys, clock);
    const email = event.data.contact.email as string;
    const tampered = {
      ...event,
      data: { ...event.data, contact: { ...event.data.contact, email: `${email.slice(0, -3)}AAA` } },
    };

    await expect(handlers.OrderConfirmed?.(tampered, contextFor(tampered, clock))).rejects.toMatchObject({
      code: 'DECRYPTION_FAILED',
      retryable: false,
    });
    expect(sender.deliveries).toEqual([]);
  });
});

describe('an intake with subject keys', () => {
  it('hands its handler the producer’s order with the contact encrypted, the same ciphertext on a retry', async () => {
    const clock = new ManualClock();
    const keys = new InMemorySubjectKeys();
    const seen: EventEnvelope[] = [];
    const consumer = createSqsConsumer({
      catalog: ordersCatalog,
      name: 'saga',
      handlers: {
        OrderPlaced: async (event) => {
          seen.push(event);
          return undefined;
        },
      },
      intake: ['OrderPlaced'],
      subjectKeys: keys,
      sqs: new FakeSqs(),
      queueUrl: QUEUE_URL,
      dlqUrl: DLQ_URL,
      logger: new RecordingLogger(),
      metrics: new CountingOutcomeMetrics(),
      events: clock,
      random: () => 0.5,
    });
    const placed = ordersCatalog.example('OrderPlaced', { correlationId: 'c-1' }, clock);

    await consumer(sqsEvent(sqsRecord(eventBridgeBody(placed))));
    await consumer(sqsEvent(sqsRecord(eventBridgeBody(placed))));

    expect(seen).toHaveLength(2);
    const [first, second] = seen.map((e) => (e.data as { contact: { email: string } }).contact.email);
    expect(isCiphertext(first)).toBe(true);
    expect(second).toBe(first);
    expect(JSON.stringify(seen)).not.toContain('ada@example.com');
  });
});

import { describe, expect, it } from 'vitest';
import { notificationKey, planNotifications } from '../../shared/contexts/orders/domain/notifications.ts';
import type { EventData } from '../../shared/contexts/orders/events/catalog.ts';
import { createEvent } from '../../shared/contexts/orders/events/catalog.ts';
import {
  type NotificationSender,
  notificationStreamId,
  notifyCustomer,
} from '../../shared/contexts/orders/use-cases/notifications.ts';
import { InMemoryEventStore } from '../../shared/kit/event-store/in-memory.ts';
import { InMemoryIdempotencyStore } from '../../shared/kit/idempotency/in-memory.ts';
import { ManualClock } from '../fakes/clock.ts';
import { contextFor } from '../fakes/context.ts';
import { InMemoryNotificationSender } from '../fakes/orders.ts';

const confirmed = (channels: ('email' | 'sms' | 'push')[]): EventData<'OrderConfirmed'> => ({
  orderId: 'ord-1',
  customerId: 'cus-1',
  total: 34,
  currency: 'EUR',
  contact: { email: 'ada@example.com', phone: '+4915112345678', pushToken: 'push-1', channels },
});

describe('notification planning', () => {
  it('plans one message per preferred channel, to that channel address, in the customer order', () => {
    // Act
    const plan = planNotifications({ type: 'OrderConfirmed', data: confirmed(['sms', 'email']) });

    // Assert
    expect(plan.map((n) => [n.channel, n.to, n.key])).toEqual([
      ['sms', '+4915112345678', 'ord-1#sms#OrderConfirmed'],
      ['email', 'ada@example.com', 'ord-1#email#OrderConfirmed'],
    ]);
    expect(plan[0]?.body).toContain('34.00 EUR');
  });

  it('notifies a channel listed twice only once, and no channel when none was chosen', () => {
    // Act
    const twice = planNotifications({ type: 'OrderConfirmed', data: confirmed(['push', 'push']) });
    const none = planNotifications({ type: 'OrderConfirmed', data: confirmed([]) });

    // Assert
    expect(twice.map((n) => n.channel)).toEqual(['push']);
    expect(none).toEqual([]);
  });

  it('tells a cancelled customer why, and keys it apart from a confirmation', () => {
    // Act
    const plan = planNotifications({
      type: 'OrderCancelled',
      data: {
        orderId: 'ord-1',
        customerId: 'cus-1',
        reason: 'card declined',
        contact: confirmed(['email']).contact,
      },
    });

    // Assert
    expect(plan[0]?.body).toContain('card declined');
    expect(plan[0]?.key).toBe(notificationKey('ord-1', 'email', 'OrderCancelled'));
  });
});

describe('notify customer use case', () => {
  function setup(sender: NotificationSender = new InMemoryNotificationSender()) {
    const clock = new ManualClock();
    const store = new InMemoryEventStore({ clock: clock.now });
    const deps = { store, sender, idempotency: new InMemoryIdempotencyStore() };
    const event = createEvent('OrderConfirmed', confirmed(['email', 'sms']), { correlationId: 'c' }, clock);
    return { clock, store, deps, event };
  }

  it('delivers once per channel and records one NotificationSent each, however often it runs', async () => {
    // Arrange
    const sender = new InMemoryNotificationSender();
    const { clock, store, deps, event } = setup(sender);

    // Act
    const outcomes = [
      await notifyCustomer(deps, event, contextFor(event, clock, 'notifications')),
      await notifyCustomer(deps, event, contextFor(event, clock, 'notifications')),
    ];

    // Assert
    expect(outcomes).toEqual(['handled', 'duplicate']);
    expect(sender.deliveries.map((d) => d.channel)).toEqual(['email', 'sms']);
    const stream = await store.read(notificationStreamId('ord-1'));
    expect(stream.events.map((e) => e.event.data)).toEqual([
      { orderId: 'ord-1', channel: 'email' },
      { orderId: 'ord-1', channel: 'sms' },
    ]);
  });

  it('retries only the channel that failed', async () => {
    // Arrange
    const inner = new InMemoryNotificationSender();
    let smsFailures = 1;
    const flakySms: NotificationSender = {
      send: async (notification) => {
        if (notification.channel === 'sms' && smsFailures-- > 0) throw new Error('sms gateway down');
        return inner.send(notification);
      },
    };
    const { clock, deps, event } = setup(flakySms);

    // Act
    const first = await notifyCustomer(deps, event, contextFor(event, clock)).catch((e: unknown) => e);
    const second = await notifyCustomer(deps, event, contextFor(event, clock));

    // Assert
    expect(first).toBeInstanceOf(Error);
    expect(second).toBe('handled');
    expect(inner.deliveries.map((d) => d.channel)).toEqual(['email', 'sms']);
  });

  it('delivers only its own channel when each channel has its own consumer', async () => {
    // Arrange
    const sender = new InMemoryNotificationSender();
    const { clock, deps, event } = setup(sender);

    // Act
    const outcome = await notifyCustomer({ ...deps, channels: ['sms'] }, event, contextFor(event, clock));
    const other = await notifyCustomer({ ...deps, channels: ['push'] }, event, contextFor(event, clock));

    // Assert
    expect(outcome).toBe('handled');
    expect(other).toBe('handled');
    expect(sender.deliveries.map((d) => d.channel)).toEqual(['sms']);
  });
});

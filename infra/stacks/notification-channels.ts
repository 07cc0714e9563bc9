import type { FanOutSubscriber } from '../constructs/fan-out-topic.ts';

/**
 * Subscribers of the notifications topic: one queue per channel, each receiving the catalog events a
 * customer hears about on that channel. Their consumers come with the saga issue; until then the queues
 * collect (and alarm) on their own.
 */
export const NOTIFICATION_CHANNELS = [
  { name: 'email', types: ['OrderPlaced', 'OrderConfirmed', 'OrderCancelled'] },
  { name: 'sms', types: ['OrderConfirmed', 'OrderCancelled'] },
  { name: 'push', types: ['OrderConfirmed', 'OrderCancelled'] },
] as const satisfies readonly FanOutSubscriber[];

/** A notification channel name. */
export type NotificationChannel = (typeof NOTIFICATION_CHANNELS)[number]['name'];

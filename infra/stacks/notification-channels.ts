import { CONSUMER_EVENT_TYPES } from '../../shared/use-cases/subscriptions.ts';
import type { FanOutSubscriber } from '../constructs/fan-out-topic.ts';

/**
 * Subscribers of the notifications topic: one queue per channel, each drained by its own channel
 * consumer (a slow SMS gateway never delays email). Each receives exactly what the notification
 * handlers handle, the order outcomes (`OrderConfirmed`, `OrderCancelled`); whether a customer hears
 * on a channel is their contact preference, which the channel consumer applies.
 */
export const NOTIFICATION_CHANNELS = [
  { name: 'email', types: CONSUMER_EVENT_TYPES.notificationChannel },
  { name: 'sms', types: CONSUMER_EVENT_TYPES.notificationChannel },
  { name: 'push', types: CONSUMER_EVENT_TYPES.notificationChannel },
] as const satisfies readonly FanOutSubscriber[];

/** A notification channel name. */
export type NotificationChannel = (typeof NOTIFICATION_CHANNELS)[number]['name'];

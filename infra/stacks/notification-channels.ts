import { Duration } from 'aws-cdk-lib';
import { CONSUMER_EVENT_TYPES } from '../../shared/contexts/orders/use-cases/subscriptions.ts';
import type { FanOutSubscriber } from '../constructs/fan-out-topic.ts';
import { BATCHING, consumerVisibilityTimeout } from '../constructs/queue-consumer.ts';

/**
 * Timeout of a channel consumer: it gathers batches (`BATCHING.gathered`, 25 records), about a
 * second per record as 10 s for 10 records was.
 */
export const CHANNEL_TIMEOUT = Duration.seconds(30);

/** The channel queues stay invisible for six times the consumer's timeout plus its batching window. */
const visibilityTimeout = consumerVisibilityTimeout(CHANNEL_TIMEOUT, BATCHING.gathered.maxBatchingWindow);

/**
 * Subscribers of the notifications topic: one queue per channel, each drained by its own channel
 * consumer (a slow SMS gateway never delays email). Each receives exactly what the notification
 * handlers handle, the order outcomes (`OrderConfirmed`, `OrderCancelled`); whether a customer hears
 * on a channel is their contact preference, which the channel consumer applies.
 */
export const NOTIFICATION_CHANNELS = [
  { name: 'email', types: CONSUMER_EVENT_TYPES.notificationChannel, visibilityTimeout },
  { name: 'sms', types: CONSUMER_EVENT_TYPES.notificationChannel, visibilityTimeout },
  { name: 'push', types: CONSUMER_EVENT_TYPES.notificationChannel, visibilityTimeout },
] as const satisfies readonly FanOutSubscriber[];

/** A notification channel name. */
export type NotificationChannel = (typeof NOTIFICATION_CHANNELS)[number]['name'];

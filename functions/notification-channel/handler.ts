import { ordersCatalog } from '../../shared/contexts/orders/events/catalog.ts';
import { notificationHandlers } from '../../shared/contexts/orders/use-cases/notifications.ts';
import { createSqsConsumer } from '../../shared/kit/consumer/runtime.ts';
import { consumerDeps, env, idempotency, sender, store, storedCheck, subjectKeys } from './config.ts';

/**
 * One notification channel (email, sms or push; `CHANNEL`), draining that channel's queue of the
 * notifications topic: tells the customer about the order outcome if they chose this channel, once
 * per order and outcome (idempotency record, then `NotificationSent` with the channel).
 */
export const handler = createSqsConsumer({
  catalog: ordersCatalog,
  name: `notify-${env.CHANNEL}`,
  handlers: notificationHandlers({ store, sender, idempotency, channels: [env.CHANNEL], subjectKeys }),
  // Reacts only to stored events (published by the outbox); anything else is refused with its reason.
  intake: [],
  storedCheck,
  ...consumerDeps,
});

import type { EventHandler, EventHandlers } from '../../../kit/consumer/types.ts';
import type { EventEnvelope } from '../../../kit/events/envelope.ts';
import type { NotifyingEventType } from '../domain/notifications.ts';
import type { Orders } from '../events/catalog.ts';

/** Port of a topic that fans events out to subscribers (SNS in production). */
export interface EventPublisher {
  publish(event: EventEnvelope<unknown>): Promise<{ readonly messageId: string }>;
}

/** The events customers hear about, which the notifier hands to the notifications topic. */
export const OUTCOME_EVENT_TYPES: readonly NotifyingEventType[] = ['OrderConfirmed', 'OrderCancelled'];

/**
 * Handlers of the notifier: each order outcome is published, unchanged, to the notifications topic,
 * whose per-channel subscribers do the delivering. Publishing again on a redelivery is harmless: the
 * channel consumers deliver once per order, channel and outcome.
 */
export function outcomeFanOutHandlers(publisher: EventPublisher): EventHandlers<Orders> {
  const forward: EventHandler<Orders, NotifyingEventType> = async (event, context) => {
    const { messageId } = await publisher.publish(event);
    context.logger.info('order outcome published to the notifications topic', { snsMessageId: messageId });
    return 'handled';
  };
  return { OrderConfirmed: forward, OrderCancelled: forward };
}

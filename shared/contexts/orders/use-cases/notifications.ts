import type { EventHandlers, Handled, HandlerContext } from '../../../kit/consumer/types.ts';
import { loadAggregate } from '../../../kit/event-store/load-aggregate.ts';
import type { EventStore } from '../../../kit/event-store/port.ts';
import { type RetryOnConflictOptions, retryOnConflict } from '../../../kit/event-store/retry.ts';
import type { IdempotencyStore } from '../../../kit/idempotency/port.ts';
import { runOnce } from '../../../kit/idempotency/run-once.ts';
import { type Notification, type OrderOutcome, planNotifications } from '../domain/notifications.ts';
import type { Orders } from '../events/catalog.ts';
import type { NotificationChannel } from '../events/common.ts';

/** Port of a channel gateway (SES, SNS SMS, a push service). */
export interface NotificationSender {
  send(notification: Notification): Promise<{ readonly deliveryId: string }>;
}

/** A sender that keeps what it was asked to deliver, for tests and local runs. */
export class InMemoryNotificationSender implements NotificationSender {
  readonly deliveries: Notification[] = [];

  async send(notification: Notification): Promise<{ deliveryId: string }> {
    this.deliveries.push(notification);
    return { deliveryId: `delivery-${this.deliveries.length}` };
  }
}

/** What the notifications consumer needs. */
export interface NotificationDeps {
  readonly store: EventStore;
  readonly sender: NotificationSender;
  /** Remembers each delivery (key: order, channel, event type) so a redelivery sends nothing again. */
  readonly idempotency: IdempotencyStore;
  /**
   * The channels this consumer delivers, when each channel has its own queue (a slow SMS gateway then
   * never delays email). @default every channel the customer chose
   */
  readonly channels?: readonly NotificationChannel[];
  readonly retry?: RetryOnConflictOptions;
}

/** The notifications stream of an order (holds `NotificationSent`). */
export function notificationStreamId(orderId: string): string {
  return `notifications#${orderId}`;
}

/**
 * Records the delivery as `NotificationSent`, once: a repeat of the same input (same id) on the same
 * channel finds its record among the stream's events and writes nothing. The stream is shared by the
 * order's channels, so the append's key alone would only recognise a repeat that no other channel's
 * record followed.
 */
async function recordSent(
  deps: NotificationDeps,
  notification: Notification,
  key: string,
  context: HandlerContext<Orders>,
): Promise<void> {
  const streamId = notificationStreamId(notification.orderId);
  const event = context.emit('NotificationSent', {
    orderId: notification.orderId,
    channel: notification.channel,
  });
  const recordKey = (causationId: unknown, channel: unknown) => `${String(causationId)}#${String(channel)}`;
  const mine = recordKey(context.inputId, notification.channel);
  await retryOnConflict(async () => {
    const { state: recorded, version } = await loadAggregate(deps.store, streamId, {
      initial: () => new Set<string>(),
      evolve: (seen, stored) =>
        stored.type === 'NotificationSent'
          ? seen.add(recordKey(stored.causationId, stored.data.channel))
          : seen,
    });
    if (recorded.has(mine)) return;
    await deps.store.append(streamId, [event], { expectedVersion: version, idempotencyKey: key });
  }, deps.retry);
}

/**
 * Tells the customer on each chosen channel, one delivery per order, channel and event type. A channel
 * that fails makes the record retry; channels already delivered are not sent again.
 */
export async function notifyCustomer(
  deps: NotificationDeps,
  outcome: OrderOutcome,
  context: HandlerContext<Orders>,
): Promise<Handled> {
  let delivered = 0;
  const plan = planNotifications(outcome).filter((n) => deps.channels?.includes(n.channel) ?? true);
  for (const notification of plan) {
    const key = `notify#${notification.key}`;
    const once = await runOnce(deps.idempotency, key, () => deps.sender.send(notification), {
      clock: context.now,
    });
    if (!once.replayed) delivered += 1;
    await recordSent(deps, notification, key, context);
    context.logger.info(once.replayed ? 'notification already sent' : 'notification sent', {
      channel: notification.channel,
      deliveryId: once.result.deliveryId,
    });
  }
  return delivered === 0 && plan.length > 0 ? 'duplicate' : 'handled';
}

/** Handlers of the notifications consumer. */
export function notificationHandlers(deps: NotificationDeps): EventHandlers<Orders> {
  return {
    OrderConfirmed: (event, context) => notifyCustomer(deps, event, context),
    OrderCancelled: (event, context) => notifyCustomer(deps, event, context),
  };
}

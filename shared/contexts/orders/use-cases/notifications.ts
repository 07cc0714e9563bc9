import { append, type Decision, handleCommand } from '../../../kit/consumer/command.ts';
import type { EventHandlers, Handled, HandlerContext } from '../../../kit/consumer/types.ts';
import type { AggregateOptions } from '../../../kit/event-store/load-aggregate.ts';
import type { EventStore } from '../../../kit/event-store/port.ts';
import type { RetryOnConflictOptions } from '../../../kit/event-store/retry.ts';
import type { IdempotencyStore } from '../../../kit/idempotency/port.ts';
import { runOnce } from '../../../kit/idempotency/run-once.ts';
import { revealForEffect } from '../../../kit/personal-data/protect.ts';
import type { SubjectKeys } from '../../../kit/personal-data/subject-keys.ts';
import { type Notification, type OrderOutcome, planNotifications } from '../domain/notifications.ts';
import { fact, type Orders, ordersCatalog, type TypedEnvelope } from '../events/catalog.ts';
import type { NotificationChannel } from '../events/common.ts';

/** Port of a channel gateway (SES, SNS SMS, a push service). */
export interface NotificationSender {
  send(notification: Notification): Promise<{ readonly deliveryId: string }>;
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
  /**
   * Keys of the customers, to decrypt the contact before sending. @default none: the contact is sent
   * as stored (clear values of events stored before contacts were encrypted)
   */
  readonly subjectKeys?: SubjectKeys;
}

/** The notifications stream of an order (holds `NotificationSent`). */
export function notificationStreamId(orderId: string): string {
  return `notifications#${orderId}`;
}

/** Key of a delivery record: the input that caused it and its channel. */
function recordKey(causationId: unknown, channel: unknown): string {
  return `${String(causationId)}#${String(channel)}`;
}

/** The delivery records of an order's notifications stream, by {@link recordKey}. */
const recordsAggregate: AggregateOptions<ReadonlySet<string>> = {
  initial: () => new Set<string>(),
  evolve: (seen, stored) =>
    stored.type === 'NotificationSent'
      ? new Set(seen).add(recordKey(stored.causationId, stored.data.channel))
      : seen,
};

/** Pure: record the delivery unless this input's record for the channel is stored already. */
function decideRecord(
  recorded: ReadonlySet<string>,
  notification: Notification,
  inputId: string,
): Decision<Orders> {
  if (recorded.has(recordKey(inputId, notification.channel))) return { kind: 'duplicate' };
  const { orderId, channel } = notification;
  return append([fact('NotificationSent', { orderId, channel })]);
}

/**
 * Records the delivery as `NotificationSent`, once, through the kit's command kernel: a repeat of the
 * same input (same id) on the same channel finds its record among the stream's events and writes
 * nothing. The stream is shared by the order's channels, so each record is keyed by its delivery: the
 * input's key alone would let the first channel's record answer for the others.
 */
async function recordSent(
  deps: NotificationDeps,
  notification: Notification,
  key: string,
  context: HandlerContext<Orders>,
): Promise<void> {
  await handleCommand(
    {
      store: deps.store,
      streamId: notificationStreamId(notification.orderId),
      aggregate: recordsAggregate,
      decide: (recorded) => decideRecord(recorded, notification, context.inputId),
      idempotencyKey: key,
      ...(deps.retry === undefined ? {} : { retry: deps.retry }),
    },
    context,
  );
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

/**
 * Decrypts the outcome's contact, then notifies. A customer who was forgotten (`pipeline forget`) is
 * not notified: the send is skipped with the reason logged and the record counts as handled (no retry,
 * no DLQ), so replays and redeliveries after an erasure go through quietly. A tampered contact fails the
 * record (DECRYPTION_FAILED, not retryable: the DLQ, with the reason).
 */
async function notifyRevealed(
  deps: NotificationDeps,
  event: TypedEnvelope<'OrderConfirmed'> | TypedEnvelope<'OrderCancelled'>,
  context: HandlerContext<Orders>,
): Promise<Handled> {
  let outcome: OrderOutcome = event;
  // Only a channel the customer chose reads the key: the others have nothing to send.
  const chosen = event.data.contact.channels.some((channel) => deps.channels?.includes(channel) ?? true);
  if (deps.subjectKeys !== undefined && chosen) {
    const revealed = await revealForEffect(ordersCatalog, event, deps.subjectKeys);
    if (revealed.erased !== undefined) {
      context.logger.warn('notification skipped: personal data erased', {
        orderId: event.data.orderId,
        customerId: event.data.customerId,
        reason: revealed.erased.code,
        outcome: 'skipped',
      });
      return 'handled';
    }
    outcome = revealed.event;
  }
  return notifyCustomer(deps, outcome, context);
}

/** Handlers of the notifications consumer. */
export function notificationHandlers(deps: NotificationDeps): EventHandlers<Orders> {
  return {
    OrderConfirmed: (event, context) => notifyRevealed(deps, event, context),
    OrderCancelled: (event, context) => notifyRevealed(deps, event, context),
  };
}

import type { EventData } from '../events/catalog.ts';
import type { NotificationChannel } from '../events/common.ts';

/** The events customers hear about. */
export type NotifyingEventType = 'OrderConfirmed' | 'OrderCancelled';

/** An order outcome as notifications read it. */
export type OrderOutcome =
  | { readonly type: 'OrderConfirmed'; readonly data: EventData<'OrderConfirmed'> }
  | { readonly type: 'OrderCancelled'; readonly data: EventData<'OrderCancelled'> };

/** One message on one channel. `key` identifies the delivery: one per order, channel and event type. */
export interface Notification {
  readonly key: string;
  readonly orderId: string;
  readonly channel: NotificationChannel;
  readonly trigger: NotifyingEventType;
  /** Address on the channel: email address, E.164 phone number or push token. */
  readonly to: string;
  readonly subject: string;
  readonly body: string;
}

/** The delivery key: `<orderId>#<channel>#<event type>`. */
export function notificationKey(
  orderId: string,
  channel: NotificationChannel,
  trigger: NotifyingEventType,
): string {
  return `${orderId}#${channel}#${trigger}`;
}

const ADDRESS_FIELD = { email: 'email', sms: 'phone', push: 'pushToken' } as const;

function message(outcome: OrderOutcome): { subject: string; body: string } {
  const { orderId } = outcome.data;
  if (outcome.type === 'OrderConfirmed') {
    const { total, currency } = outcome.data;
    return {
      subject: `Order ${orderId} confirmed`,
      body: `Your order ${orderId} is confirmed; ${total.toFixed(2)} ${currency} will be charged.`,
    };
  }
  return {
    subject: `Order ${orderId} cancelled`,
    body: `Your order ${orderId} was cancelled: ${outcome.data.reason}. You have not been charged.`,
  };
}

/**
 * One notification per channel the customer chose, in the order they listed them (a channel listed
 * twice is notified once). Channels without an address are skipped; the contact schema already rejects
 * them, this only keeps the function total.
 */
export function planNotifications(outcome: OrderOutcome): Notification[] {
  const { orderId, contact } = outcome.data;
  const { subject, body } = message(outcome);
  return [...new Set(contact.channels)].flatMap((channel) => {
    const to = contact[ADDRESS_FIELD[channel]];
    if (to === undefined) return [];
    return [
      {
        key: notificationKey(orderId, channel, outcome.type),
        orderId,
        channel,
        trigger: outcome.type,
        to,
        subject,
        body,
      },
    ];
  });
}

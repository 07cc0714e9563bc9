import { createHash } from 'node:crypto';
import type { LogPort } from '../../../kit/observability/logger.ts';
import type { Notification } from '../domain/notifications.ts';
import type { NotificationSender } from '../use-cases/notifications.ts';

/**
 * The channel gateway of the reference product: it "delivers" by writing one structured log line per
 * notification (address masked) and answers with a delivery id derived from the delivery key, like a
 * gateway that deduplicates on it. Replace it with SES, SNS SMS or a push service per channel; the
 * delivery records (`NotificationSent`, idempotency records) stay the same.
 */
export class LoggingNotificationSender implements NotificationSender {
  constructor(private readonly logger: LogPort) {}

  async send(notification: Notification): Promise<{ readonly deliveryId: string }> {
    const digest = createHash('sha256').update(notification.key).digest('hex').slice(0, 16);
    const deliveryId = `sim-${notification.channel}-${digest}`;
    this.logger.info('notification delivered (simulated gateway)', {
      channel: notification.channel,
      orderId: notification.orderId,
      trigger: notification.trigger,
      to: mask(notification.to),
      subject: notification.subject,
      deliveryId,
    });
    return { deliveryId };
  }
}

/** Keeps logs useful without copying contact details into them: `ad***@example.com`, `+49***78`. */
export function mask(address: string): string {
  const at = address.indexOf('@');
  if (at > 0) return `${address.slice(0, Math.min(2, at))}***${address.slice(at)}`;
  if (address.length <= 4) return '***';
  return `${address.slice(0, 3)}***${address.slice(-2)}`;
}

import type { Notification } from '../../shared/contexts/orders/domain/notifications.ts';
import type { OrderSummary } from '../../shared/contexts/orders/domain/order-summary.ts';
import type { NotificationSender } from '../../shared/contexts/orders/use-cases/notifications.ts';
import type {
  OrderSummaryRepository,
  VersionedSummary,
} from '../../shared/contexts/orders/use-cases/order-summary.ts';
import { ConcurrencyError } from '../../shared/kit/event-store/errors.ts';

/** A sender that keeps what it was asked to deliver, for tests. */
export class InMemoryNotificationSender implements NotificationSender {
  readonly deliveries: Notification[] = [];

  async send(notification: Notification): Promise<{ deliveryId: string }> {
    this.deliveries.push(notification);
    return { deliveryId: `delivery-${this.deliveries.length}` };
  }
}

/** Summaries in memory, with version checks like a conditional put. */
export class InMemoryOrderSummaryRepository implements OrderSummaryRepository {
  private readonly items = new Map<string, VersionedSummary>();

  async get(orderId: string): Promise<VersionedSummary | undefined> {
    const item = this.items.get(orderId);
    return item && structuredClone(item);
  }

  async put(summary: OrderSummary, expectedVersion: number): Promise<void> {
    const actual = this.items.get(summary.orderId)?.version ?? 0;
    if (actual !== expectedVersion)
      throw new ConcurrencyError(`summary#${summary.orderId}`, expectedVersion, actual);
    this.items.set(summary.orderId, { summary: structuredClone(summary), version: actual + 1 });
  }

  /** Every summary, for tests and rebuild checks. */
  all(): OrderSummary[] {
    return [...this.items.values()].map((item) => structuredClone(item.summary));
  }
}

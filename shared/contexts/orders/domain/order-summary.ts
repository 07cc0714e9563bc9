import type * as z from '../../../kit/zod.ts';
import type { AnyEvent } from '../events/catalog.ts';
import type { lineItem } from '../events/common.ts';

/**
 * The order summary read model: status, items, total and a timeline, folded from every event of an
 * order. Status is computed from the set of events seen, not from their arrival order, so duplicates,
 * late and out-of-order events change nothing and a replay in any order rebuilds the same summary.
 */

/** Status shown to customers and support. */
export type OrderStatus =
  | 'PLACED'
  | 'INVENTORY_RESERVED'
  | 'PAYMENT_AUTHORIZED'
  | 'CANCELLING'
  | 'CONFIRMED'
  | 'CANCELLED';

/** One event in an order's history. */
export interface TimelineEntry {
  readonly eventId: string;
  readonly type: AnyEvent['type'];
  readonly at: string;
}

/** A refused command, as support sees it. */
export interface Refusal {
  /** Id of the refused command. */
  readonly eventId: string;
  readonly customerId: string;
  readonly reason: string;
  readonly at: string;
}

/** The read model of one order. Fields from `OrderPlaced` are absent until it has been seen. */
export interface OrderSummary {
  readonly orderId: string;
  readonly status: OrderStatus;
  readonly customerId?: string;
  readonly items: readonly z.output<typeof lineItem>[];
  readonly total?: number;
  readonly currency?: string;
  /** Why the order was cancelled. */
  readonly reason?: string;
  readonly authorizationId?: string;
  /** Commands refused for this order (`OrderRejected`), oldest first; they changed nothing else. */
  readonly refusals?: readonly Refusal[];
  /** Oldest first (event time, then id). */
  readonly timeline: readonly TimelineEntry[];
}

/** The order an event belongs to; timers carry it as `sagaId`. */
export function orderIdOf(event: AnyEvent): string {
  return event.type === 'SagaStepTimedOut' ? event.data.sagaId : event.data.orderId;
}

/** Highest applicable status wins; terminal ones win over everything, cancellation over confirmation. */
const STATUS_RANK: Readonly<Partial<Record<AnyEvent['type'], OrderStatus>>> = {
  OrderPlaced: 'PLACED',
  InventoryReserved: 'INVENTORY_RESERVED',
  PaymentAuthorized: 'PAYMENT_AUTHORIZED',
  InventoryReservationFailed: 'CANCELLING',
  PaymentDeclined: 'CANCELLING',
  SagaStepTimedOut: 'CANCELLING',
  OrderConfirmed: 'CONFIRMED',
  OrderCancelled: 'CANCELLED',
};
const ORDER: readonly OrderStatus[] = [
  'PLACED',
  'INVENTORY_RESERVED',
  'PAYMENT_AUTHORIZED',
  'CANCELLING',
  'CONFIRMED',
  'CANCELLED',
];

function statusOf(timeline: readonly TimelineEntry[]): OrderStatus {
  let rank = 0;
  for (const entry of timeline) {
    const status = STATUS_RANK[entry.type];
    if (status !== undefined) rank = Math.max(rank, ORDER.indexOf(status));
  }
  return ORDER[rank] ?? 'PLACED';
}

function byTime(a: TimelineEntry, b: TimelineEntry): number {
  if (a.at !== b.at) return a.at < b.at ? -1 : 1;
  return a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0;
}

function byRefusalTime(a: Refusal, b: Refusal): number {
  if (a.at !== b.at) return a.at < b.at ? -1 : 1;
  return a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0;
}

function details(summary: OrderSummary, event: AnyEvent): OrderSummary {
  switch (event.type) {
    case 'OrderPlaced': {
      const { customerId, items, total, currency } = event.data;
      return { ...summary, customerId, items, total, currency };
    }
    case 'PaymentAuthorized':
      return { ...summary, authorizationId: event.data.authorizationId };
    case 'OrderCancelled':
      return { ...summary, reason: event.data.reason };
    case 'OrderRejected': {
      const { refusedEventId: eventId, customerId, reason } = event.data;
      const refusal: Refusal = { eventId, customerId, reason, at: event.time };
      const refusals = [...(summary.refusals ?? []), refusal].sort(byRefusalTime);
      return { ...summary, refusals };
    }
    default:
      return summary;
  }
}

/** The summary after one event; an event already in the timeline returns the summary unchanged. */
export function evolveOrderSummary(summary: OrderSummary | undefined, event: AnyEvent): OrderSummary {
  const current = summary ?? { orderId: orderIdOf(event), status: 'PLACED', items: [], timeline: [] };
  if (current.timeline.some((entry) => entry.eventId === event.id)) return current;
  const entry: TimelineEntry = { eventId: event.id, type: event.type, at: event.time };
  const timeline = [...current.timeline, entry].sort(byTime);
  return { ...details(current, event), timeline, status: statusOf(timeline) };
}

/** Rebuilds every summary from a replay of events (any order, duplicates allowed). */
export function replayOrderSummaries(events: Iterable<AnyEvent>): Map<string, OrderSummary> {
  const summaries = new Map<string, OrderSummary>();
  for (const event of events) {
    const orderId = orderIdOf(event);
    summaries.set(orderId, evolveOrderSummary(summaries.get(orderId), event));
  }
  return summaries;
}

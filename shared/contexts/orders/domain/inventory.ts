import { ValidationError } from '../../../kit/errors/pipeline-error.ts';
import type { TypeAndData } from '../../../kit/events/facts.ts';
import type { EventData } from '../events/catalog.ts';
import { type Fact, fact } from '../events/catalog.ts';

/**
 * Inventory, event-sourced in two kinds of streams written together by one `appendMany`:
 * - one stock stream per SKU (internal events `StockAdded`, `StockReserved`, `StockReleased`):
 *   its version is the optimistic lock on that SKU's available quantity, so orders for different
 *   SKUs never conflict and a multi-SKU reservation is all-or-nothing across the SKU streams;
 * - one reservation stream per order (catalog events `InventoryReserved`, `InventoryReservationFailed`,
 *   `InventoryReleased`): what the order holds, which is what a release gives back, and the public facts
 *   the outbox publishes exactly once per order.
 */

/** Quantity of one SKU. */
export interface StockItem {
  readonly sku: string;
  readonly qty: number;
}

/** Internal events of a SKU's stock stream. */
export type StockEvent =
  | { readonly type: 'StockAdded'; readonly data: { readonly sku: string; readonly qty: number } }
  | { readonly type: 'StockReserved'; readonly data: StockMovement }
  | { readonly type: 'StockReleased'; readonly data: StockMovement };

/** Stock held for, or given back by, one order. */
export interface StockMovement {
  readonly sku: string;
  readonly qty: number;
  readonly orderId: string;
}

/** A SKU's stock: what can still be reserved. */
export interface SkuStock {
  readonly sku: string;
  readonly available: number;
}

/** What an order holds: `none` until decided, `failed` and `released` are final. */
export type ReservationStatus = 'none' | 'reserved' | 'failed' | 'released';

/** The reservation of one order. `items` are what it holds (or held, once released). */
export interface OrderReservation {
  readonly orderId: string;
  readonly status: ReservationStatus;
  readonly items: readonly StockItem[];
  readonly reason?: string;
}

/** What one inventory command changes: the order's public facts and each SKU's stock events. */
export interface InventoryDecision {
  readonly order: readonly Fact[];
  readonly stock: readonly StockEvent[];
}

/**
 * A DynamoDB transaction holds 100 items. A reservation writes one event and one version check per SKU,
 * plus the order's event and the idempotency record: 48 SKUs leave room for both.
 */
export const MAX_SKUS_PER_RESERVATION = 48;

const NOTHING: InventoryDecision = { order: [], stock: [] };

/** Stock of a SKU nobody has stocked yet. */
export function initialSkuStock(sku: string): SkuStock {
  return { sku, available: 0 };
}

/** Stock after one event of its stream; other event types leave it as it is. */
export function evolveSkuStock(state: SkuStock, event: TypeAndData): SkuStock {
  const { qty } = event.data as { qty: number };
  switch (event.type) {
    case 'StockAdded':
    case 'StockReleased':
      return { ...state, available: state.available + qty };
    case 'StockReserved':
      return { ...state, available: state.available - qty };
    default:
      return state;
  }
}

/** The reservation of an order nothing has been decided for. */
export function initialReservation(orderId: string): OrderReservation {
  return { orderId, status: 'none', items: [] };
}

/** Reservation after one event of the order's inventory stream. */
export function evolveReservation(state: OrderReservation, event: TypeAndData): OrderReservation {
  switch (event.type) {
    case 'InventoryReserved': {
      const data = event.data as EventData<'InventoryReserved'>;
      return { ...state, status: 'reserved', items: data.items };
    }
    case 'InventoryReservationFailed': {
      const data = event.data as EventData<'InventoryReservationFailed'>;
      return { ...state, status: 'failed', reason: data.reason };
    }
    case 'InventoryReleased':
      return { ...state, status: 'released' };
    default:
      return state;
  }
}

/** One line per SKU (quantities of repeated SKUs added up), sorted by SKU for a stable write order. */
export function mergeItems(items: readonly StockItem[]): StockItem[] {
  const bySku = new Map<string, number>();
  for (const { sku, qty } of items) bySku.set(sku, (bySku.get(sku) ?? 0) + qty);
  return [...bySku.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([sku, qty]) => ({ sku, qty }));
}

/**
 * Reserves every item or none. An order that already has a decision (reserved, failed, released) gets
 * nothing new, so a repeated request is harmless. A shortfall fails the whole order and names each
 * short SKU with what was asked and what is available. `stock` must hold every SKU of `items`.
 */
export function decideReservation(
  reservation: OrderReservation,
  stock: ReadonlyMap<string, SkuStock>,
  items: readonly StockItem[],
): InventoryDecision {
  if (reservation.status !== 'none') return NOTHING;
  const { orderId } = reservation;
  const lines = mergeItems(items);
  if (lines.length > MAX_SKUS_PER_RESERVATION) {
    const reason = `order has ${lines.length} SKUs; at most ${MAX_SKUS_PER_RESERVATION} can be reserved together`;
    return { order: [fact('InventoryReservationFailed', { orderId, reason })], stock: [] };
  }
  const short = lines.filter((line) => (stock.get(line.sku)?.available ?? 0) < line.qty);
  if (short.length > 0) {
    const details = short.map(
      (line) => `${line.sku} (requested ${line.qty}, available ${stock.get(line.sku)?.available ?? 0})`,
    );
    const reason = `insufficient stock: ${details.join(', ')}`;
    return { order: [fact('InventoryReservationFailed', { orderId, reason })], stock: [] };
  }
  return {
    order: [fact('InventoryReserved', { orderId, items: lines })],
    stock: lines.map((line) => ({ type: 'StockReserved', data: { ...line, orderId } })),
  };
}

/**
 * Gives back exactly what the order holds. Releasing twice, or releasing an order that never reserved
 * (failed, or not decided yet), changes nothing.
 */
export function decideRelease(reservation: OrderReservation): InventoryDecision {
  if (reservation.status !== 'reserved') return NOTHING;
  const { orderId, items } = reservation;
  return {
    order: [fact('InventoryReleased', { orderId, items: [...items] })],
    stock: items.map((line) => ({ type: 'StockReleased', data: { ...line, orderId } })),
  };
}

/** Adds stock to a SKU (goods received, or seeding a demo); `qty` must be a positive integer. */
export function decideRestock(sku: string, qty: number): StockEvent {
  if (sku.length === 0) throw new ValidationError('must not be empty', 'sku');
  if (!Number.isInteger(qty) || qty < 1) throw new ValidationError('must be a positive integer', 'qty');
  return { type: 'StockAdded', data: { sku, qty } };
}

/** The SKU a stock event belongs to. */
export function skuOf(event: StockEvent): string {
  return event.data.sku;
}

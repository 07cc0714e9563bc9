/**
 * What a fault campaign sends, decided up front from a seed so a failing run can be repeated:
 * orders of each kind, duplicates (the same OrderPlaced envelope, same event id, again), poison
 * messages (schema-invalid detail) and conflicting commands (a second OrderPlaced for an order, with
 * another event id, customer, items, total and payment token, sent at the same moment).
 */
import { randomUUID } from 'node:crypto';
import type { TypedEnvelope } from '../../shared/contexts/orders/events/catalog.ts';
import { buildOrder, type OrderKind, type PlacedOrder } from '../saga/driver.ts';

export interface CampaignOptions {
  readonly orders: number;
  readonly seed: number;
  /** Share of each kind among the orders (normalised). */
  readonly mix: Readonly<Record<OrderKind, number>>;
  /** Share of orders whose OrderPlaced is put again with the same event id. @default 0.25 */
  readonly duplicateShare: number;
  /** Poison messages, as a share of the orders. @default 0.01 */
  readonly poisonShare: number;
  /** Share of happy orders that get a conflicting second OrderPlaced. @default 0.02 */
  readonly conflictShare: number;
  /** Stocked SKUs the orders spread over (few: contention on SKU streams is part of the test). */
  readonly skuCount: number;
}

export const DEFAULT_CAMPAIGN: CampaignOptions = {
  orders: 1000,
  seed: 7,
  mix: { happy: 0.6, declined: 0.1, outOfStock: 0.1, flaky: 0.1, timeout: 0.1 },
  duplicateShare: 0.25,
  poisonShare: 0.01,
  conflictShare: 0.02,
  skuCount: 5,
};

export interface Duplicate {
  readonly orderId: string;
  readonly event: TypedEnvelope<'OrderPlaced'>;
  /** After the original: 0 puts it in the same batch. */
  readonly delayMs: number;
}

export interface Poison {
  readonly marker: string;
  readonly detail: Record<string, unknown>;
}

export interface Conflict {
  readonly orderId: string;
  /** The second command: same order id, its own event id, other content, a declined token. */
  readonly event: TypedEnvelope<'OrderPlaced'>;
}

export interface CampaignPlan {
  readonly runId: string;
  readonly orders: readonly PlacedOrder[];
  readonly duplicates: readonly Duplicate[];
  readonly poison: readonly Poison[];
  readonly conflicts: readonly Conflict[];
}

/** mulberry32: a small seeded PRNG, so the same seed gives the same campaign. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Exactly round(share × n) kinds per share, shuffled: the mix is what was asked, not roughly. */
export function kindsFor(n: number, mix: CampaignOptions['mix'], random: () => number): OrderKind[] {
  const entries = Object.entries(mix) as [OrderKind, number][];
  const total = entries.reduce((s, [, share]) => s + share, 0);
  const kinds: OrderKind[] = [];
  for (const [kind, share] of entries) {
    for (let i = 0; i < Math.round((share / total) * n); i++) kinds.push(kind);
  }
  while (kinds.length < n) kinds.push('happy');
  kinds.length = n;
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [kinds[i], kinds[j]] = [kinds[j] as OrderKind, kinds[i] as OrderKind];
  }
  return kinds;
}

function poisonDetail(n: number, runId: string, marker: string): Record<string, unknown> {
  const base = {
    id: randomUUID(),
    type: 'OrderPlaced',
    version: 2,
    source: 'orders.api',
    time: new Date().toISOString(),
    correlationId: marker,
  };
  // Two shapes: a valid envelope around invalid data, and an envelope missing required fields.
  return n % 2 === 0
    ? {
        ...base,
        data: { orderId: `${marker}`, customerId: 'cus-poison', items: [], total: -1, currency: 'EUR' },
      }
    : {
        type: 'OrderPlaced',
        correlationId: marker,
        data: { orderId: marker, note: `poison ${n} of ${runId}` },
      };
}

/** `count` distinct items of `from`, drawn with `random`. */
function pick<T>(from: readonly T[], count: number, random: () => number): T[] {
  const copy = [...from];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy.slice(0, Math.min(count, copy.length));
}

/** The whole campaign for `runId`, deterministic in `options.seed`. */
export function planCampaign(runId: string, options: CampaignOptions = DEFAULT_CAMPAIGN): CampaignPlan {
  const random = seededRandom(options.seed);
  const kinds = kindsFor(options.orders, options.mix, random);
  const orders = kinds.map((kind, n) => buildOrder(kind, n, runId, options.skuCount));
  // Exact counts (rounded up), so a small campaign still has its share of each fault.
  const duplicates = pick(orders, Math.ceil(options.orders * options.duplicateShare), random).map(
    (order) => ({
      orderId: order.orderId,
      event: order.event,
      // Half arrive with the original, half later (a redelivery after a timeout, or a replay).
      delayMs: random() < 0.5 ? 0 : Math.round(1000 + random() * 9000),
    }),
  );
  const happy = orders.filter((o) => o.kind === 'happy');
  const conflicts = pick(happy, Math.ceil(options.orders * options.conflictShare), random).map((order) => {
    // Built as the next order number: another customer, other items and total, so the read-model
    // reconciliation can tell which of the two commands a summary, a reservation or a charge shows.
    const n = Number(order.orderId.split('-').pop()) + 1;
    const second = buildOrder('declined', n, runId, options.skuCount);
    return {
      orderId: order.orderId,
      event: { ...second.event, data: { ...second.event.data, orderId: order.orderId } },
    };
  });
  const poisonCount = Math.ceil(options.orders * options.poisonShare);
  const poison = Array.from({ length: poisonCount }, (_, n) => {
    const marker = `poison-${runId}-${n}`;
    return { marker, detail: poisonDetail(n, runId, marker) };
  });
  return { runId, orders, duplicates, poison, conflicts };
}

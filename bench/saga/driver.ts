/**
 * Load for the saga: builds orders of each kind (happy, declined, out of stock, flaky and timing-out
 * payment), puts them on the bus as the order API would (one PutEvents per order at a fixed rate, or
 * batches of ten as fast as possible), and watches the bus for each order's outcome through a tap
 * (temporary rule → queue, as `pipeline tail` does), so no polling load lands on the pipeline.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { TailTap } from '../../cli/ops/tail.ts';
import { orderPlaced } from '../../cli/orders/place.ts';
import { SIMULATED_TOKENS } from '../../shared/contexts/orders/domain/payment-provider.ts';
import type { TypedEnvelope } from '../../shared/contexts/orders/events/catalog.ts';
import { toPutEventsEntry } from '../../shared/kit/events/eventbridge.ts';

export type OrderKind = 'happy' | 'declined' | 'outOfStock' | 'flaky' | 'timeout';

export interface PlacedOrder {
  readonly orderId: string;
  readonly kind: OrderKind;
  readonly event: TypedEnvelope<'OrderPlaced'>;
  /** Date.now() just before the PutEvents call. */
  placedAtMs: number;
}

export interface Outcome {
  readonly type: 'OrderConfirmed' | 'OrderCancelled';
  /** Date.now() when the tap received it. */
  readonly visibleAtMs: number;
  readonly reason?: string;
}

/** SKUs a run uses: `stocked` many with stock, one never stocked (out-of-stock orders). */
export function runSkus(runId: string, stocked = 10) {
  return {
    stocked: Array.from({ length: stocked }, (_, i) => `BENCH-${i}-${runId}`),
    missing: `BENCH-NONE-${runId}`,
  };
}

const TOKENS: Record<OrderKind, string> = {
  happy: 'tok_bench_ok',
  outOfStock: 'tok_bench_ok',
  declined: SIMULATED_TOKENS.declined,
  flaky: SIMULATED_TOKENS.flaky,
  timeout: SIMULATED_TOKENS.timeout,
};

/**
 * A catalog-valid OrderPlaced of the given kind; `n` picks the SKUs (one or two of the run's
 * `skuCount` stocked SKUs) and the quantities.
 */
export function buildOrder(kind: OrderKind, n: number, runId: string, skuCount = 10): PlacedOrder {
  const skus = runSkus(runId, skuCount).stocked;
  const orderId = `bench-${runId}-${kind}-${n}`;
  const first = skus[n % skus.length] as string;
  const second = skus[(n + 1) % skus.length] as string;
  const items =
    kind === 'outOfStock'
      ? [{ sku: runSkus(runId, 0).missing, qty: 1, unitPrice: 5 }]
      : [
          { sku: first, qty: 1 + (n % 3), unitPrice: 12.5 },
          ...(n % 2 === 0 && second !== first ? [{ sku: second, qty: 1, unitPrice: 9 }] : []),
        ];
  const total = items.reduce((sum, item) => sum + item.qty * item.unitPrice, 0);
  const event = orderPlaced({
    orderId,
    customerId: `cus-${n % 97}`,
    items,
    total,
    currency: 'EUR',
    paymentToken: TOKENS[kind],
    contact: { email: `c${n}@example.com`, channels: ['email'] },
  });
  return { orderId, kind, event, placedAtMs: 0 };
}

/** Puts one batch (≤ 10) of catalog events; returns how many entries the bus refused. */
export async function putEnvelopes(
  client: EventBridgeClient,
  busName: string,
  envelopes: readonly TypedEnvelope<'OrderPlaced'>[],
): Promise<number> {
  const entries = envelopes.map((e) => ({ ...toPutEventsEntry(e, busName) }));
  const result = await client.send(new PutEventsCommand({ Entries: entries }));
  return result.FailedEntryCount ?? 0;
}

/**
 * Puts envelopes as they are, valid or not (poison messages): source and detail-type of an
 * OrderPlaced, the detail unchecked. Returns how many entries the bus refused.
 */
export async function putRawOrderPlaced(
  client: EventBridgeClient,
  busName: string,
  details: readonly unknown[],
): Promise<number> {
  const entries = details.map((detail) => ({
    EventBusName: busName,
    Source: 'orders.api',
    DetailType: 'OrderPlaced',
    Detail: JSON.stringify(detail),
  }));
  const result = await client.send(new PutEventsCommand({ Entries: entries }));
  return result.FailedEntryCount ?? 0;
}

/** One PutEvents per order, `rate` orders per second, on a fixed schedule (no drift). */
export async function placeAtRate(
  client: EventBridgeClient,
  busName: string,
  orders: readonly PlacedOrder[],
  rate: number,
): Promise<number> {
  const start = Date.now();
  let refused = 0;
  const inFlight: Promise<void>[] = [];
  for (const [i, order] of orders.entries()) {
    const due = start + (i * 1000) / rate;
    const wait = due - Date.now();
    if (wait > 0) await sleep(wait);
    order.placedAtMs = Date.now();
    inFlight.push(
      putEnvelopes(client, busName, [order.event]).then((failed) => {
        refused += failed;
      }),
    );
  }
  await Promise.all(inFlight);
  return refused;
}

/** Batches of ten, `concurrency` calls at a time, as fast as the bus takes them. */
export async function placeBurst(
  client: EventBridgeClient,
  busName: string,
  orders: readonly PlacedOrder[],
  concurrency = 8,
): Promise<number> {
  const batches: PlacedOrder[][] = [];
  for (let i = 0; i < orders.length; i += 10) batches.push(orders.slice(i, i + 10));
  let refused = 0;
  const worker = async () => {
    for (let batch = batches.shift(); batch; batch = batches.shift()) {
      const now = Date.now();
      for (const order of batch) order.placedAtMs = now;
      refused += await putEnvelopes(
        client,
        busName,
        batch.map((o) => o.event),
      );
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return refused;
}

/**
 * Reads outcomes from the tap until every order in `waitingFor` has one or `timeoutMs` passes.
 * Outcomes of other orders are kept too (a redelivered order may answer twice: the first counts).
 */
export async function collectOutcomes(
  tap: TailTap,
  waitingFor: ReadonlySet<string>,
  outcomes: Map<string, Outcome>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const done = () => [...waitingFor].every((id) => outcomes.has(id));
  while (!done() && Date.now() < deadline) {
    for (const event of await tap.next(1)) {
      const data = ((event.detail as { data?: Record<string, unknown> })?.data ?? {}) as Record<
        string,
        unknown
      >;
      const orderId = String(data.orderId ?? '');
      if (!orderId || outcomes.has(orderId)) continue;
      if (event.type !== 'OrderConfirmed' && event.type !== 'OrderCancelled') continue;
      outcomes.set(orderId, {
        type: event.type,
        visibleAtMs: Date.now(),
        ...(typeof data.reason === 'string' ? { reason: data.reason } : {}),
      });
    }
  }
}

/** A short id for one run's orders and SKUs. */
export const newRunId = () => randomUUID().slice(0, 8);

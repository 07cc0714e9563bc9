import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { OrderStatus, OrderSummary } from '../../shared/contexts/orders/domain/order-summary.ts';
import { protectOutgoing } from '../ops/personal-data.ts';
import type { OrdersContext } from './context.ts';
import { type OrderInput, orderPlaced, placeOrders } from './place.ts';
import { renderSummary } from './render.ts';
import { DEMO_STOCK, type SeededSku, seedStock } from './seed.ts';

/** One order of the demo and what should become of it. */
interface DemoOrder {
  readonly label: string;
  readonly expected: OrderStatus;
  readonly data: OrderInput;
}

/** What happened to one demo order. */
export interface DemoOutcome {
  readonly label: string;
  readonly orderId: string;
  readonly expected: OrderStatus;
  /** The summary when it reached a final status (or its last state on timeout). */
  readonly summary?: OrderSummary;
  readonly seconds: number;
  readonly ok: boolean;
}

const FINAL: readonly OrderStatus[] = ['CONFIRMED', 'CANCELLED'];

function demoOrders(run: string): DemoOrder[] {
  const base = {
    customerId: 'cus-demo',
    currency: 'EUR',
    paymentToken: 'tok_visa_4242',
    contact: {
      email: 'ada@example.com',
      phone: '+4915112345678',
      channels: ['email' as const, 'sms' as const],
    },
  };
  const items = [
    { sku: 'BOOK-123', qty: 2, unitPrice: 12.5 },
    { sku: 'MUG-7', qty: 1, unitPrice: 9 },
  ];
  return [
    {
      label: 'happy order',
      expected: 'CONFIRMED',
      data: { ...base, orderId: `demo-${run}-happy`, items, total: 34 },
    },
    {
      label: 'declined card',
      expected: 'CANCELLED',
      data: { ...base, orderId: `demo-${run}-declined`, items, total: 34, paymentToken: 'tok_declined' },
    },
    {
      label: 'out of stock',
      expected: 'CANCELLED',
      data: {
        ...base,
        orderId: `demo-${run}-out-of-stock`,
        items: [{ sku: 'MUG-7', qty: 1000, unitPrice: 9 }],
        total: 9000,
      },
    },
  ];
}

/** Polls the read model until the order is final and its notifications are in (or time is up). */
async function awaitOutcome(
  context: OrdersContext,
  order: DemoOrder,
  timeoutMs: number,
): Promise<DemoOutcome> {
  const started = Date.now();
  const { orderId } = order.data;
  const channels = order.data.contact.channels.length;
  let summary: OrderSummary | undefined;
  let finalAt: number | undefined;
  while (Date.now() - started < timeoutMs) {
    summary = (await context.summaries.get(orderId))?.summary;
    if (summary && FINAL.includes(summary.status)) {
      finalAt ??= Date.now();
      const told = summary.timeline.filter((e) => e.type === 'NotificationSent').length;
      // The outcome is the point; the notifications follow within a moment, so wait a little for them.
      if (told >= channels || Date.now() - finalAt > 5_000) break;
    }
    await sleep(300);
  }
  const seconds = Math.round(((finalAt ?? Date.now()) - started) / 100) / 10;
  const ok = summary?.status === order.expected;
  return {
    label: order.label,
    orderId,
    expected: order.expected,
    seconds,
    ok,
    ...(summary ? { summary } : {}),
  };
}

/**
 * The saga, shown: seeds the demo stock, places a happy, a declined and an out-of-stock order on the
 * bus at once (`OrderPlaced` as the order API would publish it) and waits for each outcome in the
 * order summaries the projector keeps.
 */
export async function runSagaDemo(
  context: OrdersContext,
  timeoutMs = 60_000,
): Promise<{ seeded: SeededSku[]; outcomes: DemoOutcome[] }> {
  const seeded = await seedStock(context.store, DEMO_STOCK);
  const orders = demoOrders(randomUUID().slice(0, 6));
  const placed = orders.map((order) => orderPlaced(order.data));
  // The contacts leave encrypted, as an intake stores them (docs/personal-data.md).
  await placeOrders(
    context.events,
    context.busName,
    context.subjectKeys ? await protectOutgoing(placed, context.subjectKeys) : placed,
  );
  const outcomes = await Promise.all(orders.map((order) => awaitOutcome(context, order, timeoutMs)));
  return { seeded, outcomes };
}

/** The demo's outcomes for people: one verdict line and the order's summary each. */
export function renderDemo(result: {
  seeded: readonly SeededSku[];
  outcomes: readonly DemoOutcome[];
}): string {
  const stock = result.seeded.map((s) => `${s.sku} +${s.added} (${s.available} available)`).join(', ');
  const lines = [`Stock seeded: ${stock}`, ''];
  for (const outcome of result.outcomes) {
    const status = outcome.summary?.status ?? 'not seen';
    const verdict = outcome.ok ? '✓' : '✗';
    lines.push(
      `${verdict} ${outcome.label}: ${status} after ${outcome.seconds} s (expected ${outcome.expected})`,
      outcome.summary
        ? renderSummary(outcome.summary)
        : `  order ${outcome.orderId} never reached the read model`,
      '',
    );
  }
  return lines.join('\n').trimEnd();
}

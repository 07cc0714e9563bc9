/** Markdown tables of the request accounting and the cost model. */
import { markdownTable, round } from '../report.ts';
import type { HandledMessages } from '../saga/usage.ts';
import { byService, type CostLine, PRICES, type Prices, usdPerMillionOrders } from './model.ts';

const fmt = (n: number, digits = 2) => String(round(n, digits));

/** Log volumes per order are kilobytes: a GB figure would round to 0. */
const perOrder = (quantity: number, unit: string) =>
  unit === 'GB' ? `${fmt(quantity * 1e6, 1)} KB` : `${fmt(quantity, 3)} ${unit}`;

/** Every line, per order, largest cost first. */
export function requestsTable(lines: readonly CostLine[], orders: number, prices: Prices = PRICES): string {
  const rows = [...lines]
    .map((line) => ({ line, usd: usdPerMillionOrders(line, orders, prices) }))
    .filter(({ line, usd }) => line.requests > 0 || usd > 0)
    .sort((a, b) => b.usd - a.usd || a.line.service.localeCompare(b.line.service))
    .map(({ line, usd }) => [
      line.service,
      line.api,
      line.caller,
      line.origin,
      fmt(line.requests / orders),
      line.billed.map((b) => perOrder(b.quantity / orders, b.unit)).join(' + '),
      fmt(usd),
    ]);
  return markdownTable(
    ['service', 'API', 'caller', 'counted', '>requests/order', 'billed/order', '>$/M orders'],
    rows,
  );
}

/** Cost per million orders by service, for the measured design and the naive one. */
export function serviceComparison(
  measured: readonly CostLine[],
  naive: readonly CostLine[],
  orders: number,
  prices: Prices = PRICES,
): string {
  const a = new Map(byService(measured, orders, prices));
  const b = new Map(byService(naive, orders, prices));
  const services = [...new Set([...a.keys(), ...b.keys()])].sort((x, y) => (a.get(y) ?? 0) - (a.get(x) ?? 0));
  const requests = (lines: readonly CostLine[], service: string) =>
    lines.filter((l) => l.service === service).reduce((s, l) => s + l.requests, 0) / orders;
  const rows = services.map((s) => [
    s,
    fmt(requests(measured, s)),
    fmt(a.get(s) ?? 0),
    fmt(requests(naive, s)),
    fmt(b.get(s) ?? 0),
  ]);
  const total = (m: Map<string, number>) => [...m.values()].reduce((x, y) => x + y, 0);
  const all = (lines: readonly CostLine[]) => lines.reduce((s, l) => s + l.requests, 0) / orders;
  rows.push(['**total**', fmt(all(measured)), fmt(total(a)), fmt(all(naive)), fmt(total(b))]);
  return markdownTable(
    [
      'service',
      '>requests/order (this design)',
      '>$/M orders',
      '>requests/order (naive)',
      '>$/M orders (naive)',
    ],
    rows,
  );
}

/** Messages in, invocations, duration, logs and TransactWriteItems per function. */
export function handledTable(handled: readonly HandledMessages[], orders: number): string {
  const per = (a: number, b: number, digits = 2) => fmt(b ? a / b : 0, digits);
  const rows = handled.map((h) => [
    h.appId,
    String(h.messagesIn),
    String(h.invocations),
    per(h.messagesIn, h.invocations),
    per(h.durationMs, h.invocations, 0),
    per(h.logBytes / 1000, orders, 1),
    String(h.transactions),
    String(h.failedTransactions),
    per(h.transactionItems, h.transactions, 1),
    per(h.transactions, h.messagesIn),
  ]);
  return markdownTable(
    [
      'function',
      '>messages in',
      '>invocations',
      '>messages/invocation',
      '>ms/invocation (emulator)',
      '>log KB/order',
      '>TransactWriteItems',
      '>of which refused',
      '>items/transaction',
      '>transactions/message',
    ],
    rows,
  );
}

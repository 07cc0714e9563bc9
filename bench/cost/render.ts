import { markdownTable } from '../../cli/output.ts';
/** Markdown tables of the request accounting and the cost model. */
import { round } from '../report.ts';
import type { HandledMessages } from '../saga/usage.ts';
import type { FixedItem } from './fixed.ts';
import {
  byService,
  type CostLine,
  PRICES,
  type Prices,
  usdPerMillionOrders,
  XRAY_SAMPLED_SHARE,
} from './model.ts';
import { type Peer, type PeerAssumptions, peerArithmetic } from './peers.ts';

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

/** A priced figure of this design, shown beside the modelled peers. */
export interface MeasuredRow {
  readonly label: string;
  readonly usdPerMillion: number;
  readonly how: string;
}

/**
 * "Modelled peers": this design's measured figures, then each modelled design with its arithmetic,
 * against the cost target; then the assumptions the models rest on.
 */
export function peersTable(
  measured: readonly MeasuredRow[],
  peers: readonly Peer[],
  limitUsd: number,
  assumptions: PeerAssumptions,
): string {
  const within = (usd: number) => (usd <= limitUsd ? 'yes' : 'no');
  const rows = [
    ...measured.map((m) => [m.label, 'measured', m.how, fmt(m.usdPerMillion), within(m.usdPerMillion)]),
    ...peers.map((p) => [
      p.design,
      p.basis,
      peerArithmetic(p),
      fmt(p.usdPerMillion),
      within(p.usdPerMillion),
    ]),
  ];
  const a = assumptions;
  const notes = [
    `Assumptions of the modelled rows (nothing of them is measured; prices from bench/prices.json):`,
    `- happy path only, place → reserve → authorize → confirm; no retries, no compensation;`,
    `- every design pays the floor: ${a.boundaryEvents.length} bus events (${a.boundaryEvents.join(', ')}), ${a.tasks.length} Lambda tasks (${a.tasks.join(', ')}) of ${a.taskMs} ms at ${a.taskMemoryMb} MB arm64 with ${a.logBytesPerInvocation} B of logs each and ${XRAY_SAMPLED_SHARE * 100} % traced, ${a.writeUnits} DynamoDB write units (≤ 1 KB items, no transactions, no event store, no outbox, no read model, no notifications);`,
    `- Step Functions Standard: ${a.standardTransitions.length} state transitions per order (${a.standardTransitions.join(' → ')}); the rule starting the execution and the service integrations carry no charge of their own;`,
    `- Step Functions Express: 1 request + ${a.expressMs} ms assumed at ${a.expressMemoryMb} MB (rounded up to 100 ms and 64 MB chunks); it waits on the tasks, which are billed as well;`,
    `- choreography: ${a.choreographyEvents.length} more bus events between the steps (${a.choreographyEvents.join(', ')}), each rule invoking its Lambda asynchronously; the queued variant adds ${a.sqsRequestsPerDelivery} SQS requests per task, one message per receive.`,
  ];
  return [
    markdownTable(['design', 'basis', 'arithmetic', `>$/M orders`, `≤ $${limitUsd}?`], rows),
    '',
    ...notes,
  ].join('\n');
}

/** Idle fixed cost per month, one row per item with its count and arithmetic. */
export function fixedTable(items: readonly FixedItem[]): string {
  const rows = items.map((i) => [i.what, String(i.count), i.arithmetic, fmt(i.usdPerMonth)]);
  rows.push(['**total**', '', '', fmt(items.reduce((s, i) => s + i.usdPerMonth, 0))]);
  return markdownTable(['item', '>count (prod template)', 'arithmetic', '>$/month'], rows);
}

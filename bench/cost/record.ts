/** The cost figures and tables of one measured saga window. */
import { markdownTable } from '../../cli/output.ts';
import { atMost, type ReportBuilder, round } from '../report.ts';
import type { MeasuredWindow } from '../saga/usage.ts';
import { fixedMonthly, type Template, totalPerMonth } from './fixed.ts';
import { modelIntakePaths } from './intake-paths.ts';
import { byService, type CostLine, costLines, PRICES, prodProfile, usdOf, withoutFunction } from './model.ts';
import { modelPeers, PEER_ASSUMPTIONS, peerArithmetic } from './peers.ts';
import {
  fixedTable,
  handledTable,
  type MeasuredRow,
  peersTable,
  requestsTable,
  serviceComparison,
} from './render.ts';

export const COST_LIMIT_USD = 10;

/** What one priced phase came to, for the modelled peers table. */
export interface CostSummary {
  readonly phase: string;
  readonly orders: number;
  readonly usd: number;
  readonly prodUsd: number;
  readonly requests: number;
  readonly writeUnits: number;
}

/** On-demand write units of the lines, per order. */
export const writeUnitsPerOrder = (lines: readonly CostLine[], orders: number): number =>
  lines
    .flatMap((l) => l.billed)
    .filter((b) => b.price === 'dynamodb.writeRequestUnit')
    .reduce((s, b) => s + b.quantity, 0) / orders;

/**
 * Requests and cost per completed order, transactions per message, and the tables behind them.
 * `phase` (e.g. `burst`) is appended to every figure and table name; the steady phase has none, so
 * its figures keep the names they always had.
 */
export function recordCost(
  report: ReportBuilder,
  measured: MeasuredWindow,
  orders: number,
  note: string,
  phase?: string,
): CostSummary {
  const suffix = phase ? `, ${phase}` : '';
  const title = (t: string) => (phase ? `${t} (${phase})` : t);
  const lines = costLines(measured.usage, 'measured');
  const naive = costLines(measured.usage, 'naive');
  const total = (l: typeof lines) => byService(l, orders).reduce((s, [, usd]) => s + usd, 0);
  const services = (l: typeof lines) =>
    byService(l, orders)
      .map(([s, v]) => `${s} ${round(v, 2)}`)
      .join(', ');
  const requests = lines.reduce((s, l) => s + l.requests, 0) / orders;
  const sdk = lines.filter((l) => l.origin === 'sdk').reduce((s, l) => s + l.requests, 0) / orders;
  // Prod stacks leave the walking skeleton out and log and trace less (infra/stages.ts): the same run
  // without its recorder, with the log lines a prod stage ingests and X-Ray off.
  const prodLines = costLines(prodProfile(withoutFunction(measured.usage, 'event-recorder')), 'measured');
  report.record({
    name: `AWS requests per completed order${suffix}`,
    value: round(requests, 1),
    unit: 'requests',
    note: `${round(sdk, 1)} SDK calls of ours (counted at the proxy) + ${round(requests - sdk, 1)} made by AWS for us (derived); ${note}`,
  });
  const wru = writeUnitsPerOrder(lines, orders);
  const prodWru = writeUnitsPerOrder(prodLines, orders);
  const wruPrice = PRICES['dynamodb.writeRequestUnit'];
  report.record({
    name: `DynamoDB write units per completed order${suffix}`,
    value: round(wru, 1),
    unit: 'WRU',
    note: `on-demand write request units as billed (1 KB per item written, doubled in a transaction), from request and response bodies at the proxy; ${round((wru * wruPrice.usd * 1e6) / wruPrice.per, 2)} $/M orders; prod stage ${round(prodWru, 1)} WRU`,
  });
  const usd = total(lines);
  report.record({
    name: `cost per million completed orders${suffix}`,
    value: round(usd, 2),
    unit: 'USD',
    target: `≤ $${COST_LIMIT_USD}`,
    meets: atMost(usd, COST_LIMIT_USD),
    note: `us-east-1 list prices of bench/prices.json; by service: ${services(lines)}`,
  });
  const durationUsd = lines
    .flatMap((l) => l.billed)
    .filter((b) => b.price === 'lambda.gbSecondArm64')
    .reduce((sum, b) => sum + (usdOf(b) / orders) * 1e6, 0);
  report.record({
    name: `cost per million completed orders, without Lambda duration${suffix}`,
    value: round(usd - durationUsd, 2),
    unit: 'USD',
    target: `≤ $${COST_LIMIT_USD}`,
    meets: atMost(usd - durationUsd, COST_LIMIT_USD),
    note: `Lambda GB-s (${round(durationUsd, 2)} $/M) is priced from durations on the emulator, slower than AWS; everything else follows from request counts`,
  });
  const prodUsd = total(prodLines);
  report.record({
    name: `cost per million completed orders, prod stage (no walking-skeleton recorder)${suffix}`,
    value: round(prodUsd, 2),
    unit: 'USD',
    target: `≤ $${COST_LIMIT_USD}`,
    meets: atMost(prodUsd, COST_LIMIT_USD),
    note: `this run without the recorder's requests, deliveries, invocations and logs, with the prod logging profile (application lines at INFO and above, no platform lines: modelled from the dev lines) and X-Ray off (prod default); by service: ${services(prodLines)}`,
  });
  report.record({
    name: `cost per million orders, naive design${suffix}`,
    value: round(total(naive), 2),
    unit: 'USD',
    note: 'same flow, one request per message: one receive + delete and one invocation per message, one PutEvents per event',
  });
  const worst = measured.handled.reduce(
    (max, h) => Math.max(max, h.messagesIn ? h.transactions / h.messagesIn : 0),
    0,
  );
  report.record({
    name: `DynamoDB transactions per handled message (worst function)${suffix}`,
    value: round(worst, 2),
    unit: 'per message',
    target: '≤ 1',
    meets: atMost(worst, 1),
    note: 'TransactWriteItems a function made ÷ messages its queues received (table below)',
  });
  report.section(
    title('AWS requests per completed order (saga, measured design)'),
    requestsTable(lines, orders),
  );
  report.section(
    title('Cost per million orders by service: this design vs naive'),
    serviceComparison(lines, naive, orders),
  );
  report.section(
    title('Messages, invocations and transactions per function'),
    handledTable(measured.handled, orders),
  );
  return { phase: phase ?? 'steady', orders, usd, prodUsd, requests, writeUnits: wru };
}

/**
 * The modelled peers (bench/cost/peers.ts) as figures labelled "modelled", and the "Modelled peers"
 * table with this design's measured figures beside them.
 */
export function recordPeers(report: ReportBuilder, measured: readonly CostSummary[]): void {
  const peers = modelPeers();
  for (const peer of peers) {
    report.record({
      name: `modelled peer: ${peer.design}, cost per million orders`,
      value: round(peer.usdPerMillion, 2),
      unit: 'USD',
      note: `modelled from bench/prices.json, not measured: ${peerArithmetic(peer)}`,
    });
  }
  const rows: MeasuredRow[] = measured.flatMap((m) => [
    {
      label: `this design, ${m.phase}, prod stage`,
      usdPerMillion: m.prodUsd,
      how: `${m.orders} confirmed orders; every request counted or derived (tables above), priced from bench/prices.json; without the walking-skeleton recorder`,
    },
    {
      label: `this design, ${m.phase}, dev stack as run`,
      usdPerMillion: m.usd,
      how: `${round(m.requests, 1)} AWS requests and ${round(m.writeUnits, 1)} WRU per order`,
    },
  ]);
  report.section(
    'Modelled peers (cost per million orders, same price file)',
    peersTable(rows, peers, COST_LIMIT_USD, PEER_ASSUMPTIONS),
  );
}

/**
 * An order placed through the HTTP API next to one put on the bus (bench/cost/intake-paths.ts):
 * modelled, labelled so, with the arithmetic of each path.
 */
export function recordIntakePaths(report: ReportBuilder): void {
  const paths = modelIntakePaths();
  for (const path of paths) {
    report.record({
      name: `modelled intake: ${path.design}, cost per million orders`,
      value: round(path.usdPerMillion, 2),
      unit: 'USD',
      note: `modelled from bench/prices.json, not measured; the first transition's writes, the same on both paths, left out: ${peerArithmetic(path)}`,
    });
  }
  report.section(
    "Modelled intake: the HTTP API next to PutEvents (cost per million orders, up to the saga's first write)",
    markdownTable(
      ['path', 'basis', 'arithmetic', '$/M orders'],
      paths.map((p) => [p.design, p.basis, peerArithmetic(p), String(round(p.usdPerMillion, 2))]),
    ),
  );
}

/** Idle fixed cost per month of the prod template, apart from the per-order figures. */
export function recordIdleCost(report: ReportBuilder, template: Template): void {
  const items = fixedMonthly(template);
  const total = totalPerMonth(items);
  report.record({
    name: 'idle fixed cost per month',
    value: round(total, 2),
    unit: 'USD/month',
    note: `prod template (synthesized in process, -c stage=prod), no orders at all: ${items
      .map((i) => i.arithmetic)
      .join('; ')}; not fixed: DynamoDB on-demand, archive and log storage, KMS requests`,
  });
  report.section('Idle fixed cost per month (prod template, no traffic)', fixedTable(items));
}

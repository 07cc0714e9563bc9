/** The cost figures and tables of one measured saga window. */
import { atMost, type ReportBuilder, round } from '../report.ts';
import type { MeasuredWindow } from '../saga/usage.ts';
import { byService, costLines, usdOf, withoutFunction } from './model.ts';
import { handledTable, requestsTable, serviceComparison } from './render.ts';

export const COST_LIMIT_USD = 10;

/** Requests and cost per completed order, transactions per message, and the tables behind them. */
export function recordCost(
  report: ReportBuilder,
  measured: MeasuredWindow,
  orders: number,
  note: string,
): void {
  const lines = costLines(measured.usage, 'measured');
  const naive = costLines(measured.usage, 'naive');
  const total = (l: typeof lines) => byService(l, orders).reduce((s, [, usd]) => s + usd, 0);
  const services = (l: typeof lines) =>
    byService(l, orders)
      .map(([s, v]) => `${s} ${round(v, 2)}`)
      .join(', ');
  const requests = lines.reduce((s, l) => s + l.requests, 0) / orders;
  const sdk = lines.filter((l) => l.origin === 'sdk').reduce((s, l) => s + l.requests, 0) / orders;
  report.record({
    name: 'AWS requests per completed order',
    value: round(requests, 1),
    unit: 'requests',
    note: `${round(sdk, 1)} SDK calls of ours (counted at the proxy) + ${round(requests - sdk, 1)} made by AWS for us (derived); ${note}`,
  });
  const usd = total(lines);
  report.record({
    name: 'cost per million completed orders',
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
    name: 'cost per million completed orders, without Lambda duration',
    value: round(usd - durationUsd, 2),
    unit: 'USD',
    target: `≤ $${COST_LIMIT_USD}`,
    meets: atMost(usd - durationUsd, COST_LIMIT_USD),
    note: `Lambda GB-s (${round(durationUsd, 2)} $/M) is priced from durations on the emulator, slower than AWS; everything else follows from request counts`,
  });
  // Prod stacks leave the walking skeleton out (infra/stages.ts): the same run without its recorder.
  const prodLines = costLines(withoutFunction(measured.usage, 'event-recorder'), 'measured');
  const prodUsd = total(prodLines);
  report.record({
    name: 'cost per million completed orders, prod stage (no walking-skeleton recorder)',
    value: round(prodUsd, 2),
    unit: 'USD',
    target: `≤ $${COST_LIMIT_USD}`,
    meets: atMost(prodUsd, COST_LIMIT_USD),
    note: `this run without the recorder's requests, deliveries, invocations and logs; by service: ${services(prodLines)}`,
  });
  report.record({
    name: 'cost per million orders, naive design',
    value: round(total(naive), 2),
    unit: 'USD',
    note: 'same flow, one request per message: one receive + delete and one invocation per message, one PutEvents per event',
  });
  const worst = measured.handled.reduce(
    (max, h) => Math.max(max, h.messagesIn ? h.transactions / h.messagesIn : 0),
    0,
  );
  report.record({
    name: 'DynamoDB transactions per handled message (worst function)',
    value: round(worst, 2),
    unit: 'per message',
    target: '≤ 1',
    meets: atMost(worst, 1),
    note: 'TransactWriteItems a function made ÷ messages its queues received (table below)',
  });
  report.section('AWS requests per completed order (saga, measured design)', requestsTable(lines, orders));
  report.section(
    'Cost per million orders by service: this design vs naive',
    serviceComparison(lines, naive, orders),
  );
  report.section(
    'Messages, invocations and transactions per function',
    handledTable(measured.handled, orders),
  );
}

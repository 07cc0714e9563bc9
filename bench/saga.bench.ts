/**
 * The order saga end to end on a local cloud of the bench's own (instance bench-saga), in two priced
 * phases: a steady rate the local cloud sustains (5 orders/s for 30 s) and a burst (batches fill).
 * - AWS requests and DynamoDB write units per completed order, by service, API and caller, counted at
 *   the HTTP boundary (a proxy the Lambda workers and the driver send their SDK calls through) plus
 *   the requests AWS makes for us (rule and SNS deliveries, ESM polling, invocations, logs), priced per
 *   million orders from bench/prices.json, next to a naive design (one request per message, nothing
 *   batched), for each phase from the requests of that phase only;
 * - saga completion latency unloaded and at the steady rate (OrderPlaced PutEvents → OrderConfirmed
 *   in the event store, and → visible on the bus), and throughput of the burst;
 * - CPU-seconds per completed order of the local cloud (MiniStack and its Lambda workers, /proc);
 * - modelled peers (Step Functions Standard and Express, choreography) from the same prices, and the
 *   prod template's idle fixed cost per month.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { openTap, type TailTap } from '../cli/ops/tail.ts';
import { seedStock } from '../cli/orders/seed.ts';
import { OUTPUTS } from '../infra/stacks/outputs.ts';
import { orderStreamIds } from '../shared/contexts/orders/use-cases/order-history.ts';
import { DynamoDbEventStore } from '../shared/kit/event-store/dynamodb.ts';
import {
  type CostSummary,
  recordCost,
  recordIdleCost,
  recordIntakePaths,
  recordPeers,
} from './cost/record.ts';
import { prodTemplate } from './cost/template.ts';
import { percentile } from './init-time.ts';
import { localClientConfig } from './local-cloud.ts';
import { atMost, type ReportBuilder, round } from './report.ts';
import { type SagaCloud, startSagaCloud } from './saga/cloud.ts';
import { type CpuSample, clockTicksPerSecond, sampleTreeCpu } from './saga/cpu.ts';
import {
  buildOrder,
  collectOutcomes,
  newRunId,
  type Outcome,
  type PlacedOrder,
  placeAtRate,
  placeBurst,
  runSkus,
} from './saga/driver.ts';
import { measureWindow } from './saga/usage.ts';

export const THROUGHPUT_TARGET = 50;
export const P99_LIMIT_MS = 2000;

export interface SagaBenchOptions {
  readonly instance?: string;
  /**
   * Orders per second of the steady phase (latency, cost, CPU), a rate the local cloud sustains.
   * @default 5
   */
  readonly rate?: number;
  /** Length of the steady phase. @default 30 */
  readonly seconds?: number;
  /** Orders of the burst (throughput, cost with full batches). @default 200 */
  readonly burst?: number;
}

interface Session {
  readonly cloud: SagaCloud;
  readonly tap: TailTap;
  readonly driver: EventBridgeClient;
  readonly store: DynamoDbEventStore;
  readonly runId: string;
  readonly outcomes: Map<string, Outcome>;
}

/** Waits until the proxy has seen no request for `quietMs` (notifications, projections settle). */
async function settle(session: Session, quietMs = 3000, maxMs = 60_000): Promise<void> {
  const deadline = Date.now() + maxMs;
  let last = session.cloud.proxy.pending;
  let since = Date.now();
  while (Date.now() < deadline && Date.now() - since < quietMs) {
    await new Promise((r) => setTimeout(r, 250));
    const now = session.cloud.proxy.pending;
    if (now !== last) {
      last = now;
      since = Date.now();
    }
  }
}

async function runOrders(
  session: Session,
  orders: PlacedOrder[],
  place: (orders: PlacedOrder[]) => Promise<number>,
  timeoutMs: number,
): Promise<{ refused: number; missing: number }> {
  const refused = await place(orders);
  const ids = new Set(orders.map((o) => o.orderId));
  await collectOutcomes(session.tap, ids, session.outcomes, timeoutMs);
  return { refused, missing: [...ids].filter((id) => !session.outcomes.has(id)).length };
}

/** When OrderConfirmed was recorded in the event store, per order. */
async function confirmedAt(store: DynamoDbEventStore, orderId: string): Promise<number | undefined> {
  const [sagaStream] = orderStreamIds(orderId);
  for await (const stored of store.readAll(sagaStream as string)) {
    if (stored.event.type === 'OrderConfirmed') return Date.parse(stored.recordedAt);
  }
  return undefined;
}

function storeLatencies(session: Session, orders: readonly PlacedOrder[]): Promise<number[]> {
  return Promise.all(
    orders
      .filter((o) => session.outcomes.get(o.orderId)?.type === 'OrderConfirmed')
      .map(async (o) => ((await confirmedAt(session.store, o.orderId)) ?? Number.NaN) - o.placedAtMs),
  ).then((all) => all.filter((ms) => Number.isFinite(ms)));
}

/** One order every two seconds: the path's own latency, without queueing behind other orders. */
async function unloadedLatency(report: ReportBuilder, session: Session, count = 10): Promise<void> {
  const orders = Array.from({ length: count }, (_, i) => buildOrder('happy', 800_000 + i, session.runId));
  const busName = session.cloud.outputs[OUTPUTS.busName] ?? '';
  const { missing } = await runOrders(
    session,
    orders,
    (o) => placeAtRate(session.driver, busName, o, 0.5),
    120_000,
  );
  const ms = await storeLatencies(session, orders);
  report.record({
    name: 'saga completion p50, unloaded (1 order / 2 s)',
    value: round(percentile(ms, 0.5), 0),
    unit: 'ms',
    note: `OrderPlaced → OrderConfirmed stored; ${ms.length}/${count} confirmed (${missing} without outcome), max ${round(Math.max(...ms), 0)} ms`,
  });
}

/** "281 cancelled (250 authorizePayment timed out, …)": outcomes of `orders`, reasons grouped. */
function outcomeSummary(session: Session, orders: readonly PlacedOrder[]): string {
  const reasons = new Map<string, number>();
  let confirmed = 0;
  let cancelled = 0;
  for (const order of orders) {
    const outcome = session.outcomes.get(order.orderId);
    if (outcome?.type === 'OrderConfirmed') confirmed += 1;
    if (outcome?.type !== 'OrderCancelled') continue;
    cancelled += 1;
    const reason = (outcome.reason ?? '?').replace(/\d+/g, 'N').slice(0, 60);
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  }
  const top = [...reasons.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3);
  const why = top.length ? ` (${top.map(([r, n]) => `${n}× ${r}`).join('; ')})` : '';
  return `${confirmed} confirmed, ${cancelled} cancelled${why}, ${orders.length - confirmed - cancelled} without outcome`;
}

/** CPU-seconds the local cloud (MiniStack and its Lambda workers) used between two samples. */
function recordCpu(
  report: ReportBuilder,
  before: CpuSample | undefined,
  after: CpuSample | undefined,
  confirmed: number,
  name: string,
  note: string,
): void {
  if (!before || !after || confirmed === 0) {
    report.error(name, new Error('no /proc sample of the MiniStack process tree'), 'CPU-s');
    return;
  }
  const seconds = after.seconds - before.seconds;
  report.record({
    name,
    value: round(seconds / confirmed, 3),
    unit: 'CPU-s',
    note: `${round(seconds, 1)} CPU-s (utime + stime, + cutime + cstime of exited workers, /proc, ${clockTicksPerSecond()} ticks/s) of the MiniStack process and its descendants (${before.processes} → ${after.processes} processes) ÷ ${confirmed} confirmed orders; ${note}; the counting proxy and the load driver run in the bench process and are not counted`,
  });
}

/**
 * The steady phase: `rate` happy orders a second for `seconds`, a rate the local cloud sustains. Gives
 * the completion latency at that rate, the share not confirmed, and the cost figures, priced from the
 * requests the proxy saw during the phase (from the first put until traffic settles after the last
 * outcome), and the CPU the local cloud spent on it.
 */
async function steadyRun(
  report: ReportBuilder,
  session: Session,
  rate: number,
  seconds: number,
): Promise<CostSummary> {
  const count = Math.max(1, Math.round(rate * seconds));
  const orders = Array.from({ length: count }, (_, i) => buildOrder('happy', i, session.runId));
  const busName = session.cloud.outputs[OUTPUTS.busName] ?? '';
  await settle(session);
  session.cloud.proxy.take();
  const cpuBefore = sampleTreeCpu(session.cloud.pid);
  const startMs = Date.now();
  const { refused } = await runOrders(
    session,
    orders,
    (o) => placeAtRate(session.driver, busName, o, rate),
    seconds * 1000 + 300_000,
  );
  await settle(session);
  const endMs = Date.now();
  const cpuAfter = sampleTreeCpu(session.cloud.pid);
  const records = session.cloud.proxy.take();
  const confirmed = orders.filter((o) => session.outcomes.get(o.orderId)?.type === 'OrderConfirmed');
  const storeMs = await storeLatencies(session, confirmed);
  const busMs = confirmed.map((o) => (session.outcomes.get(o.orderId)?.visibleAtMs ?? 0) - o.placedAtMs);
  const note = `${count} happy orders at ${rate}/s for ${seconds} s: ${outcomeSummary(session, orders)}; ${refused} refused by the bus`;
  for (const [p, label] of [
    [0.5, 'p50'],
    [0.95, 'p95'],
    [0.99, 'p99'],
  ] as const) {
    const value = percentile(storeMs, p);
    report.record({
      name: `saga completion ${label} at ${rate} orders/s`,
      value: round(value, 0),
      unit: 'ms',
      ...(label === 'p99' ? { target: `≤ ${P99_LIMIT_MS} ms`, meets: atMost(value, P99_LIMIT_MS) } : {}),
      note: `${label === 'p50' ? `${note}; ` : ''}OrderPlaced → OrderConfirmed stored, confirmed orders only; on the bus (tap) ${round(percentile(busMs, p), 0)} ms`,
    });
  }
  const notConfirmed = 1 - confirmed.length / count;
  report.record({
    name: `orders not confirmed at ${rate} orders/s`,
    value: round(100 * notConfirmed, 1),
    unit: '%',
    target: '0 %',
    meets: notConfirmed === 0,
    note: 'happy orders only: any cancellation is a step timeout (or worse) caused by load',
  });
  if (confirmed.length === 0) throw new Error(`no order was confirmed (${note})`);
  recordCpu(
    report,
    cpuBefore,
    cpuAfter,
    confirmed.length,
    'CPU-seconds per completed order (local cloud)',
    `steady phase, ${rate} orders/s`,
  );
  const measured = await measureWindow(session.cloud, records, confirmed.length, { startMs, endMs });
  const summary = recordCost(report, measured, confirmed.length, `steady phase: ${note}`);
  return { ...summary, phase: `steady ${rate} orders/s` };
}

/** "inventory: 412 TransactWriteItems, 380 refused": optimistic-lock conflicts behind the timeouts. */
function conflicts(records: readonly { caller: string; action: string; status: number }[]): string {
  const byCaller = new Map<string, { all: number; refused: number }>();
  for (const r of records) {
    if (r.action !== 'TransactWriteItems') continue;
    const caller = r.caller.replace(/-PT-.*$/, '');
    const entry = byCaller.get(caller) ?? { all: 0, refused: 0 };
    entry.all += 1;
    if (r.status >= 400) entry.refused += 1;
    byCaller.set(caller, entry);
  }
  return [...byCaller.entries()]
    .map(([caller, { all, refused }]) => `${caller} ${all} TransactWriteItems, ${refused} refused`)
    .join('; ');
}

/**
 * The burst: `burst` happy orders put in batches of ten as fast as the bus takes them, so the queues'
 * batches fill. Gives the throughput, and the same cost figures as the steady phase (suffixed
 * `, burst`), priced from the requests the proxy saw from the first put until traffic settled.
 */
async function burstRun(report: ReportBuilder, session: Session, burst: number): Promise<CostSummary> {
  const orders = Array.from({ length: burst }, (_, i) => buildOrder('happy', 100_000 + i, session.runId));
  const busName = session.cloud.outputs[OUTPUTS.busName] ?? '';
  await settle(session);
  session.cloud.proxy.take();
  const cpuBefore = sampleTreeCpu(session.cloud.pid);
  const started = Date.now();
  const { refused } = await runOrders(
    session,
    orders,
    (o) => placeBurst(session.driver, busName, o),
    600_000,
  );
  await settle(session);
  const endMs = Date.now();
  const cpuAfter = sampleTreeCpu(session.cloud.pid);
  const records = session.cloud.proxy.take();
  const done = orders.map((o) => session.outcomes.get(o.orderId)).filter((o): o is Outcome => Boolean(o));
  if (done.length === 0) throw new Error(`no order of the burst completed (${refused} refused)`);
  const seconds = (Math.max(...done.map((o) => o.visibleAtMs)) - started) / 1000;
  const confirmed = done.filter((o) => o.type === 'OrderConfirmed').length;
  const rate = confirmed / seconds;
  const outcomes = outcomeSummary(session, orders);
  report.record({
    name: 'throughput, whole saga (confirmed orders)',
    value: round(rate, 2),
    unit: 'orders/s',
    target: `≥ ${THROUGHPUT_TARGET} orders/s`,
    meets: rate >= THROUGHPUT_TARGET,
    note: `${burst} happy orders put in batches of 10 at once; ${round(seconds, 1)} s from the first put to the last outcome on the bus; ${outcomes}; ${refused} refused by the bus; ${conflicts(records)}`,
  });
  if (confirmed === 0) throw new Error(`no order of the burst was confirmed (${outcomes})`);
  recordCpu(
    report,
    cpuBefore,
    cpuAfter,
    confirmed,
    'CPU-seconds per completed order (local cloud), burst',
    `burst of ${burst}`,
  );
  const measured = await measureWindow(session.cloud, records, confirmed, { startMs: started, endMs });
  const summary = recordCost(
    report,
    measured,
    confirmed,
    `burst of ${burst} happy orders in batches of 10: ${outcomes}; cancelled orders' requests are in the bill, divided over the confirmed ones`,
    'burst',
  );
  return { ...summary, phase: `burst of ${burst}` };
}

/**
 * Deploys the stack on its own cloud, then measures the saga: unloaded latency, a steady phase (latency,
 * cost, CPU) and a burst (throughput, cost, CPU); then the modelled peers beside the measured cost and
 * the prod template's idle fixed cost per month.
 */
export async function benchSaga(report: ReportBuilder, options: SagaBenchOptions = {}): Promise<void> {
  try {
    recordIdleCost(report, await prodTemplate());
  } catch (error) {
    report.error('idle fixed cost per month', error, 'USD/month');
  }
  const cloud = await startSagaCloud(options.instance ?? 'bench-saga');
  let tap: TailTap | undefined;
  const priced: CostSummary[] = [];
  try {
    report.record({
      name: 'saga cloud: pipeline deploy --local',
      value: round(cloud.deploySeconds, 1),
      unit: 's',
      note: `${cloud.functions.length} functions; ${cloud.deploySteps}`,
    });
    const config = localClientConfig(cloud.endpoint);
    const busName = cloud.outputs[OUTPUTS.busName] ?? '';
    tap = await openTap({ sqs: new SQSClient(config), events: new EventBridgeClient(config) }, busName, {
      types: ['OrderConfirmed', 'OrderCancelled'],
    });
    const runId = newRunId();
    const store = new DynamoDbEventStore({
      client: new DynamoDBClient(config),
      tableName: cloud.outputs[OUTPUTS.eventStoreTable] ?? '',
    });
    await seedStock(
      store,
      runSkus(runId).stocked.map((sku) => ({ sku, qty: 1_000_000 })),
    );
    const driver = new EventBridgeClient({
      ...localClientConfig(cloud.proxy.url),
      userAgentAppId: 'bench-driver',
    });
    const session: Session = { cloud, tap, driver, store, runId, outcomes: new Map() };
    // Warm every function once, so cold starts do not sit in the latency percentiles.
    const warm = Array.from({ length: 5 }, (_, i) => buildOrder('happy', 900_000 + i, runId));
    await runOrders(session, warm, (o) => placeAtRate(driver, busName, o, 5), 60_000);
    await settle(session);
    await unloadedLatency(report, session);
    priced.push(await steadyRun(report, session, options.rate ?? 5, options.seconds ?? 30));
    try {
      priced.push(await burstRun(report, session, options.burst ?? 200));
    } catch (error) {
      report.error('throughput, whole saga (confirmed orders)', error, 'orders/s');
    }
  } finally {
    recordPeers(report, priced);
    recordIntakePaths(report);
    await tap?.close();
    await cloud.stop();
  }
}

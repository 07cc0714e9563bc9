/**
 * Requests per order and cost per million orders, by service and API, from what a run measured:
 * the SDK calls the proxy saw (ours), the platform requests derived from the topology (AWS's on our
 * behalf), Lambda invocations, duration and log bytes from the log groups. The same usage is priced
 * a second time as a naive design would run it: one request per message, nothing batched.
 */
import pricesFile from '../prices.json' with { type: 'json' };
import type { RequestRecord } from '../requests/classify.ts';
import type { FunctionUsage } from '../requests/platform.ts';

export type PriceKey = keyof typeof pricesFile.prices;
export type Prices = Readonly<Record<PriceKey, { readonly usd: number; readonly per: number }>>;
export const PRICES: Prices = pricesFile.prices;

/** Share of Lambda invocations X-Ray records with the default sampling rule at scale. */
export const XRAY_SAMPLED_SHARE = 0.05;

/** One function's part of a run. */
export interface FunctionRun {
  readonly appId: string;
  readonly memoryMb: number;
  readonly trigger: 'sqs' | 'stream' | 'none';
  readonly usage: FunctionUsage;
  /** Messages its queues received (rules + SNS + direct sends); stream records for the outbox. */
  readonly messagesIn: number;
}

export interface RunUsage {
  readonly orders: number;
  readonly records: readonly RequestRecord[];
  /** Messages put into queues by EventBridge rules and by SNS, summed over queues. */
  readonly ruleDeliveries: number;
  readonly snsDeliveries: number;
  readonly functions: readonly FunctionRun[];
  /** Share of invocations X-Ray records. @default XRAY_SAMPLED_SHARE (active tracing, default rule) */
  readonly tracedShare?: number;
}

export interface Billed {
  readonly price: PriceKey;
  readonly quantity: number;
  readonly unit: string;
}

/** One row of the cost table, totals over the run (divide by orders for per-order figures). */
export interface CostLine {
  readonly service: string;
  readonly api: string;
  readonly caller: string;
  readonly origin: 'sdk' | 'platform' | 'estimate';
  readonly requests: number;
  readonly billed: readonly Billed[];
}

const SERVICE_PRICE: Record<string, PriceKey | undefined> = {
  events: 'eventbridge.customEvent',
  sqs: 'sqs.standardRequest',
  sns: 'sns.publish',
};

/** Groups the SDK calls by service, API and caller, with what each group is billed. */
export function sdkLines(records: readonly RequestRecord[]): CostLine[] {
  const groups = new Map<string, { service: string; api: string; caller: string; list: RequestRecord[] }>();
  for (const r of records) {
    const caller = r.caller.replace(/-PT-.*$/, ''); // Powertools appends its own tag to the app id
    const key = `${r.service}\u0000${r.action}\u0000${caller}`;
    const group = groups.get(key) ?? { service: r.service, api: r.action, caller, list: [] };
    group.list.push(r);
    groups.set(key, group);
  }
  return [...groups.values()].map(({ service, api, caller, list }) => {
    const billed: Billed[] = [];
    if (service === 'dynamodb') {
      const wru = list.reduce((s, r) => s + r.capacity.wru, 0);
      const rru = list.reduce((s, r) => s + r.capacity.rru, 0);
      if (wru) billed.push({ price: 'dynamodb.writeRequestUnit', quantity: wru, unit: 'WRU' });
      if (rru) billed.push({ price: 'dynamodb.readRequestUnit', quantity: rru, unit: 'RRU' });
    } else {
      const price = SERVICE_PRICE[service];
      const unit = service === 'events' ? 'events' : 'requests';
      if (price) billed.push({ price, quantity: list.reduce((s, r) => s + r.chunks, 0), unit });
    }
    return { service, api, caller, origin: 'sdk' as const, requests: list.length, billed };
  });
}

function invocationsOf(fn: FunctionRun, naive: boolean): number {
  if (!naive || fn.trigger === 'none') return fn.usage.invocations;
  return Math.max(fn.messagesIn, fn.usage.invocations > 0 ? 1 : 0);
}

/** Requests AWS makes for us: deliveries into queues, ESM polling, invocations, logs, traces. */
export function platformLines(usage: RunUsage, naive: boolean): CostLine[] {
  const lines: CostLine[] = [];
  const sqs = (api: string, caller: string, n: number): CostLine => ({
    service: 'sqs',
    api,
    caller,
    origin: 'platform',
    requests: n,
    billed: [{ price: 'sqs.standardRequest', quantity: n, unit: 'requests' }],
  });
  lines.push(sqs('SendMessage (rule target)', 'EventBridge', usage.ruleDeliveries));
  lines.push(sqs('SendMessage (subscription)', 'SNS', usage.snsDeliveries));
  for (const fn of usage.functions) {
    const invocations = invocationsOf(fn, naive);
    if (invocations === 0) continue;
    if (fn.trigger === 'sqs') {
      lines.push(sqs(naive ? 'ReceiveMessage' : 'ReceiveMessage (batch)', `ESM → ${fn.appId}`, invocations));
      lines.push(sqs(naive ? 'DeleteMessage' : 'DeleteMessageBatch', `ESM → ${fn.appId}`, invocations));
    }
    const perInvocationMs = fn.usage.invocations ? fn.usage.durationMs / fn.usage.invocations : 0;
    const gbSeconds = ((perInvocationMs * invocations) / 1000) * (fn.memoryMb / 1024);
    lines.push({
      service: 'lambda',
      api: 'Invoke',
      caller: fn.trigger === 'stream' ? `stream → ${fn.appId}` : `ESM → ${fn.appId}`,
      origin: 'platform',
      requests: invocations,
      billed: [
        { price: 'lambda.request', quantity: invocations, unit: 'invocations' },
        { price: 'lambda.gbSecondArm64', quantity: gbSeconds, unit: 'GB-s' },
      ],
    });
  }
  const invocations = usage.functions.reduce((s, fn) => s + invocationsOf(fn, naive), 0);
  const logBytes = usage.functions.reduce(
    (s, fn) =>
      s +
      fn.usage.logBytes *
        (naive && fn.usage.invocations ? invocationsOf(fn, true) / fn.usage.invocations : 1),
    0,
  );
  lines.push({
    service: 'logs',
    api: 'ingestion',
    caller: 'all functions',
    origin: 'platform',
    requests: 0,
    billed: [{ price: 'logs.ingestionGb', quantity: logBytes / 1e9, unit: 'GB' }],
  });
  const traced = usage.tracedShare ?? XRAY_SAMPLED_SHARE;
  if (traced === 0) return lines;
  lines.push({
    service: 'xray',
    api: 'traces recorded',
    caller: `all functions, ${traced * 100} % sampled`,
    origin: 'estimate',
    requests: 0,
    billed: [{ price: 'xray.traceRecorded', quantity: invocations * traced, unit: 'traces' }],
  });
  return lines;
}

/** SDK lines as a naive design would make them: every PutEvents entry in a call of its own. */
function naiveSdk(lines: readonly CostLine[]): CostLine[] {
  return lines.map((line) =>
    line.service === 'events' && line.api === 'PutEvents'
      ? { ...line, requests: line.billed[0]?.quantity ?? line.requests }
      : line,
  );
}

/**
 * The run as a stack without function `appId` would have made it: its SDK calls, its invocations and
 * logs, and the rule deliveries into its queue (it must be fed by rules only, like the walking
 * skeleton's recorder) are taken out. For pricing a prod stack from a dev run.
 */
export function withoutFunction(usage: RunUsage, appId: string): RunUsage {
  const fn = usage.functions.find((f) => f.appId === appId);
  if (!fn) return usage;
  return {
    ...usage,
    records: usage.records.filter((r) => r.caller.replace(/-PT-.*$/, '') !== appId),
    ruleDeliveries: Math.max(0, usage.ruleDeliveries - fn.messagesIn),
    functions: usage.functions.filter((f) => f !== fn),
  };
}

/**
 * The run as a prod stage would log and trace it (infra/stages.ts): only the log lines it ingests
 * (`prodLogBytes`: application lines at INFO and above, no platform lines) and X-Ray off (its default;
 * `-c tracing=active` turns it on). Everything else is the run as measured.
 */
export function prodProfile(usage: RunUsage): RunUsage {
  return {
    ...usage,
    tracedShare: 0,
    functions: usage.functions.map((fn) => ({
      ...fn,
      usage: { ...fn.usage, logBytes: fn.usage.prodLogBytes ?? fn.usage.logBytes },
    })),
  };
}

/** Every line of a run, measured or as the naive design would have made it. */
export function costLines(usage: RunUsage, design: 'measured' | 'naive'): CostLine[] {
  const sdk = sdkLines(usage.records);
  const naive = design === 'naive';
  return [...(naive ? naiveSdk(sdk) : sdk), ...platformLines(usage, naive)];
}

export const usdOf = (billed: Billed, prices: Prices = PRICES): number =>
  (billed.quantity * prices[billed.price].usd) / prices[billed.price].per;

/** USD per million orders of one line. */
export function usdPerMillionOrders(line: CostLine, orders: number, prices: Prices = PRICES): number {
  return (line.billed.reduce((s, b) => s + usdOf(b, prices), 0) / orders) * 1e6;
}

/** USD per million orders by service (dynamodb, sqs, lambda…), largest first. */
export function byService(
  lines: readonly CostLine[],
  orders: number,
  prices: Prices = PRICES,
): [string, number][] {
  const sums = new Map<string, number>();
  for (const line of lines) {
    sums.set(line.service, (sums.get(line.service) ?? 0) + usdPerMillionOrders(line, orders, prices));
  }
  return [...sums.entries()].sort((a, b) => b[1] - a[1]);
}

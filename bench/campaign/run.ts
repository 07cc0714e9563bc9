/**
 * `npm run campaign [-- --orders N --rate R --seed S --keep]`: the fault campaign on a local cloud of
 * its own (instance bench-campaign). Places a mix of happy, declined, out-of-stock, flaky and
 * timing-out orders with duplicates, poison messages and conflicting commands, waits until the
 * pipeline is quiet, reconciles (the event store, the DLQs, the bus, and the order-summary read model
 * against the store), prints a table of figures and checks, and exits 1 on any violation.
 *
 * Faults from the product side: the consumers' fault-injection switch (`--faults`, deployed with
 * `pipeline deploy --faults`: records failing once, batches stopped midway) and one consumer stopped
 * for a while mid-run (`--stop-consumer`, its event source mappings disabled and enabled again).
 * Writes bench/reports/campaign.{json,md}.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { waitForEmptyQueues, workQueues } from '../../cli/ops/drained.ts';
import { openTap, type TailTap } from '../../cli/ops/tail.ts';
import { seedStock } from '../../cli/orders/seed.ts';
import { markdownTable } from '../../cli/output.ts';
import { OUTPUTS } from '../../infra/stacks/outputs.ts';
import { DynamoDbOrderSummaryRepository } from '../../shared/contexts/orders/adapters/dynamodb-order-summaries.ts';
import { type FaultPlan, faultSpecOf, parseFaultSpec } from '../../shared/harness/faults.ts';
import { DynamoDbEventStore } from '../../shared/kit/event-store/dynamodb.ts';
import { localClientConfig } from '../local-cloud.ts';
import { startSagaCloud } from '../saga/cloud.ts';
import { newRunId, runSkus } from '../saga/driver.ts';
import {
  type CapturedFact,
  capturedOf,
  drainTap,
  readDeadLetters,
  readOrders,
  readSkus,
  readSummaries,
} from './collect.ts';
import { executePlan } from './execute.ts';
import {
  type ConsumerStop,
  countInjectedFaults,
  faultChecks,
  stopConsumerFor,
  transientShare,
} from './faults.ts';
import { DEFAULT_CAMPAIGN, planCampaign } from './plan.ts';
import { type CheckResult, reconcile } from './reconcile.ts';
import { reconcileReadModel } from './reconcile-read-model.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const log = (line: string) => process.stderr.write(`▸ ${line}\n`);

const { values: args } = parseArgs({
  options: {
    orders: { type: 'string', default: process.env.CAMPAIGN_ORDERS ?? String(DEFAULT_CAMPAIGN.orders) },
    rate: { type: 'string', default: process.env.CAMPAIGN_RATE ?? '1' },
    seed: { type: 'string', default: String(DEFAULT_CAMPAIGN.seed) },
    'stock-per-sku': { type: 'string', default: '100000' },
    'drain-minutes': { type: 'string', default: '20' },
    faults: { type: 'string', default: 'transient=0.12,crash=0.02' },
    'stop-consumer': { type: 'string', default: 'inventory' },
    'stop-seconds': { type: 'string', default: '30' },
    keep: { type: 'boolean', default: false },
  },
});
const options = { ...DEFAULT_CAMPAIGN, orders: Number(args.orders), seed: Number(args.seed) };
const rate = Number(args.rate);
if (!Number.isInteger(options.orders) || options.orders < 1 || !(rate > 0)) {
  process.stderr.write('--orders must be a positive integer and --rate a positive number\n');
  process.exit(2);
}
let faults: FaultPlan;
try {
  faults = parseFaultSpec(args.faults);
} catch (error) {
  process.stderr.write(`--faults: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
}
const stopSeconds = Number(args['stop-seconds']);
const stopTarget = args['stop-consumer'] === 'none' || stopSeconds === 0 ? undefined : args['stop-consumer'];
if (!(stopSeconds >= 0)) {
  process.stderr.write('--stop-seconds must be a number of seconds (0: no stop)\n');
  process.exit(2);
}

/**
 * Waits until every order has an outcome on the bus (or the drain time is up), then until the bus is
 * quiet and every consumer queue is empty, so the store is read once the pipeline has settled.
 */
async function waitForOutcomes(
  tap: TailTap,
  orderIds: ReadonlySet<string>,
  captured: CapturedFact[],
  queueClient: SQSClient,
  outputs: Readonly<Record<string, string>>,
) {
  const deadline = Date.now() + Number(args['drain-minutes']) * 60_000;
  const done = new Set<string>();
  let last = 0;
  while (done.size < orderIds.size && Date.now() < deadline) {
    for (const event of await tap.next(2)) {
      const fact = capturedOf(event);
      captured.push(fact);
      const terminal = fact.type === 'OrderConfirmed' || fact.type === 'OrderCancelled';
      if (terminal && fact.orderId && orderIds.has(fact.orderId)) done.add(fact.orderId);
    }
    if (done.size - last >= 50) {
      last = done.size;
      log(`${last}/${orderIds.size} orders have an outcome`);
    }
  }
  log(`${done.size}/${orderIds.size} orders have an outcome; waiting for the pipeline to go quiet`);
  await drainTap(tap, captured, 15_000);
  // The consumers' queues too: late results and their compensations travel queue to queue, off the bus.
  const left = await waitForEmptyQueues(queueClient, workQueues(outputs), {
    deadline: Math.max(deadline, Date.now() + 5 * 60_000),
    log,
  });
  if (left.length > 0) {
    log(`still queued at the drain deadline: ${left.map((b) => `${b.queue} ${b.messages}`).join(', ')}`);
  }
  // What the last messages caused on the bus (outcomes of late compensations) is captured as well.
  await drainTap(tap, captured, 15_000);
}

function render(figures: [string, string][], checks: readonly CheckResult[]): string {
  const rows = checks.map((c) => [
    c.name,
    String(c.checked),
    String(c.failures.length),
    c.failures.length === 0 ? 'ok' : c.severity === 'violation' ? '**VIOLATION**' : 'warning',
    c.failures.slice(0, 3).join('; '),
  ]);
  return [
    '# Fault campaign',
    '',
    markdownTable(['figure', '>value'], figures),
    '',
    markdownTable(['check', '>checked', '>failures', 'status', 'examples'], rows),
    '',
  ].join('\n');
}

const started = Date.now();
const cloud = await startSagaCloud('bench-campaign', ['--faults', faultSpecOf(faults)]);
let tap: TailTap | undefined;
let exitCode = 1;
try {
  const config = localClientConfig(cloud.endpoint);
  const busName = cloud.outputs[OUTPUTS.busName] ?? '';
  const dynamo = new DynamoDBClient(config);
  const store = new DynamoDbEventStore({
    client: dynamo,
    tableName: cloud.outputs[OUTPUTS.eventStoreTable] ?? '',
  });
  const summaryTable = cloud.outputs[OUTPUTS.orderSummaryTable];
  // Checked before the run, so a stack without the read model does not cost a whole campaign.
  if (!summaryTable) throw new Error(`the stack has no ${OUTPUTS.orderSummaryTable} output`);
  const summaries = new DynamoDbOrderSummaryRepository({ client: dynamo, tableName: summaryTable });
  tap = await openTap({ sqs: new SQSClient(config), events: new EventBridgeClient(config) }, busName, {});
  const runId = newRunId();
  const plan = planCampaign(runId, options);
  const skus = runSkus(runId, options.skuCount).stocked;
  await seedStock(
    store,
    skus.map((sku) => ({ sku, qty: Number(args['stock-per-sku']) })),
  );
  log(
    `Campaign ${runId}: ${plan.orders.length} orders at ${rate}/s, ${plan.duplicates.length} duplicates, ${plan.conflicts.length} conflicts, ${plan.poison.length} poison`,
  );
  const driver = new EventBridgeClient({ ...config, userAgentAppId: 'bench-campaign' });
  const captured: CapturedFact[] = [];
  const stopped = stopTarget ? cloud.functions.find((f) => f.appId === stopTarget) : undefined;
  if (stopTarget && !stopped) {
    throw new Error(
      `--stop-consumer ${stopTarget}: no such function; one of ${cloud.functions.map((f) => f.appId).join(', ')}`,
    );
  }
  // A third of the way through placing the orders, the consumer stops for --stop-seconds.
  const stopping: Promise<ConsumerStop | undefined> = stopped
    ? sleep((options.orders / 3 / rate) * 1000).then(() =>
        stopConsumerFor(new LambdaClient(config), stopped, stopSeconds, log),
      )
    : Promise.resolve(undefined);
  const placing = executePlan(driver, busName, plan, rate, (n) => log(`${n} orders placed`));
  const ids = new Set(plan.orders.map((o) => o.orderId));
  const [sent, , consumerStop] = await Promise.all([
    placing,
    waitForOutcomes(tap, ids, captured, new SQSClient(config), cloud.outputs),
    stopping,
  ]);
  log('Reading back the event store, the DLQs and the captured events');
  const poisonMarkers = plan.poison.map((p) => p.marker);
  const streams = await readOrders(store, [...ids, ...poisonMarkers]);
  const conflicted = new Set(plan.conflicts.map((c) => c.orderId));
  log('Comparing the read model with summaries rebuilt from the event store (re-reading for up to 150 s)');
  const readModel = await readSummaries(store, summaries, [...ids, ...poisonMarkers]);
  const planned = new Map(plan.orders.map((o) => [o.orderId, o.event]));
  log("Counting the injected faults in the consumers' logs");
  const injected = await countInjectedFaults(cloud.functions, config);
  const checks = [
    ...reconcile({
      orders: new Map(
        plan.orders.map((o) => [o.orderId, { kind: o.kind, conflicted: conflicted.has(o.orderId) }]),
      ),
      streams,
      skus: await readSkus(store, skus),
      deadLetters: await readDeadLetters(cloud.instance),
      captured,
      poisonMarkers,
    }),
    ...reconcileReadModel({
      streams,
      summaries: readModel.summaries,
      conflicts: plan.conflicts.flatMap((c) => {
        const original = planned.get(c.orderId);
        return original ? [{ orderId: c.orderId, original, conflicting: c.event }] : [];
      }),
    }),
    ...faultChecks(faults, injected, { asked: stopped !== undefined, done: consumerStop }),
  ];
  const outcome = (type: string) =>
    plan.orders.filter((o) => (streams.get(o.orderId) ?? []).some((f) => f.type === type)).length;
  const figures: [string, string][] = [
    ['orders placed', String(sent.orders)],
    [
      'duplicates re-put (same event id)',
      `${sent.duplicates} (${Math.round((100 * sent.duplicates) / sent.orders)} %)`,
    ],
    ['conflicting commands (same order, new event id)', String(sent.conflicts)],
    ['poison messages', String(sent.poison)],
    ['entries refused by the bus', String(sent.refused)],
    ['fault injection (pipeline deploy --faults)', faultSpecOf(faults)],
    [
      'records failed on purpose once (transient)',
      `${injected.transient} (${(100 * transientShare(injected)).toFixed(1)} % of ${injected.handled} records handled; ${injected.transient + injected.handled + injected.duplicates} deliveries)`,
    ],
    ['batches stopped mid-batch (whole batch redelivered)', String(injected.crashes)],
    ['deliveries recognised as duplicates by the consumers', String(injected.duplicates)],
    [
      'consumer stopped mid-run',
      consumerStop
        ? `${consumerStop.consumer}: ${consumerStop.mappings} mapping(s) disabled for ${consumerStop.stoppedForSeconds} s`
        : 'none',
    ],
    ['orders confirmed', String(outcome('OrderConfirmed'))],
    ['orders cancelled', String(outcome('OrderCancelled'))],
    ['events captured on the bus', String(captured.length)],
    [
      'read-model summaries compared / re-read while the projector caught up / still differing',
      `${readModel.summaries.size} / ${readModel.reread} / ${readModel.stillDiffering}`,
    ],
    [
      'SDK requests of the pipeline per order (counted at the proxy)',
      (cloud.proxy.take().length / sent.orders).toFixed(1),
    ],
    ['minutes', (Math.round((Date.now() - started) / 6000) / 10).toString()],
  ];
  const markdown = render(figures, checks);
  process.stdout.write(`${markdown}\n`);
  mkdirSync(new URL('../reports/', import.meta.url), { recursive: true });
  writeFileSync(new URL('../reports/campaign.md', import.meta.url), markdown);
  writeFileSync(
    new URL('../reports/campaign.json', import.meta.url),
    `${JSON.stringify({ runId, options, rate, faults, injected, consumerStop, figures, checks }, null, 2)}\n`,
  );
  const violations = checks.filter((c) => c.severity === 'violation' && c.failures.length > 0);
  exitCode = violations.length > 0 || sent.refused > 0 ? 1 : 0;
  log(exitCode === 0 ? 'No violation.' : `${violations.length} check(s) violated.`);
} finally {
  await tap?.close();
  if (!args.keep) await cloud.stop();
  else
    log(
      `Cloud kept running (instance ${cloud.instance}, ${cloud.endpoint}); stop it with PIPELINE_CLOUD_INSTANCE=${cloud.instance} npx pipeline down`,
    );
}
process.exit(exitCode);

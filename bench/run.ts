/**
 * `npm run bench`: prints figures and writes bench/reports/latest.{json,md}. Nothing here asserts a
 * time; targets are compared in the report so a slow machine shows up as a number, not a red test.
 * Each module runs on its own: one that fails becomes an error row and the others still run.
 * Cases needing AWS behaviour run on local clouds of their own (instances bench, bench-up,
 * bench-saga), or on AWS_ENDPOINT_URL when set (the event store case only).
 *
 * BENCH_ONLY=bundles,dev-loop,… runs a subset (names below); BENCH_APPENDS, BENCH_INIT_RUNS,
 * BENCH_RATE, BENCH_SECONDS (the saga's steady phase: latency, cost, CPU; 5 orders/s for 30 s) and
 * BENCH_ORDERS (the saga's burst: throughput, cost with full batches) size the cases.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbEventStore } from '../shared/kit/event-store/dynamodb.ts';
import { createEventStoreTable } from '../shared/kit/event-store/dynamodb-table.ts';
import { InMemoryEventStore } from '../shared/kit/event-store/in-memory.ts';
import { benchBundles } from './bundles.bench.ts';
import { benchDevLoop } from './dev-loop.bench.ts';
import { benchAppendLatency } from './event-store.bench.ts';
import { localClientConfig, startInstance } from './local-cloud.ts';
import { ReportBuilder, renderMarkdown, round } from './report.ts';
import { benchSaga } from './saga.bench.ts';
import { benchValidation } from './validation.bench.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

async function validationCases(report: ReportBuilder): Promise<void> {
  const v = await benchValidation();
  report.record({
    name: 'validation, small event',
    value: round(v.smallEventMicros),
    unit: 'µs/event',
    note: `${v.smallEventBytes} B, v1→v2 upcast`,
  });
  report.record({
    name: 'validation, small event at latest version',
    value: round(v.smallLatestEventMicros),
    unit: 'µs/event',
  });
  report.record({
    name: 'validation, ~100 KB event',
    value: round(v.largeEventMicros),
    unit: 'µs/event',
    note: `${v.largeEventBytes} B, ${v.largeEventItems} items`,
  });
  report.record({
    name: 'validation, ~100 KB SQS body incl. JSON.parse',
    value: round(v.largeSqsBodyMicros),
    unit: 'µs/event',
  });
}

async function appendCases(report: ReportBuilder, n: number): Promise<void> {
  const memory = await benchAppendLatency(new InMemoryEventStore(), n);
  report.record({ name: 'append p50, in-memory', value: round(memory.p50Ms, 3), unit: 'ms' });
  const cloud = await startInstance('bench-store');
  try {
    const client = new DynamoDBClient(localClientConfig(cloud.endpoint));
    const tableName = `bench-events-${Date.now()}`;
    await createEventStoreTable(client, tableName);
    const local = await benchAppendLatency(new DynamoDbEventStore({ client, tableName }), n);
    const note = `${n} sequential appends, ${cloud.endpoint}`;
    report.record({
      name: 'append p50, DynamoDB on local cloud',
      value: round(local.p50Ms),
      unit: 'ms',
      note,
    });
    report.record({
      name: 'append p99, DynamoDB on local cloud',
      value: round(local.p99Ms),
      unit: 'ms',
      note,
    });
  } finally {
    await cloud.stop();
  }
}

const env = process.env;
const modules: Record<string, { heading: string; run: (report: ReportBuilder) => Promise<void> }> = {
  validation: {
    heading: 'Event validation cost (parse + validate + upcast, median of 7 runs)',
    run: validationCases,
  },
  'event-store': {
    heading: 'Event store append latency',
    run: (report) => appendCases(report, Number(env.BENCH_APPENDS ?? 1000)),
  },
  bundles: {
    heading: 'Function bundles: size, composition, module init vs hello-world',
    run: (report) => benchBundles(report, { runs: Number(env.BENCH_INIT_RUNS ?? 7) }),
  },
  'dev-loop': {
    heading: 'Developer loop: cold `pipeline up`, handler edit → new code answering',
    run: (report) => benchDevLoop(report),
  },
  saga: {
    heading:
      'Order saga on a local cloud: requests, write units, cost and CPU per order (steady and burst), latency, throughput, modelled peers, idle cost',
    run: (report) =>
      benchSaga(report, {
        rate: Number(env.BENCH_RATE ?? 5),
        seconds: Number(env.BENCH_SECONDS ?? 30),
        burst: Number(env.BENCH_ORDERS ?? 200),
      }),
  },
};

const only = env.BENCH_ONLY?.split(',').map((s) => s.trim());
const unknown = only?.filter((name) => !(name in modules)) ?? [];
if (unknown.length > 0) {
  process.stderr.write(
    `Unknown BENCH_ONLY module(s): ${unknown.join(', ')}; known: ${Object.keys(modules).join(', ')}\n`,
  );
  process.exit(2);
}

const report = new ReportBuilder();
const started = new Date();
const loadAtStart = loadavg()[0] ?? 0;
for (const [name, module] of Object.entries(modules)) {
  if (only && !only.includes(name)) continue;
  await report.run(name, module.heading, () => module.run(report));
}
// Other emulators, CI runs and tests share these machines: the load says how much to trust a time.
report.begin('machine');
report.record({
  name: 'load average (1 min) at start → end',
  value: round(loadavg()[0] ?? 0, 1),
  unit: '',
  note: `${round(loadAtStart, 1)} at start; ${cpus().length} CPUs`,
});
const built = report.build(started, round((Date.now() - started.getTime()) / 1000, 1));
const markdown = renderMarkdown(built);
mkdirSync(new URL('./reports/', import.meta.url), { recursive: true });
writeFileSync(new URL('./reports/latest.json', import.meta.url), `${JSON.stringify(built, null, 2)}\n`);
writeFileSync(new URL('./reports/latest.md', import.meta.url), markdown);
process.stdout.write(`${markdown}\nReport written to bench/reports/latest.{json,md}\n`);

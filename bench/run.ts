/**
 * `npm run bench`: prints figures and writes bench/reports/latest.{json,md}. Nothing here asserts a
 * time; targets are compared in the report so a slow machine shows up as a number, not a red test.
 * Cases needing AWS behaviour run on a local cloud of their own (instance "bench"), or on
 * AWS_ENDPOINT_URL when set.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbEventStore } from '../shared/event-store/dynamodb.ts';
import { createEventStoreTable } from '../shared/event-store/dynamodb-table.ts';
import { InMemoryEventStore } from '../shared/event-store/in-memory.ts';
import { acquireTestCloud } from '../test/support/local-cloud.ts';
import { benchAppendLatency } from './event-store.bench.ts';
import { benchValidation } from './validation.bench.ts';

interface Figure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly note?: string;
}

const figures: Figure[] = [];
const record = (figure: Figure) => {
  figures.push(figure);
  process.stderr.write(
    `  ${figure.name}: ${figure.value} ${figure.unit}${figure.note ? ` (${figure.note})` : ''}\n`,
  );
};
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

async function validationCases(): Promise<void> {
  process.stderr.write('▸ Event validation cost (parse + validate + upcast, median of 7 runs)\n');
  const v = await benchValidation();
  record({
    name: 'validation, small event',
    value: round(v.smallEventMicros),
    unit: 'µs/event',
    note: `${v.smallEventBytes} B, v1→v2 upcast`,
  });
  record({
    name: 'validation, small event at latest version',
    value: round(v.smallLatestEventMicros),
    unit: 'µs/event',
  });
  record({
    name: 'validation, ~100 KB event',
    value: round(v.largeEventMicros),
    unit: 'µs/event',
    note: `${v.largeEventBytes} B, ${v.largeEventItems} items`,
  });
  record({
    name: 'validation, ~100 KB SQS body incl. JSON.parse',
    value: round(v.largeSqsBodyMicros),
    unit: 'µs/event',
  });
}

async function appendCases(n: number): Promise<void> {
  process.stderr.write(`▸ Event store append latency, ${n} sequential appends\n`);
  const memory = await benchAppendLatency(new InMemoryEventStore(), n);
  record({ name: 'append p50, in-memory', value: round(memory.p50Ms, 3), unit: 'ms' });
  process.env.PIPELINE_TEST_CLOUD_INSTANCE ??= 'bench';
  const cloud = await acquireTestCloud();
  try {
    const client = new DynamoDBClient({ region: process.env.AWS_REGION ?? 'us-east-1' });
    const tableName = `bench-events-${Date.now()}`;
    await createEventStoreTable(client, tableName);
    const local = await benchAppendLatency(new DynamoDbEventStore({ client, tableName }), n);
    record({
      name: 'append p50, DynamoDB on local cloud',
      value: round(local.p50Ms),
      unit: 'ms',
      note: cloud.endpoint,
    });
    record({
      name: 'append p99, DynamoDB on local cloud',
      value: round(local.p99Ms),
      unit: 'ms',
      note: cloud.endpoint,
    });
  } finally {
    await cloud.release();
  }
}

const started = Date.now();
await validationCases();
await appendCases(Number(process.env.BENCH_APPENDS ?? 1000));
const report = {
  at: new Date().toISOString(),
  node: process.version,
  seconds: (Date.now() - started) / 1000,
  figures,
};
mkdirSync(new URL('./reports/', import.meta.url), { recursive: true });
writeFileSync(new URL('./reports/latest.json', import.meta.url), `${JSON.stringify(report, null, 2)}\n`);
const markdown = [
  `# Benchmark report (${report.at}, Node ${report.node})`,
  '',
  '| figure | value | unit | note |',
  '| --- | ---: | --- | --- |',
  ...figures.map((f) => `| ${f.name} | ${f.value} | ${f.unit} | ${f.note ?? ''} |`),
  '',
].join('\n');
writeFileSync(new URL('./reports/latest.md', import.meta.url), markdown);
process.stdout.write(`${markdown}\nReport written to bench/reports/latest.{json,md}\n`);

/**
 * The developer loop on the local cloud: how long a cold `pipeline up` takes (no cloud running, the
 * virtualenv already installed, CDK bootstrap and stack deploy included), and how long from saving a
 * handler edit to the new code answering. The edit is made to a fixture handler in a temp dir that
 * this bench deploys itself, never to the repository's handlers.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
} from '@aws-sdk/client-lambda';
import { bundleHandler, DEV_BUNDLE } from '../cli/dev/bundle.ts';
import type { DevFunction } from '../cli/dev/functions.ts';
import { pushCode } from '../cli/dev/loop.ts';
import { createZip } from '../cli/doctor/zip.ts';
import { localDir } from '../cli/paths.ts';
import { median } from './init-time.ts';
import {
  cloudStateOf,
  localClientConfig,
  phases,
  pipelineEnv,
  requireSuccess,
  runPipeline,
  stopInstance,
} from './local-cloud.ts';
import { atMost, type ReportBuilder, round } from './report.ts';

export const UP_LIMIT_SECONDS = 30;
export const EDIT_LIMIT_SECONDS = 3;

export interface DevLoopBenchOptions {
  /** Local cloud instance used for both cases. @default 'bench-up' */
  readonly instance?: string;
  /** Edits measured; the median is reported. @default 5 */
  readonly edits?: number;
}

/**
 * Source of the fixture: answers with its marker, so the answer tells which code ran. It builds an
 * SDK client and parses its config with zod at module scope like the real handlers, so its bundle
 * (about as large as theirs) costs what theirs cost to rebuild, upload and cold-start.
 */
export function fixtureSource(marker: string): string {
  return [
    "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
    "import { z } from 'zod';",
    '',
    "const config = z.object({ AWS_REGION: z.string().min(1).default('us-east-1') }).parse(process.env);",
    'const dynamo = new DynamoDBClient({ region: config.AWS_REGION });',
    '// Bench fixture: each edit changes the marker the handler answers with.',
    `export const MARKER = ${JSON.stringify(marker)};`,
    'export async function handler(): Promise<{ marker: string; client: boolean }> {',
    "  return { marker: MARKER, client: typeof dynamo.send === 'function' };",
    '}',
    '',
  ].join('\n');
}

async function markerOf(lambda: LambdaClient, name: string): Promise<string | undefined> {
  const out = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from('{}') }));
  if (out.FunctionError || !out.Payload) return undefined;
  try {
    return (JSON.parse(Buffer.from(out.Payload).toString('utf8')) as { marker?: string }).marker;
  } catch {
    return undefined;
  }
}

/** Invokes until the function answers `marker`; returns when it did (performance.now()). */
async function untilAnswers(lambda: LambdaClient, name: string, marker: string, timeoutMs = 30_000) {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if ((await markerOf(lambda, name).catch(() => undefined)) === marker) return performance.now();
    await sleep(20);
  }
  throw new Error(`the function did not answer marker ${marker} within ${timeoutMs / 1000} s`);
}

async function createFixture(lambda: LambdaClient, fn: DevFunction, entry: string): Promise<void> {
  const bundle = await bundleHandler(entry);
  const zip = createZip([
    { name: 'index.js', content: bundle.code },
    { name: 'index.js.map', content: bundle.sourceMap },
  ]);
  await lambda.send(new DeleteFunctionCommand({ FunctionName: fn.name })).catch(() => undefined);
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: fn.name,
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Role: 'arn:aws:iam::000000000000:role/bench-edit-fixture',
      Code: { ZipFile: zip },
      Timeout: 10,
      MemorySize: 256,
      Environment: { Variables: { NODE_OPTIONS: '--enable-source-maps' } },
    }),
  );
  for (let i = 0; i < 100; i++) {
    const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn.name }));
    if (config.State !== 'Pending') break;
    await sleep(100);
  }
}

async function measureEdits(report: ReportBuilder, endpoint: string, edits: number): Promise<void> {
  const lambda = new LambdaClient(localClientConfig(endpoint));
  // Under .local/ (git-ignored, inside the repository) so the fixture resolves node_modules.
  mkdirSync(localDir, { recursive: true });
  const dir = mkdtempSync(join(localDir, 'bench-edit-'));
  const entry = join(dir, 'handler.ts');
  const fn: DevFunction = {
    logicalId: 'BenchEditFixture',
    name: 'bench-edit-fixture',
    entry,
    logGroup: '/aws/lambda/bench-edit-fixture',
    stage: DEV_BUNDLE,
  };
  try {
    writeFileSync(entry, fixtureSource('v0'));
    await createFixture(lambda, fn, entry);
    await untilAnswers(lambda, fn.name, 'v0');
    const total: number[] = [];
    const bundleMs: number[] = [];
    const uploadMs: number[] = [];
    let bytes = 0;
    for (let edit = 1; edit <= edits; edit++) {
      const marker = `v${edit}`;
      const saved = performance.now();
      writeFileSync(entry, fixtureSource(marker));
      const { update } = await pushCode(lambda, fn);
      const answered = await untilAnswers(lambda, fn.name, marker);
      total.push(answered - saved);
      bundleMs.push(update.bundleMs);
      uploadMs.push(update.uploadMs);
      bytes = update.bytes;
    }
    const seconds = median(total) / 1000;
    report.record({
      name: 'handler edit → new code answering',
      value: round(seconds, 2),
      unit: 's',
      target: `≤ ${EDIT_LIMIT_SECONDS} s`,
      meets: atMost(seconds, EDIT_LIMIT_SECONDS),
      note: `median of ${edits} edits (max ${round(Math.max(...total) / 1000, 2)} s) of a ${round(bytes / 1000)} KB fixture bundle (SDK client + zod): bundle ${round(median(bundleMs))} ms, UpdateFunctionCode + wait ${round(median(uploadMs))} ms, rest is invokes until the new marker answers (cold start of the new code included); pushCode of cli/dev/loop.ts, without the 100 ms watch debounce of pipeline dev`,
    });
  } finally {
    await lambda.send(new DeleteFunctionCommand({ FunctionName: fn.name })).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Cold `pipeline up`, then edit → answer on the same cloud, then `pipeline down`. */
export async function benchDevLoop(report: ReportBuilder, options: DevLoopBenchOptions = {}): Promise<void> {
  const instance = options.instance ?? 'bench-up';
  await stopInstance(instance); // a leftover from an interrupted run would make the start warm
  try {
    const up = requireSuccess(await runPipeline(['up', '--json'], pipelineEnv(instance)), 'pipeline up');
    const seconds = up.ms / 1000;
    const result = JSON.parse(up.stdout) as { seconds?: number; upSeconds?: number };
    report.record({
      name: 'pipeline up, cold',
      value: round(seconds, 1),
      unit: 's',
      target: `≤ ${UP_LIMIT_SECONDS} s`,
      meets: atMost(seconds, UP_LIMIT_SECONDS),
      note: `spawn to exit of \`pipeline up\` (no cloud running, venv installed; command reports ${result.upSeconds ?? '?'} s, deploy ${result.seconds ?? '?'} s). Steps: ${phases(up)}`,
    });
    const endpoint = cloudStateOf(instance)?.endpoint;
    if (!endpoint) throw new Error(`no endpoint recorded for instance ${instance} after pipeline up`);
    try {
      await measureEdits(report, endpoint, options.edits ?? 5);
    } catch (error) {
      report.error('handler edit → new code answering', error, 's');
    }
  } catch (error) {
    report.error('pipeline up, cold', error, 's');
  } finally {
    await stopInstance(instance);
  }
}

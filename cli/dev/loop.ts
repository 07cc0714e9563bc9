import { type FSWatcher, watch } from 'node:fs';
import { relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  GetFunctionConfigurationCommand,
  type LambdaClient,
  UpdateFunctionCodeCommand,
} from '@aws-sdk/client-lambda';
import { clientsFor } from '../cloud/clients.ts';
import { createZip } from '../doctor/zip.ts';
import type { StackContext } from '../ops/stack-context.ts';
import { CliError, type Reporter } from '../output.ts';
import { repoRoot } from '../paths.ts';
import { type Bundle, bundleHandler } from './bundle.ts';
import { type DevFunction, devFunctions, ENTRY_TAG } from './functions.ts';

/** One code update, as `pipeline dev` reports it. */
export interface CodeUpdate {
  readonly function: string;
  readonly bytes: number;
  readonly bundleMs: number;
  readonly uploadMs: number;
}

/** Bundles, uploads and waits until the new code is the one that answers. */
export async function pushCode(
  lambda: LambdaClient,
  fn: DevFunction,
): Promise<{ bundle: Bundle; update: CodeUpdate }> {
  const started = Date.now();
  const bundle = await bundleHandler(fn.entry, fn.stage);
  const bundled = Date.now();
  const zip = createZip([
    { name: 'index.js', content: bundle.code },
    { name: 'index.js.map', content: bundle.sourceMap },
  ]);
  await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: fn.name, ZipFile: zip }));
  for (let i = 0; i < 100; i++) {
    const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn.name }));
    if (config.LastUpdateStatus !== 'InProgress') break;
    await sleep(100);
  }
  return {
    bundle,
    update: {
      function: fn.logicalId,
      bytes: bundle.bytes,
      bundleMs: bundled - started,
      uploadMs: Date.now() - bundled,
    },
  };
}

/** Functions whose bundle was built from any of the changed files. */
export function affected(bundles: ReadonlyMap<string, Bundle>, changed: ReadonlySet<string>): string[] {
  return [...bundles.entries()]
    .filter(([, b]) => [...changed].some((file) => b.inputs.has(file)))
    .map(([name]) => name);
}

/** Prints new log lines of the watched functions, polling once a second. */
async function followLogs(context: StackContext, functions: readonly DevFunction[], signal: AbortSignal) {
  const logs = clientsFor(context.target).logs;
  const since = new Map(functions.map((f) => [f.logGroup, Date.now()]));
  while (!signal.aborted) {
    for (const fn of functions) {
      const page = await logs
        .send(
          new FilterLogEventsCommand({
            logGroupName: fn.logGroup,
            startTime: (since.get(fn.logGroup) ?? 0) + 1,
          }),
        )
        .catch(() => ({ events: [] }));
      for (const event of page.events ?? []) {
        since.set(fn.logGroup, Math.max(since.get(fn.logGroup) ?? 0, event.timestamp ?? 0));
        process.stdout.write(`[${fn.logicalId}] ${(event.message ?? '').trimEnd()}\n`);
      }
    }
    await sleep(1000);
  }
}

/**
 * The inner loop: watch functions/ and shared/, rebuild only the bundles an edit touches, update
 * those functions' code in place (no deploy), and tail their logs. Ends when `signal` aborts.
 */
export async function devLoop(context: StackContext, reporter: Reporter, signal: AbortSignal): Promise<void> {
  const lambda = clientsFor(context.target).lambda;
  const functions = await devFunctions(context);
  if (functions.length === 0) {
    throw new CliError(
      `No function of ${context.stackName} has a ${ENTRY_TAG} tag.`,
      'Redeploy with `pipeline deploy` to add it.',
    );
  }
  const stages = [...new Set(functions.map((fn) => fn.stage.name))].join(', ');
  reporter.step(
    `Syncing ${functions.length} function(s) with the working tree, built as a ${stages} deploy builds them`,
  );
  const bundles = new Map<string, Bundle>();
  for (const fn of functions) {
    const { bundle, update } = await pushCode(lambda, fn);
    bundles.set(fn.name, bundle);
    reporter.detail(`${update.function}: ${update.bytes} B in ${update.bundleMs + update.uploadMs} ms`);
  }
  const pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  const flush = async () => {
    const changed = new Set(pending);
    pending.clear();
    for (const name of affected(bundles, changed)) {
      const fn = functions.find((f) => f.name === name) as DevFunction;
      try {
        const { bundle, update } = await pushCode(lambda, fn);
        bundles.set(name, bundle);
        reporter.step(
          `${fn.logicalId} updated in ${update.bundleMs + update.uploadMs} ms (bundle ${update.bundleMs} ms, ${update.bytes} B)`,
        );
      } catch (error) {
        reporter.warn(
          `${fn.logicalId} not updated: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
  };
  const onChange = (file: string) => {
    pending.add(relative(repoRoot, file));
    clearTimeout(timer);
    timer = setTimeout(() => void flush(), 100);
  };
  const watchers: FSWatcher[] = ['functions', 'shared'].map((dir) =>
    watch(`${repoRoot}${dir}`, { recursive: true }, (_event, name) => {
      if (name) onChange(`${repoRoot}${dir}/${name}`);
    }),
  );
  reporter.step(`Watching functions/ and shared/; edits go live without a deploy. Ctrl-C to stop.`);
  try {
    await followLogs(context, functions, signal);
  } finally {
    for (const watcher of watchers) watcher.close();
    clearTimeout(timer);
  }
}

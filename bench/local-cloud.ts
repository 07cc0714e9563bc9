/**
 * Local clouds of the bench. Each case runs the real `pipeline` command in a child process on an
 * instance of its own (bench-…), so a developer's cloud and the test tiers' cloud are never touched,
 * and stops only what it started.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { CloudState } from '../cli/cloud/state.ts';
import { localDir, repoRoot } from '../cli/paths.ts';
import { clientConfig } from '../shared/kit/aws/client-config.ts';

/** Credentials and region every emulator accepts; 000000000000 becomes the account on MiniStack. */
export const LOCAL_CREDENTIALS = { accessKeyId: '000000000000', secretAccessKey: 'bench' } as const;

/** SDK client options for an emulator endpoint, independent of this process's environment. */
export function localClientConfig(endpoint: string) {
  return {
    ...clientConfig({ endpoint, region: 'us-east-1', maxAttempts: 3 }),
    credentials: LOCAL_CREDENTIALS,
  };
}

/**
 * The environment of a `pipeline` child on `instance`: this process's, without anything that would
 * send it elsewhere (an endpoint set by an earlier bench case, a profile, real keys).
 */
export function pipelineEnv(instance: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of [
    'AWS_ENDPOINT_URL',
    'AWS_PROFILE',
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
    'PIPELINE_TEST_CLOUD_INSTANCE',
  ]) {
    delete env[name];
  }
  return {
    ...env,
    PIPELINE_CLOUD_INSTANCE: instance,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...extra,
  };
}

export interface PipelineRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
  /** Progress lines (`▸ …` on stderr) with the time they arrived, ms after spawn. */
  readonly steps: readonly { readonly atMs: number; readonly line: string }[];
}

/** Runs `pipeline <args>` (cli/pipeline.mjs, as `npx pipeline` does) and times it from spawn to exit. */
export function runPipeline(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 300_000,
): Promise<PipelineRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [`${repoRoot}cli/pipeline.mjs`, ...args], {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const steps: { atMs: number; line: string }[] = [];
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      for (const line of c.toString().split('\n')) {
        if (line.startsWith('▸ ')) steps.push({ atMs: performance.now() - started, line: line.slice(2) });
      }
    });
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: performance.now() - started, steps });
    });
  });
}

/** Throws with the tail of the output when a `pipeline` run failed. */
export function requireSuccess(run: PipelineRun, what: string): PipelineRun {
  if (run.code === 0) return run;
  const tail = `${run.stderr}\n${run.stdout}`.trim().split('\n').slice(-8).join(' | ');
  throw new Error(`${what} failed (exit ${run.code}): ${tail.slice(0, 600)}`);
}

/** The state `pipeline cloud start` recorded for `instance`, if any. */
export function cloudStateOf(instance: string): CloudState | undefined {
  try {
    return JSON.parse(readFileSync(`${localDir}/cloud-${instance}.json`, 'utf8')) as CloudState;
  } catch {
    return undefined;
  }
}

/** Stops the local cloud of `instance` (only ever a bench instance) with `pipeline down`. */
export async function stopInstance(instance: string): Promise<void> {
  if (!instance.startsWith('bench')) throw new Error(`refusing to stop non-bench instance ${instance}`);
  if (!cloudStateOf(instance)) return;
  await runPipeline(['down'], pipelineEnv(instance), 60_000);
}

/** "start 0.9 s → Bootstrapping… 12.0 s → …": how long each progress step of a run lasted. */
export function phases(run: PipelineRun): string {
  const marks = [{ atMs: 0, line: 'process start' }, ...run.steps];
  return marks
    .map((mark, i) => {
      const end = marks[i + 1]?.atMs ?? run.ms;
      const label = mark.line.replace(/\s*\(.*$/, '').slice(0, 48);
      return `${label} ${Math.round((end - mark.atMs) / 100) / 10} s`;
    })
    .join('; ');
}

/**
 * Starts (or reuses) the local cloud of a bench `instance` with `pipeline cloud start`; `stop` stops it
 * only when this call started it.
 */
export async function startInstance(
  instance: string,
): Promise<{ endpoint: string; stop: () => Promise<void> }> {
  const running = cloudStateOf(instance) !== undefined;
  requireSuccess(
    await runPipeline(['cloud', 'start'], pipelineEnv(instance)),
    `pipeline cloud start (${instance})`,
  );
  const endpoint = cloudStateOf(instance)?.endpoint;
  if (!endpoint) throw new Error(`pipeline cloud start recorded no endpoint for instance ${instance}`);
  return { endpoint, stop: running ? async () => {} : () => stopInstance(instance) };
}

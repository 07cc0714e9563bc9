import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';

const cli = join(import.meta.dirname, '../../cli/pipeline.mjs');

/** Stack the e2e tier deployed (see deployed-stack.setup.ts). */
export const e2eStack = process.env.PIPELINE_TEST_STACK ?? 'OrderPipeline-e2e';

export interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Changes to this process's environment for a `pipeline` child: a value replaces the inherited one,
 * `undefined` removes it (Node leaves undefined entries out of a child's environment).
 */
export type EnvChanges = Readonly<Record<string, string | undefined>>;

/** Runs `pipeline …` to completion against the test run's emulator (AWS_ENDPOINT_URL is inherited). */
export function runCli(args: readonly string[], env: EnvChanges = {}, timeoutMs = 120_000): CliRun {
  const result = spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: timeoutMs,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * Runs `pipeline …` in a child process without blocking this one (the test's own timers and pollers
 * keep running); resolves with its exit status (null when killed, e.g. on the timeout). `onStderr`
 * sees the error stream so far as it grows and may interrupt the child (SIGINT, as Ctrl-C does).
 */
export function runCliAsync(
  args: readonly string[],
  env: EnvChanges = {},
  timeoutMs = 90_000,
  onStderr?: (text: string, interrupt: () => void) => void,
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      onStderr?.(stderr, () => child.kill('SIGINT'));
    });
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** `pipeline … --json`, parsed; a non-zero exit throws with the command's stderr. */
export async function runCliJson<T>(args: readonly string[], env: Record<string, string> = {}): Promise<T> {
  const run = await runCliAsync([...args, '--json'], env);
  if (run.status !== 0) throw new Error(`pipeline ${args.join(' ')} exited ${run.status}:\n${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

/** Starts `pipeline …` in the background; `ready` resolves once stderr contains `readyText`. */
export function startCli(args: string[], readyText: string) {
  const child = spawn(process.execPath, [cli, ...args], { env: process.env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      if (stderr.includes(readyText)) resolve();
    });
    child.on('exit', () => reject(new Error(`exited before "${readyText}": ${stderr}`)));
  });
  const done = new Promise<CliRun>((resolve) => {
    child.on('exit', (status) => resolve({ status, stdout, stderr }));
  });
  return { child, ready, done, stdout: () => stdout };
}

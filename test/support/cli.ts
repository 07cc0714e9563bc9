import { execFile, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';

const cli = join(import.meta.dirname, '../../cli/pipeline.mjs');

/** Stack the e2e tier deployed (see deployed-stack.setup.ts). */
export const e2eStack = process.env.PIPELINE_TEST_STACK ?? 'OrderPipeline-e2e';

export interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `pipeline …` to completion against the test run's emulator (AWS_ENDPOINT_URL is inherited). */
export function runCli(args: string[], env: Record<string, string> = {}): CliRun {
  const result = spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * Runs `pipeline …` in a child process without blocking this one (the test's own timers and pollers
 * keep running); resolves with its exit status (null when killed, e.g. on the timeout).
 */
export function runCliAsync(
  args: readonly string[],
  env: Record<string, string> = {},
  timeoutMs = 90_000,
): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cli, ...args],
      { env: { ...process.env, ...env }, timeout: timeoutMs },
      (error, stdout, stderr) => {
        const status = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ status, stdout, stderr });
      },
    );
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

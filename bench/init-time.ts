/**
 * Module init of a bundle in a fresh `node` process, the part of a Lambda cold start our code
 * controls. Two numbers per run: the `require()` of the bundle timed inside the child, and the whole
 * child from spawn to exit (runtime start + require), which is what a cold start adds up to.
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';

/** One fresh-process load of a bundle. */
export interface InitSample {
  /** `require()` of the bundle, measured inside the child. */
  readonly requireMs: number;
  /** Spawn to exit, measured by the parent. */
  readonly processMs: number;
}

export class InitFailed extends Error {
  override readonly name = 'InitFailed';
}

/** Child script: time the require, print it; a throwing module exits non-zero with its message. */
const PROBE = [
  'const t=process.hrtime.bigint();',
  'try{require(process.argv[1]);}catch(e){process.stderr.write(String(e&&e.stack||e));process.exit(3);}',
  'process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6));',
].join('');

/**
 * Loads `file` once in a new `node` process with exactly `env` (plus PATH) and `nodeFlags`
 * (e.g. `--enable-source-maps`, which every deployed function sets through NODE_OPTIONS).
 */
export function sampleInit(
  file: string,
  env: Record<string, string>,
  nodeFlags: readonly string[] = [],
): Promise<InitSample> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [...nodeFlags, '-e', PROBE, file], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      const processMs = performance.now() - started;
      const requireMs = Number(out.trim());
      if (code !== 0 || !Number.isFinite(requireMs)) {
        const firstLines = err.trim().split('\n').slice(0, 4).join(' ');
        reject(new InitFailed(`module init failed (exit ${code}): ${firstLines.slice(0, 400)}`));
        return;
      }
      resolve({ requireMs, processMs });
    });
  });
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] as number;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] as number) + upper) / 2;
}

/** Nearest-rank percentile (p in 0..1) of unsorted samples. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] as number;
}

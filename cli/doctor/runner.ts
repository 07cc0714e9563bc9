import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Target } from '../cloud/target.ts';
import {
  type Check,
  type CheckContext,
  CheckFailed,
  type CheckResult,
  CheckSkipped,
  type CheckStatus,
  type DoctorClients,
  type PollOptions,
} from './types.ts';

export interface RunOptions {
  readonly clients: DoctorClients;
  readonly target: Target;
  /** How many checks run at once. @default 3 */
  readonly concurrency?: number;
  /** Ctrl-C: checks still running stop and clean up, checks not started are skipped. */
  readonly signal?: AbortSignal;
  readonly onStart?: (check: Check) => void;
  readonly onResult?: (result: CheckResult) => void;
  /** Progress detail of a check (shown with --verbose). */
  readonly onLog?: (check: Check, message: string) => void;
  /** @default a random 6-character id */
  readonly runId?: string;
}

/** How long a check that was told to stop may take to wind down before its resources are deleted. */
const WIND_DOWN_MS = 5_000;
/** Upper bound for one deletion, so a hanging endpoint cannot keep the run open. */
const CLEANUP_TIMEOUT_MS = 30_000;

/** Runs the checks, at most `concurrency` at a time; results come back in the order of `checks`. */
export async function runChecks(checks: readonly Check[], options: RunOptions): Promise<CheckResult[]> {
  const runId = options.runId ?? randomBytes(3).toString('hex');
  const results: CheckResult[] = new Array(checks.length);
  let next = 0;
  const worker = async () => {
    while (next < checks.length) {
      const index = next++;
      const check = checks[index] as Check;
      const result = options.signal?.aborted
        ? notRun(check, 'not run: the run was interrupted')
        : await runOne(check, runId, options);
      results[index] = result;
      options.onResult?.(result);
    }
  };
  const width = Math.max(1, Math.min(options.concurrency ?? 3, checks.length));
  await Promise.all(Array.from({ length: width }, worker));
  return results;
}

function notRun(check: Check, detail: string): CheckResult {
  return { ...describe(check), status: 'SKIP', seconds: 0, detail };
}

function describe(check: Check) {
  return { id: check.id, title: check.title, severity: check.severity ?? 'required', breaks: check.breaks };
}

async function runOne(check: Check, runId: string, options: RunOptions): Promise<CheckResult> {
  options.onStart?.(check);
  const started = performance.now();
  const cleanups = new Cleanups();
  const { status, detail } = await settle(check, options, (signal) =>
    check.run(createContext(check, runId, signal, cleanups, options)),
  );
  const leftovers = await cleanups.runAll((message) => options.onLog?.(check, message));
  const seconds = Math.round((performance.now() - started) / 100) / 10;
  return {
    ...describe(check),
    status,
    seconds,
    ...(detail ? { detail } : {}),
    ...(leftovers.length ? { leftovers } : {}),
  };
}

/** Runs the check until it settles, runs out of time or the run is interrupted. */
async function settle(
  check: Check,
  options: RunOptions,
  start: (signal: AbortSignal) => Promise<string | undefined>,
): Promise<{ status: CheckStatus; detail: string | undefined }> {
  const stop = new AbortController();
  const timeoutMs = check.timeoutMs ?? 60_000;
  const timer = setTimeout(
    () => stop.abort(new CheckFailed(`did not finish within ${timeoutMs / 1000} s`)),
    timeoutMs,
  );
  const onInterrupt = () => stop.abort(new CheckSkipped('interrupted (Ctrl-C)'));
  options.signal?.addEventListener('abort', onInterrupt, { once: true });
  const running = start(stop.signal);
  try {
    return { status: 'PASS', detail: await Promise.race([running, rejectOnAbort(stop.signal)]) };
  } catch (error) {
    // Let the check notice the abort and stop creating resources before they are deleted.
    await Promise.race([running.catch(() => undefined), sleep(WIND_DOWN_MS, undefined, { ref: false })]);
    return classify(error, check);
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onInterrupt);
  }
}

function classify(error: unknown, check: Check): { status: CheckStatus; detail: string } {
  if (error instanceof CheckSkipped) return { status: 'SKIP', detail: error.message };
  const failed: CheckStatus = (check.severity ?? 'required') === 'info' ? 'WARN' : 'FAIL';
  if (error instanceof CheckFailed) return { status: failed, detail: error.message };
  // An API call the target rejected: name the error so "not implemented" is recognisable.
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  return { status: failed, detail: `${name}: ${message}` };
}

function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

/** Deletions registered by a check; once run, anything registered later is deleted at once. */
class Cleanups {
  private readonly pending: { what: string; remove: () => Promise<unknown> }[] = [];
  private closed = false;
  private readonly late: Promise<string | undefined>[] = [];

  add(what: string, remove: () => Promise<unknown>): void {
    if (this.closed) this.late.push(attempt(what, remove));
    else this.pending.push({ what, remove });
  }

  async runAll(log: (message: string) => void): Promise<string[]> {
    this.closed = true;
    const leftovers: string[] = [];
    for (const { what, remove } of this.pending.reverse()) {
      log(`deleting ${what}`);
      const failure = await attempt(what, remove);
      if (failure) leftovers.push(failure);
    }
    for (const failure of await Promise.all(this.late)) if (failure) leftovers.push(failure);
    return leftovers;
  }
}

async function attempt(what: string, remove: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await Promise.race([
      remove(),
      // An unreferenced timer: a pending timeout must not keep the process alive after the run.
      sleep(CLEANUP_TIMEOUT_MS, undefined, { ref: false }).then(() => {
        throw new Error(`no answer within ${CLEANUP_TIMEOUT_MS / 1000} s`);
      }),
    ]);
    return undefined;
  } catch (error) {
    if (
      error instanceof Error &&
      /NotFound|NonExistent|NoSuchEntity|does not exist/i.test(`${error.name} ${error.message}`)
    ) {
      return undefined; // already gone
    }
    return `${what}: ${error instanceof Error ? error.message : String(error)}`;
  }
}

function createContext(
  check: Check,
  runId: string,
  signal: AbortSignal,
  cleanups: Cleanups,
  options: RunOptions,
): CheckContext {
  const pause = (ms: number) => sleep(ms, undefined, { signal }).catch(() => Promise.reject(signal.reason));
  return {
    clients: options.clients,
    target: options.target,
    signal,
    name: (suffix) => `doctor-${check.id}-${runId}-${suffix}`.toLowerCase().slice(0, 64),
    defer: (what, remove) => cleanups.add(what, remove),
    log: (message) => options.onLog?.(check, message),
    sleep: pause,
    poll: async <T>(probe: () => Promise<T | undefined>, poll: PollOptions): Promise<T> => {
      const deadline = performance.now() + poll.timeoutMs;
      for (;;) {
        signal.throwIfAborted();
        const value = await probe();
        if (value !== undefined) return value;
        if (performance.now() >= deadline) {
          throw new CheckFailed(`timed out after ${poll.timeoutMs / 1000} s waiting for ${poll.what}`);
        }
        await pause(poll.intervalMs ?? 250);
      }
    },
  };
}

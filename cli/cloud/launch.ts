import { spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { CliError, type Reporter } from '../output.ts';
import { cloudInstance, localDir } from '../paths.ts';
import { listenersOf, widelyBound } from './listeners.ts';
import { checkHealth, choosePort, descendants, killTree } from './ministack.ts';
import {
  type CloudState,
  clearCloudState,
  type Emulator,
  emulatorLabel,
  isAlive,
  readCloudState,
  writeCloudState,
} from './state.ts';

/** What differs between emulators once installed: how to start one and how to tell it is up. */
export interface LaunchSpec {
  readonly emulator: Emulator;
  readonly version: string;
  readonly command: string;
  readonly args: (port: number) => string[];
  readonly env: (port: number, workDir: string) => NodeJS.ProcessEnv;
  /** Called once it answers health: e.g. calls that make it start its lazy back-ends (DynamoDB Local). */
  readonly warmUp?: (endpoint: string) => Promise<void>;
  readonly preferredPort?: number;
  readonly port?: number;
  readonly timeoutMs?: number;
}

export const workDirOf = (emulator: Emulator) => `${localDir}/${emulator}-${cloudInstance()}`;
export const logFileOf = (emulator: Emulator) => `${localDir}/${emulator}-${cloudInstance()}.log`;

function logTail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log written)';
  }
}

/**
 * Stops the emulator (and all it started) unless every TCP listener of its process tree is bound to
 * loopback: a local cloud accepts any credentials, so it must not be reachable from the network.
 */
export async function refuseWideListeners(pid: number, label: string): Promise<void> {
  const wide = widelyBound(listenersOf([pid, ...descendants(pid)]));
  if (wide.length === 0) return;
  await killTree(pid);
  clearCloudState();
  throw new CliError(
    `${label} listened beyond 127.0.0.1 and was stopped: ${wide.join(', ')}.`,
    'A local cloud accepts any credentials, so it must only be reachable from this machine; see the README (local cloud) for the settings that keep it on loopback.',
  );
}

/** Starts an installed emulator on 127.0.0.1 in its own process group and waits until it is healthy. */
export async function launchEmulator(reporter: Reporter, spec: LaunchSpec): Promise<CloudState> {
  const label = emulatorLabel(spec.emulator);
  const existing = readCloudState();
  if (existing?.mode === 'local' && isAlive(existing.pid)) {
    if ((existing.emulator ?? 'ministack') !== spec.emulator) {
      throw new CliError(
        `${emulatorLabel(existing.emulator)} already runs as local cloud "${cloudInstance()}" at ${existing.endpoint}.`,
        'Stop it first (`pipeline cloud stop`), or use another instance (PIPELINE_CLOUD_INSTANCE=name).',
      );
    }
    if (await checkHealth(existing.endpoint)) {
      reporter.step(`${label} already running at ${existing.endpoint} (pid ${existing.pid})`);
      return existing;
    }
    throw new CliError(
      `${label} (pid ${existing.pid}) of local cloud "${cloudInstance()}" runs but does not answer at ${existing.endpoint}: still starting, or stuck.`,
      'Wait and try again, or `pipeline cloud stop` it first.',
    );
  }
  const workDir = workDirOf(spec.emulator);
  const logFile = logFileOf(spec.emulator);
  const port = await choosePort(spec.port, spec.preferredPort);
  mkdirSync(workDir, { recursive: true });
  const out = openSync(logFile, 'w');
  reporter.step(`Starting ${label} ${spec.version} on 127.0.0.1:${port} (log: ${logFile})`);
  const child = spawn(spec.command, spec.args(port), {
    cwd: workDir,
    detached: true,
    stdio: ['ignore', out, out],
    env: spec.env(port, workDir),
  });
  child.unref();
  const pid = child.pid;
  if (!pid) throw new CliError(`Could not start ${label} (${spec.command}).`);
  const endpoint = `http://127.0.0.1:${port}`;
  const startedAt = new Date().toISOString();
  // Recorded at once, so `pipeline cloud stop` (or an interrupted test run) finds a start in progress.
  const record = {
    mode: 'local',
    emulator: spec.emulator,
    endpoint,
    pid,
    port,
    version: spec.version,
    logFile,
    startedAt,
  } as const;
  writeCloudState(record);
  const timeoutMs = spec.timeoutMs ?? Number(process.env.PIPELINE_CLOUD_START_TIMEOUT_MS ?? 90_000);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) {
      clearCloudState();
      throw new CliError(
        `${label} exited during start-up. Last log lines:\n${logTail(logFile)}`,
        `See ${logFile}; \`pipeline cloud reset --reinstall --emulator ${spec.emulator}\` reinstalls it.`,
      );
    }
    if (await checkHealth(endpoint)) {
      const state: CloudState = record;
      try {
        await spec.warmUp?.(endpoint);
      } catch (error) {
        await killTree(pid);
        clearCloudState();
        throw new CliError(
          `${label} did not serve its first calls: ${(error as Error).message}. Last log lines:\n${logTail(logFile)}`,
          `See ${logFile}.`,
        );
      }
      await refuseWideListeners(pid, label);
      return state;
    }
    await sleep(250);
  }
  await killTree(pid);
  clearCloudState();
  throw new CliError(
    `${label} did not become healthy within ${timeoutMs / 1000} s. Last log lines:\n${logTail(logFile)}`,
    `See ${logFile}; try \`pipeline cloud start --emulator ${spec.emulator}\` again or a different --port.`,
  );
}

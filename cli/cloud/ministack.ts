import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { CliError, type Reporter } from '../output.ts';
import { cloudInstance, localDir } from '../paths.ts';
import {
  type CloudState,
  clearCloudState,
  emulatorLabel,
  isAlive,
  readCloudState,
  writeCloudState,
} from './state.ts';
import { ensurePythonTool } from './venv.ts';

/** The emulator release this project is tested against. Bump deliberately and re-run `npm test`. */
export const MINISTACK_VERSION = '1.5.33';

/** Only what the pipeline needs: fewer services, fewer listeners, faster start. */
export const MINISTACK_SERVICES = [
  'cloudformation',
  's3',
  'sts',
  'iam',
  'ssm',
  'ecr',
  'kms',
  'lambda',
  'sqs',
  'sns',
  'dynamodb',
  'dynamodbstreams',
  'events',
  'scheduler',
  'logs',
  'monitoring',
];

const venvDir = `${localDir}/venv`;
/**
 * MiniStack is started through this launcher: it installs the local cloud's run-time fix-ups (each
 * logged, each standing down once the pinned emulator behaves as AWS), then runs MiniStack's own main.
 */
const launcher = fileURLToPath(new URL('./ministack_launch.py', import.meta.url));
const workDirOf = () => `${localDir}/ministack-${cloudInstance()}`;
const logFileOf = () => `${localDir}/ministack-${cloudInstance()}.log`;

/** Finds a Python ≥ 3.10 (PYTHON overrides), or explains how to get one. */
export function findPython(): string {
  const candidates = [process.env.PYTHON, 'python3', 'python'].filter((c): c is string => Boolean(c));
  for (const candidate of candidates) {
    const probe = spawnSync(candidate, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], {
      encoding: 'utf8',
    });
    if (probe.status !== 0) continue;
    const [major = 0, minor = 0] = probe.stdout.trim().split('.').map(Number);
    if (major === 3 && minor >= 10) return candidate;
  }
  throw new CliError(
    'Python ≥ 3.10 was not found (tried $PYTHON, python3, python); the local cloud (MiniStack) needs it.',
    'Install Python 3.10+ (with the venv module), or set PYTHON=/path/to/python3, or point AWS_ENDPOINT_URL at a running emulator.',
  );
}

/** MiniStack as the project pins it, in `.local/venv`. */
const MINISTACK_TOOL = {
  label: 'MiniStack',
  venvDir,
  distribution: 'ministack',
  version: MINISTACK_VERSION,
  requirements: [`ministack==${MINISTACK_VERSION}`],
  python: findPython,
  takes: '~30 s',
} as const;

/** Creates `.local/venv` and installs the pinned MiniStack into it, once. */
export async function ensureInstalled(reporter: Reporter): Promise<void> {
  await ensurePythonTool(MINISTACK_TOOL, reporter);
}

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function anyFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });
}

/** The configured port must be free; without one, 4566 (the usual emulator port) if free, else any free port. */
export async function choosePort(configured: number | undefined, preferred = 4566): Promise<number> {
  if (configured !== undefined) {
    if (!Number.isInteger(configured) || configured < 1 || configured > 65535) {
      throw new CliError(
        `Port "${configured}" is not a valid TCP port.`,
        'Use a number between 1 and 65535.',
        2,
      );
    }
    if (!(await portIsFree(configured))) {
      throw new CliError(
        `Port ${configured} on 127.0.0.1 is already in use.`,
        'Stop whatever listens there, or pick another port with --port N (or PIPELINE_CLOUD_PORT), or omit it to use a free one.',
      );
    }
    return configured;
  }
  return (await portIsFree(preferred)) ? preferred : anyFreePort();
}

/** Health of an emulator endpoint: MiniStack, LocalStack and moto each answer one of these paths. */
export async function checkHealth(endpoint: string, timeoutMs = 2000): Promise<boolean> {
  // moto answers its dashboard at /moto-api/.
  for (const path of ['/_ministack/health', '/_localstack/health', '/moto-api/']) {
    try {
      const response = await fetch(`${endpoint}${path}`, { signal: AbortSignal.timeout(timeoutMs) });
      if (response.ok) return true;
    } catch {
      // not this one (or not up yet)
    }
  }
  return false;
}

function logTail(lines = 15): string {
  try {
    return readFileSync(logFileOf(), 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log written)';
  }
}

/** Starts the pinned MiniStack on 127.0.0.1 in its own process group and waits until it is healthy. */
export async function startMiniStack(
  reporter: Reporter,
  options: { port?: number; timeoutMs?: number; preferredPort?: number } = {},
): Promise<CloudState> {
  const existing = readCloudState();
  if (
    existing?.mode === 'local' &&
    (existing.emulator ?? 'ministack') === 'ministack' &&
    isAlive(existing.pid) &&
    (await checkHealth(existing.endpoint))
  ) {
    reporter.step(`Local cloud already running at ${existing.endpoint} (pid ${existing.pid})`);
    return existing;
  }
  await ensureInstalled(reporter);
  const workDir = workDirOf();
  const logFile = logFileOf();
  const port = await choosePort(options.port, options.preferredPort);
  mkdirSync(`${workDir}/tmp`, { recursive: true });
  // Lambda code is unpacked under .local/, inside this repository whose package.json says
  // "type": "module". Node would then load the CommonJS bundles (and the emulator's worker) as ESM
  // and they die at once. On AWS /var/task has no such parent; this boundary file restores that.
  writeFileSync(
    `${localDir}/package.json`,
    `${JSON.stringify({ description: 'Module boundary for Lambda code run by the local cloud', type: 'commonjs' }, null, 2)}\n`,
  );
  const out = openSync(logFile, 'w');
  reporter.step(`Starting MiniStack ${MINISTACK_VERSION} on 127.0.0.1:${port} (log: ${logFile})`);
  reporter.warn(
    `local-cloud fix-up: MiniStack ignores SQS batching windows (MaximumBatchingWindowInSeconds) and polls DynamoDB streams in its SQS poll thread; its launcher applies the windows and gives the streams a thread of their own (cli/cloud/ministack_launch.py; what it did is in ${logFile})`,
  );
  const child = spawn(`${venvDir}/bin/python`, [launcher], {
    cwd: workDir,
    detached: true,
    stdio: ['ignore', out, out],
    env: {
      ...process.env,
      BIND_HOST: '127.0.0.1',
      // Queue URLs and other generated endpoints then name the address we listen on, not "localhost"
      // (which may resolve to ::1, where nothing listens).
      MINISTACK_HOST: '127.0.0.1',
      GATEWAY_PORT: String(port),
      SERVICES: MINISTACK_SERVICES.join(','),
      // MiniStack opens an MQTT (IoT) and an SFTP listener by default; the pipeline needs neither.
      IOT_MTLS_ENABLED: '0',
      SFTP_ENABLED: '0',
      MINISTACK_ACCOUNT_ID: '000000000000',
      TMPDIR: `${workDir}/tmp`,
      // Lambda workers inherit this environment and run on the host's Node.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      S3_DATA_DIR: `${workDir}/s3`,
    },
  });
  child.unref();
  const pid = child.pid;
  if (!pid)
    throw new CliError(`Could not start MiniStack (${launcher}).`, 'Run `pipeline cloud reset --reinstall`.');
  const endpoint = `http://127.0.0.1:${port}`;
  const timeoutMs = options.timeoutMs ?? Number(process.env.PIPELINE_CLOUD_START_TIMEOUT_MS ?? 60_000);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) {
      throw new CliError(
        `MiniStack exited during start-up. Last log lines:\n${logTail()}`,
        `See ${logFile}; \`pipeline cloud reset --reinstall\` reinstalls the emulator.`,
      );
    }
    if (await checkHealth(endpoint)) {
      const state: CloudState = {
        mode: 'local',
        emulator: 'ministack',
        endpoint,
        pid,
        port,
        version: MINISTACK_VERSION,
        logFile,
        startedAt: new Date().toISOString(),
      };
      writeCloudState(state);
      return state;
    }
    await sleep(250);
  }
  await killTree(pid);
  throw new CliError(
    `MiniStack did not become healthy within ${timeoutMs / 1000} s. Last log lines:\n${logTail()}`,
    `See ${logFile}; try \`pipeline cloud start\` again or a different --port.`,
  );
}

/** Pids of every descendant of `pid` (Lambda workers are children of the emulator). */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // the process ended while we looked
    }
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const next = queue.shift() as number;
    for (const child of children.get(next) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

function signal(pids: number[], name: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, name);
    } catch {
      // already gone
    }
  }
}

/** Stops a process and everything it started: TERM, a grace period, then KILL. No orphans. */
export async function killTree(pid: number, graceMs = 5000): Promise<void> {
  const tree = existsSync('/proc') ? [pid, ...descendants(pid)] : [pid];
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    // not a group leader (or gone): signal one by one
  }
  signal(tree, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && tree.some(isAlive)) await sleep(100);
  signal(tree.filter(isAlive), 'SIGKILL');
}

/** Stops the local cloud this project started (whichever emulator); its in-memory state goes with it. */
export async function stopMiniStack(reporter: Reporter): Promise<boolean> {
  const state = readCloudState();
  if (state?.mode !== 'local' || !isAlive(state.pid)) {
    clearCloudState();
    return false;
  }
  reporter.step(`Stopping ${emulatorLabel(state.emulator)} (pid ${state.pid})`);
  await killTree(state.pid as number);
  clearCloudState();
  return true;
}

/** Wipes every resource in the emulator without restarting it. */
export async function resetMiniStack(endpoint: string): Promise<void> {
  const response = await fetch(`${endpoint}/_ministack/reset`, { method: 'POST' });
  if (!response.ok) {
    throw new CliError(
      `Reset failed: ${response.status} ${await response.text()}`,
      'Only a MiniStack endpoint can be reset this way; `pipeline cloud stop && pipeline cloud start` always works.',
    );
  }
}

/** Removes the virtualenv so the next start installs the pinned MiniStack afresh. */
export function uninstall(): void {
  rmSync(venvDir, { recursive: true, force: true });
}

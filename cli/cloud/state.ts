import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cloudInstance, localDir } from '../paths.ts';

/** What `pipeline cloud start` recorded so other commands (and tests) find the same endpoint. */
export interface CloudState {
  /** `local`: a MiniStack this project started; `external`: AWS_ENDPOINT_URL pointed elsewhere. */
  readonly mode: 'local' | 'external';
  /** Which emulator a `local` cloud runs; absent in states written before there was a choice (MiniStack). */
  readonly emulator?: Emulator;
  readonly endpoint: string;
  readonly pid?: number;
  readonly port?: number;
  readonly version?: string;
  readonly logFile?: string;
  readonly startedAt: string;
}

/** The emulators `pipeline cloud start --emulator` can install and run. */
export const EMULATORS = ['ministack', 'localstack', 'moto'] as const;
export type Emulator = (typeof EMULATORS)[number];

export function emulatorLabel(emulator: Emulator | undefined): string {
  return { ministack: 'MiniStack', localstack: 'LocalStack', moto: 'moto' }[emulator ?? 'ministack'];
}

const stateFile = () => `${localDir}/cloud-${cloudInstance()}.json`;

export function readCloudState(): CloudState | undefined {
  try {
    return JSON.parse(readFileSync(stateFile(), 'utf8')) as CloudState;
  } catch {
    return undefined;
  }
}

export function writeCloudState(state: CloudState): void {
  mkdirSync(localDir, { recursive: true });
  writeFileSync(stateFile(), `${JSON.stringify(state, null, 2)}\n`);
}

export function clearCloudState(): void {
  rmSync(stateFile(), { force: true });
}

/** True when a process with this id exists (signal 0 only checks). */
export function isAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

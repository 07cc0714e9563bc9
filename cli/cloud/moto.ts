import { rmSync } from 'node:fs';
import type { Reporter } from '../output.ts';
import { localDir } from '../paths.ts';
import { launchEmulator } from './launch.ts';
import { findPython } from './ministack.ts';
import type { CloudState } from './state.ts';
import { LOCAL_ACCOUNT } from './target.ts';
import { ensurePythonTool } from './venv.ts';

/** The moto release the int tier is also run against. Bump deliberately and re-run `npm test`. */
export const MOTO_VERSION = '5.2.5';

const venvDir = `${localDir}/venv-moto`;

/** Creates `.local/venv-moto` and installs the pinned moto server into it, once (~2 min). */
export async function ensureMotoInstalled(reporter: Reporter): Promise<void> {
  await ensurePythonTool(
    {
      label: 'moto',
      venvDir,
      distribution: 'moto',
      version: MOTO_VERSION,
      requirements: [`moto[server]==${MOTO_VERSION}`],
      python: findPython,
      takes: '~2 min',
    },
    reporter,
  );
}

/**
 * moto's environment: its default account is 123456789012; the project (template patches, tests,
 * the other emulators) assumes 000000000000.
 */
export function motoEnvironment(base: NodeJS.ProcessEnv, workDir: string): NodeJS.ProcessEnv {
  return { ...base, MOTO_ACCOUNT_ID: LOCAL_ACCOUNT, TMPDIR: workDir };
}

/** `moto_server` arguments: bound to loopback only. */
export function motoArgs(port: number): string[] {
  return ['-H', '127.0.0.1', '-p', String(port)];
}

export async function startMoto(
  reporter: Reporter,
  options: { port?: number; preferredPort?: number } = {},
): Promise<CloudState> {
  await ensureMotoInstalled(reporter);
  return launchEmulator(reporter, {
    emulator: 'moto',
    version: MOTO_VERSION,
    command: `${venvDir}/bin/moto_server`,
    args: motoArgs,
    env: (_port, workDir) => motoEnvironment(process.env, workDir),
    ...options,
  });
}

/** Wipes every resource in a running moto. */
export async function resetMoto(endpoint: string): Promise<boolean> {
  const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
  return response.ok;
}

export function uninstallMoto(): void {
  rmSync(venvDir, { recursive: true, force: true });
}

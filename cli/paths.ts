import { fileURLToPath } from 'node:url';

/** Repository root; the CLI always works relative to it, wherever it is started from. */
export const repoRoot = fileURLToPath(new URL('../', import.meta.url));

/** Project-local, git-ignored working area: the emulator's virtualenv, its state, logs, stack outputs. */
export const localDir = process.env.PIPELINE_LOCAL_DIR ?? `${repoRoot}.local`;

/**
 * Several local clouds can coexist (your `pipeline up` and the one `npm test` starts): each instance
 * has its own state file, working directory and log. The virtualenv is shared.
 */
export function cloudInstance(): string {
  return process.env.PIPELINE_CLOUD_INSTANCE ?? 'default';
}

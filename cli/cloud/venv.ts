import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { CliError, type Reporter } from '../output.ts';

/** A Python tool the project installs pinned into a virtualenv of its own under `.local/`. */
export interface PinnedPythonTool {
  /** Shown in progress lines: "MiniStack", "moto". */
  readonly label: string;
  /** The virtualenv's directory. */
  readonly venvDir: string;
  /** The distribution whose installed version is checked (`ministack`, `moto`, `localstack-core`). */
  readonly distribution: string;
  readonly version: string;
  /** pip requirement specifiers: the tool (with extras) and any pins it needs beside it. */
  readonly requirements: readonly string[];
  /** The interpreter the virtualenv is created with; called only when one must be created. */
  readonly python: () => string;
  /** Shown with the install step, e.g. "~2 min". */
  readonly takes: string;
}

/** The distribution's version installed in the virtualenv, or undefined when it has none. */
export function installedVersion(
  tool: Pick<PinnedPythonTool, 'venvDir' | 'distribution'>,
): string | undefined {
  const python = `${tool.venvDir}/bin/python`;
  if (!existsSync(python)) return undefined;
  const probe = spawnSync(
    python,
    ['-c', `import importlib.metadata as m; print(m.version(${JSON.stringify(tool.distribution)}))`],
    { encoding: 'utf8' },
  );
  return probe.status === 0 ? probe.stdout.trim() : undefined;
}

/**
 * Makes the virtualenv hold exactly the pinned version: nothing to do when it does; otherwise the
 * virtualenv is created (if missing) and pip installs the requirements, with progress on the terminal.
 */
export async function ensurePythonTool(tool: PinnedPythonTool, reporter: Reporter): Promise<void> {
  if (installedVersion(tool) === tool.version) return;
  mkdirSync(dirname(tool.venvDir), { recursive: true });
  if (!existsSync(`${tool.venvDir}/bin/python`)) {
    const python = tool.python();
    reporter.step(`Creating a Python virtualenv in ${tool.venvDir} (${python})`);
    await run(
      python,
      ['-m', 'venv', tool.venvDir],
      'create the virtualenv (is the python3-venv package installed?)',
    );
  }
  reporter.step(
    `Installing ${tool.label} ${tool.version} into ${tool.venvDir} (first run only, ${tool.takes})`,
  );
  await run(
    `${tool.venvDir}/bin/python`,
    ['-m', 'pip', 'install', '--disable-pip-version-check', '--quiet', ...tool.requirements],
    `install ${tool.label} from PyPI (check network access to pypi.org)`,
  );
}

/** Runs an install step with its output on this terminal; a failure says what could not be done. */
export function run(command: string, args: string[], what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', (error) => reject(new CliError(`Could not ${what}: ${error.message}`)));
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new CliError(`Could not ${what}: exit code ${code}`)),
    );
  });
}

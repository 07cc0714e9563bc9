import { type Command, Option } from 'commander';
import { applyTarget, resolveTarget, type Target } from '../cloud/target.ts';
import { allChecks } from '../doctor/checks/index.ts';
import { doctorClients } from '../doctor/clients.ts';
import { preflight } from '../doctor/preflight.ts';
import { buildReport, exitCode, progressLine, renderReport } from '../doctor/report.ts';
import { runChecks } from '../doctor/runner.ts';
import type { Check } from '../doctor/types.ts';
import { CliError, type Reporter, table } from '../output.ts';
import { globals } from './common.ts';
import { numberIn } from './numbers.ts';

interface DoctorOptions {
  readonly only?: string;
  readonly concurrency: number;
  readonly list?: boolean;
}

export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description(
      'Probe the target (local cloud, AWS_ENDPOINT_URL, or AWS) for each AWS behaviour the pipeline relies on.\n' +
        'Every check creates throwaway resources named doctor-* and deletes them, even on failure or Ctrl-C.\n' +
        'Exit code 0 when every required check passes (warnings and skips do not fail the run).',
    )
    .option('--only <ids>', 'run only these checks (comma-separated ids; see --list)')
    .addOption(
      new Option('--concurrency <n>', 'checks run at once (1–16)')
        .argParser(numberIn({ min: 1, max: 16 }))
        .default(3),
    )
    .option('--list', 'list the checks and exit')
    .action(async (options: DoctorOptions, command: Command) => {
      const { reporter } = globals(command);
      if (options.list) return listChecks(reporter);
      const checks = selectChecks(options.only);
      const { concurrency } = options;
      const target = resolveTarget();
      applyTarget(target);
      const account = await preflight(target);
      // Said once, here: the CLI silences the SDK's per-command notice (cli/pipeline.mjs).
      const nodeMajor = Number(process.versions.node.split('.')[0]);
      if (nodeMajor < 22)
        reporter.warn(
          `Node.js ${process.versions.node}: AWS SDK releases after the first week of January 2027 need Node.js ≥ 22 (the functions already run on nodejs22.x); upgrade when you can.`,
        );
      reporter.step(
        `Probing ${describeTarget(target, account)} with ${checks.length} check${checks.length === 1 ? '' : 's'} ` +
          `(${concurrency} at a time); ` +
          'throwaway resources are named doctor-*',
      );
      process.exitCode = await runDoctor(checks, target, concurrency, reporter);
    });
}

async function runDoctor(
  checks: readonly Check[],
  target: Target,
  concurrency: number,
  reporter: Reporter,
): Promise<number> {
  const interrupt = new AbortController();
  const onSignal = () => {
    if (interrupt.signal.aborted) process.exit(130);
    reporter.warn('Interrupted: deleting the probe resources (press Ctrl-C again to quit at once)');
    interrupt.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const clients = doctorClients(target);
  const started = performance.now();
  let done = 0;
  try {
    const results = await runChecks(checks, {
      clients,
      target,
      concurrency,
      signal: interrupt.signal,
      onStart: (check) => reporter.detail(`${check.id}: started`),
      onLog: (check, message) => reporter.detail(`${check.id}: ${message}`),
      onResult: (result) => {
        reporter.step(progressLine(result, ++done, checks.length));
        for (const leftover of result.leftovers ?? []) reporter.warn(`not deleted: ${leftover}`);
      },
    });
    const seconds = Math.round((performance.now() - started) / 100) / 10;
    const where = {
      kind: target.kind,
      region: target.region,
      ...(target.endpoint ? { endpoint: target.endpoint } : {}),
    };
    const report = buildReport(results, where, seconds, interrupt.signal.aborted);
    reporter.result(report, () => renderReport(report));
    if (interrupt.signal.aborted)
      throw new CliError('Interrupted; the probe resources were deleted.', undefined, 130);
    return exitCode(report);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    clients.destroy();
  }
}

function describeTarget(target: Target, account: string | undefined): string {
  const who = account ? `account ${account}, ` : '';
  if (target.kind === 'aws') return `AWS (${who}${target.region})`;
  const what = target.kind === 'local' ? 'the local cloud' : 'AWS_ENDPOINT_URL';
  return `${what} at ${target.endpoint} (${who}${target.region})`;
}

function selectChecks(only: string | undefined): Check[] {
  if (!only) return [...allChecks];
  const ids = only
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean);
  const known = new Set(allChecks.map((check) => check.id));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length > 0 || ids.length === 0) {
    throw new CliError(
      `Unknown check id${unknown.length === 1 ? '' : 's'}: ${unknown.join(', ') || '(none given)'}.`,
      `Known checks: ${[...known].join(', ')} (pipeline doctor --list).`,
      2,
    );
  }
  return allChecks.filter((check) => ids.includes(check.id));
}

function listChecks(reporter: Reporter): void {
  const rows = allChecks.map((check) => ({
    id: check.id,
    title: check.title,
    severity: check.severity ?? 'required',
    breaks: check.breaks,
  }));
  reporter.result(rows, () =>
    table([['CHECK', 'SEVERITY', 'WHAT IT PROBES'], ...rows.map((r) => [r.id, r.severity, r.title])]),
  );
}

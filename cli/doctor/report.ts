import { table } from '../output.ts';
import type { CheckResult, CheckStatus } from './types.ts';

/** What `pipeline doctor --json` prints. */
export interface DoctorReport {
  /** True when no required check failed (SKIP and WARN do not fail a run) and the run was not interrupted. */
  readonly ok: boolean;
  /** Ctrl-C ended the run early: the checks that did not finish are SKIP. */
  readonly interrupted: boolean;
  readonly target: { readonly kind: string; readonly endpoint?: string; readonly region: string };
  readonly seconds: number;
  readonly summary: Readonly<Record<CheckStatus, number>>;
  readonly checks: readonly CheckResult[];
}

export function buildReport(
  results: readonly CheckResult[],
  target: DoctorReport['target'],
  seconds: number,
  interrupted = false,
): DoctorReport {
  const summary: Record<CheckStatus, number> = { PASS: 0, FAIL: 0, WARN: 0, SKIP: 0 };
  for (const result of results) summary[result.status]++;
  return { ok: summary.FAIL === 0 && !interrupted, interrupted, target, seconds, summary, checks: results };
}

/** 0 when every required check that ran passed, 1 otherwise. */
export function exitCode(report: Pick<DoctorReport, 'ok'>): number {
  return report.ok ? 0 : 1;
}

/** "12 passed, 1 failed, 1 warning, 1 skipped in 31.4 s — …" */
export function summaryLine(report: DoctorReport): string {
  const { PASS, FAIL, WARN, SKIP } = report.summary;
  const parts = [`${PASS} passed`];
  if (FAIL) parts.push(`${FAIL} failed`);
  if (WARN) parts.push(`${WARN} warning${WARN === 1 ? '' : 's'}`);
  if (SKIP) parts.push(`${SKIP} skipped`);
  const where = report.target.endpoint ?? `AWS ${report.target.region}`;
  const verdict = report.interrupted
    ? 'interrupted, so some checks did not run'
    : report.ok
      ? 'every required behaviour holds'
      : 'the pipeline will misbehave here (see FAIL rows)';
  return `${parts.join(', ')} in ${report.seconds.toFixed(1)} s on ${where}: ${verdict}.`;
}

/** The table (one row per check, with the finding beneath any row that did not pass) and the summary. */
export function renderReport(report: DoctorReport): string {
  const rows: string[][] = [['CHECK', 'RESULT', 'SECONDS', 'WHAT BREAKS IF IT FAILS']];
  for (const check of report.checks) {
    rows.push([check.id, check.status, check.seconds.toFixed(1), check.breaks]);
  }
  const lines = table(rows).split('\n');
  const out = [lines[0] as string];
  report.checks.forEach((check, index) => {
    out.push(lines[index + 1] as string);
    if (check.status !== 'PASS' && check.detail) out.push(`  └ ${check.detail}`);
    for (const leftover of check.leftovers ?? []) out.push(`  └ not deleted: ${leftover}`);
  });
  return [...out, '', summaryLine(report)].join('\n');
}

/** The progress line printed as each check finishes. */
export function progressLine(result: CheckResult, done: number, total: number): string {
  const finding = result.detail ? ` — ${result.detail}` : '';
  return `[${done}/${total}] ${result.status} ${result.id} (${result.seconds.toFixed(1)} s)${finding}`;
}

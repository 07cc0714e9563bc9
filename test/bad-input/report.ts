import { markdownTable } from '../../cli/output.ts';
/**
 * The bad-input report: one row per case (edge | case | sent | outcome | reason seen | ok?), a count
 * per edge, the "nothing else affected" checks and the emulator gaps met on the way.
 */
import { EDGES, type Edge } from './cases.ts';
import type { CaseResult, SuiteReport } from './suite.ts';

/** Cases and how many met their expectation, per edge. */
export interface EdgeCount {
  readonly edge: Edge;
  readonly cases: number;
  readonly met: number;
  readonly gaps: number;
}

export function countByEdge(results: readonly CaseResult[]): EdgeCount[] {
  return EDGES.map((edge) => {
    const of = results.filter((r) => r.edge === edge);
    return {
      edge,
      cases: of.length,
      met: of.filter((r) => r.ok).length,
      gaps: of.filter((r) => r.gap !== undefined).length,
    };
  }).filter((count) => count.cases > 0);
}

/** True when every case met its expectation and every side check passed. */
export function passed(report: Pick<SuiteReport, 'results' | 'checks'>): boolean {
  return report.results.every((r) => r.ok) && report.checks.every((c) => c.ok);
}

function okCell(result: CaseResult): string {
  if (!result.ok) return '**NO**';
  return result.gap === undefined ? 'ok' : 'ok (emulator gap)';
}

function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** The report as Markdown. */
export function renderBadInputReport(report: SuiteReport): string {
  const rows = report.results.map((r) => [
    r.edge,
    `${r.name} (${r.id})`,
    clip(r.sent, 80),
    clip(r.outcome, 70),
    clip(r.reason, 140) || '—',
    okCell(r),
  ]);
  const counts = countByEdge(report.results).map((c) => [
    c.edge,
    String(c.cases),
    String(c.met),
    String(c.gaps),
  ]);
  const total = report.results.length;
  const met = report.results.filter((r) => r.ok).length;
  const failures = report.results.filter((r) => !r.ok);
  const gaps = report.results.filter((r) => r.gap !== undefined);
  const lines = [
    '# Bad-input suite',
    '',
    `Run ${report.runId} on ${report.stackName} (${report.target}), ${report.startedAt}, ${report.seconds} s: ` +
      `${met}/${total} cases met their expectation; ` +
      `${report.checks.filter((c) => c.ok).length}/${report.checks.length} side checks passed.`,
    '',
    markdownTable(['edge', 'case', 'sent', 'outcome', 'reason seen', 'ok?'], rows),
    '',
    markdownTable(['edge', '>cases', '>met', '>emulator gaps'], counts),
    '',
    '## Nothing else affected',
    '',
    markdownTable(
      ['check', 'ok?', 'detail'],
      report.checks.map((c) => [c.name, c.ok ? 'ok' : '**NO**', clip(c.detail, 160)]),
    ),
  ];
  if (failures.length > 0) {
    lines.push('', '## Not met', '');
    for (const f of failures)
      lines.push(`- **${f.id}** (expected ${clip(f.expected, 160)}): ${f.problems.join('; ')}`);
  }
  if (gaps.length > 0) {
    lines.push('', '## Emulator gaps', '');
    for (const g of gaps) lines.push(`- **${g.id}**: ${g.gap}`);
  }
  lines.push('');
  return lines.join('\n');
}

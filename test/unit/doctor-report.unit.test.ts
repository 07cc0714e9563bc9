import { describe, expect, it } from 'vitest';
import { buildReport, exitCode, progressLine, renderReport, summaryLine } from '../../cli/doctor/report.ts';
import type { CheckResult, CheckStatus, Severity } from '../../cli/doctor/types.ts';

const local = { kind: 'local', endpoint: 'http://127.0.0.1:4566', region: 'us-east-1' };

function result(
  id: string,
  status: CheckStatus,
  severity: Severity = 'required',
  detail?: string,
): CheckResult {
  return {
    id,
    title: `title of ${id}`,
    severity,
    status,
    seconds: 1.25,
    breaks: `what ${id} breaks`,
    ...(detail ? { detail } : {}),
  };
}

describe('doctor report: aggregation and exit code', () => {
  it('passes when every required check passes', () => {
    const report = buildReport([result('a', 'PASS'), result('b', 'PASS')], local, 3);
    expect(report.ok).toBe(true);
    expect(exitCode(report)).toBe(0);
    expect(report.summary).toEqual({ PASS: 2, FAIL: 0, WARN: 0, SKIP: 0 });
  });

  it('fails when one required check fails', () => {
    const report = buildReport([result('a', 'PASS'), result('b', 'FAIL', 'required', 'boom')], local, 3);
    expect(report.ok).toBe(false);
    expect(exitCode(report)).toBe(1);
  });

  it('does not fail on warnings (failed info checks) or skipped checks', () => {
    const report = buildReport(
      [
        result('a', 'PASS'),
        result('b', 'WARN', 'info', 'ignored'),
        result('c', 'SKIP', 'required', 'no sdk'),
      ],
      local,
      3,
    );
    expect(exitCode(report)).toBe(0);
    expect(report.summary).toEqual({ PASS: 1, FAIL: 0, WARN: 1, SKIP: 1 });
  });

  it('fails an interrupted run even if everything that ran passed', () => {
    const report = buildReport([result('a', 'PASS'), result('b', 'SKIP')], local, 1, true);
    expect(report.interrupted).toBe(true);
    expect(exitCode(report)).toBe(1);
    expect(summaryLine(report)).toMatch(/interrupted/);
  });
});

describe('doctor report: rendering', () => {
  it('prints one row per check with result, seconds and what it would break', () => {
    // Arrange
    const report = buildReport([result('sqs-redrive', 'PASS', 'required', 'moved after 2')], local, 2.5);

    // Act
    const lines = renderReport(report).split('\n');

    // Assert
    expect(lines[0]).toMatch(/^CHECK\s+RESULT\s+SECONDS\s+WHAT BREAKS IF IT FAILS$/);
    expect(lines[1]).toMatch(/^sqs-redrive\s+PASS\s+1\.3\s+what sqs-redrive breaks$/);
    expect(lines).not.toContain('  └ moved after 2');
  });

  it('explains every row that did not pass, and any probe resource left behind', () => {
    const failed: CheckResult = {
      ...result('x', 'FAIL', 'required', 'expected 1, got 2'),
      leftovers: ['queue q: denied'],
    };
    const text = renderReport(buildReport([failed, result('y', 'SKIP', 'required', 'no sdk')], local, 2));
    expect(text).toContain('  └ expected 1, got 2');
    expect(text).toContain('  └ not deleted: queue q: denied');
    expect(text).toContain('  └ no sdk');
  });

  it('ends with a summary naming counts, time and target', () => {
    const report = buildReport(
      [result('a', 'PASS'), result('b', 'FAIL'), result('c', 'WARN', 'info'), result('d', 'SKIP')],
      local,
      12.34,
    );
    expect(summaryLine(report)).toBe(
      '1 passed, 1 failed, 1 warning, 1 skipped in 12.3 s on http://127.0.0.1:4566: the pipeline will misbehave here (see FAIL rows).',
    );
    expect(renderReport(report).split('\n').at(-1)).toBe(summaryLine(report));
  });

  it('names the AWS region when there is no endpoint', () => {
    const report = buildReport([result('a', 'PASS')], { kind: 'aws', region: 'eu-west-1' }, 1);
    expect(summaryLine(report)).toBe('1 passed in 1.0 s on AWS eu-west-1: every required behaviour holds.');
  });

  it('prints a progress line per finished check', () => {
    expect(progressLine(result('sqs-fifo', 'PASS', 'required', 'in order'), 2, 13)).toBe(
      '[2/13] PASS sqs-fifo (1.3 s) — in order',
    );
  });
});

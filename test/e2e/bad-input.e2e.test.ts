import { beforeAll, describe, expect, inject, it } from 'vitest';
import { clientConfig } from '../../shared/kit/aws/client-config.ts';
import { buildCases, EDGES } from '../bad-input/cases.ts';
import { renderBadInputReport } from '../bad-input/report.ts';
import { type CaseResult, runBadInputSuite, SIDE_CHECKS, type SuiteReport } from '../bad-input/suite.ts';
import { e2eStack, runCliAsync } from '../support/cli.ts';

const outputs = inject('stackOutputs');
const endpoint = inject('endpoint');
/** The e2e tier runs on a local emulator whenever it has an endpoint: known emulator gaps apply. */
const emulator = Boolean(endpoint);
/** The case list is the same for every run; only markers change. */
const cases = buildCases({ runId: 'list', stockedSku: 'list' });

/**
 * Issue #7's bad-input suite against the deployed e2e stack: every case is sent at its edge first
 * (CLI inject, PutEvents, raw SQS body, event-store stream record, SNS message), then the DLQs, the
 * read model and the outbox publisher's log are polled once for all of them. Each case is one test;
 * a case the emulator handles unlike AWS is named "emulator gap" and asserts what the emulator does.
 */
describe('bad input at every edge: a clear error or a DLQ entry with its reason, nothing else affected', () => {
  let report: SuiteReport;

  beforeAll(async () => {
    report = await runBadInputSuite(
      {
        emulator,
        stackName: e2eStack,
        outputs,
        clientConfig: clientConfig({ region: process.env.AWS_REGION ?? 'us-east-1', endpoint }),
        cli: async (args) => {
          const run = await runCliAsync(args, endpoint ? { AWS_ENDPOINT_URL: endpoint } : {}, 120_000);
          return { code: run.status, stderr: run.stderr };
        },
      },
      { timeoutMs: 120_000, settleMs: 3_000 },
    );
    process.stdout.write(`${renderBadInputReport(report)}\n`);
  }, 300_000);

  const resultOf = (id: string): CaseResult => {
    const result = report.results.find((r) => r.id === id);
    if (!result) throw new Error(`no result for case ${id}`);
    return result;
  };

  it('has at least 25 cases, and cases at every edge', () => {
    expect(cases.length).toBeGreaterThanOrEqual(25);
    for (const edge of EDGES) expect(cases.filter((c) => c.edge === edge).length, edge).toBeGreaterThan(0);
  });

  for (const edge of EDGES) {
    describe(edge, () => {
      for (const c of cases.filter((x) => x.edge === edge)) {
        const gap = emulator && c.emulator !== undefined;
        it(`${gap ? 'emulator gap: ' : ''}${c.name} (${c.id}): ${c.sent}`, () => {
          const result = resultOf(c.id);
          expect(result.problems, `${result.outcome}; reason seen: ${result.reason}`).toEqual([]);
          expect(result.ok).toBe(true);
          expect(result.gap).toBe(gap ? c.emulator?.gap : undefined);
        });
      }
    });
  }

  describe('nothing else affected', () => {
    for (const name of Object.values(SIDE_CHECKS)) {
      it(name, () => {
        const check = report.checks.find((c) => c.name === name);
        expect(check?.detail).toBeDefined();
        expect(check?.ok, check?.detail).toBe(true);
      });
    }
  });
});

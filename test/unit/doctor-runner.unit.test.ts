import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { Target } from '../../cli/cloud/target.ts';
import { runChecks } from '../../cli/doctor/runner.ts';
import { type Check, CheckFailed, CheckSkipped, type DoctorClients } from '../../cli/doctor/types.ts';

const target: Target = { kind: 'endpoint', endpoint: 'http://127.0.0.1:1', region: 'us-east-1', env: {} };
const options = { clients: {} as DoctorClients, target, runId: 'abc123' };

function check(id: string, run: Check['run'], extra: Partial<Check> = {}): Check {
  return { id, title: id, breaks: `${id} breaks`, run, ...extra };
}

describe('runChecks: outcomes', () => {
  it('reports PASS with the finding, and deletes what the check created, last created first', async () => {
    // Arrange
    const deleted: string[] = [];
    const probe = check('a', async (ctx) => {
      ctx.defer('queue', async () => deleted.push('queue'));
      ctx.defer('subscription', async () => deleted.push('subscription'));
      return 'fine';
    });

    // Act
    const [result] = await runChecks([probe], options);

    // Assert
    expect(result).toMatchObject({ id: 'a', status: 'PASS', severity: 'required', detail: 'fine' });
    expect(deleted).toEqual(['subscription', 'queue']);
  });

  it('reports FAIL with the reason and still deletes everything', async () => {
    const deleted: string[] = [];
    const [result] = await runChecks(
      [
        check('a', async (ctx) => {
          ctx.defer('queue', async () => deleted.push('queue'));
          throw new CheckFailed('received 3 times');
        }),
      ],
      options,
    );
    expect(result).toMatchObject({ status: 'FAIL', detail: 'received 3 times' });
    expect(deleted).toEqual(['queue']);
  });

  it('reports a failed info check as WARN', async () => {
    const failing = check('a', async () => Promise.reject(new CheckFailed('ignored')), { severity: 'info' });
    const [result] = await runChecks([failing], options);
    expect(result).toMatchObject({ status: 'WARN', severity: 'info', detail: 'ignored' });
  });

  it('names the error an API call failed with, so unsupported operations are recognisable', async () => {
    const error = Object.assign(new Error('Unrecognized resource types'), { name: 'ValidationError' });
    const [result] = await runChecks([check('a', async () => Promise.reject(error))], options);
    expect(result).toMatchObject({ status: 'FAIL', detail: 'ValidationError: Unrecognized resource types' });
  });

  it('reports SKIP with the reason when a check cannot run', async () => {
    const [result] = await runChecks(
      [check('a', async () => Promise.reject(new CheckSkipped('package missing')))],
      options,
    );
    expect(result).toMatchObject({ status: 'SKIP', detail: 'package missing' });
  });

  it('fails a check that runs out of time, and deletes its resources', async () => {
    const deleted: string[] = [];
    const slow = check(
      'slow',
      async (ctx) => {
        ctx.defer('table', async () => deleted.push('table'));
        await ctx.sleep(10_000);
        return 'never';
      },
      { timeoutMs: 50 },
    );
    const [result] = await runChecks([slow], options);
    expect(result).toMatchObject({ status: 'FAIL', detail: 'did not finish within 0.05 s' });
    expect(deleted).toEqual(['table']);
  });

  it('fails with a clear message when a poll times out', async () => {
    const waiting = check('a', (ctx) =>
      ctx.poll(async () => undefined, { what: 'the message in the DLQ', timeoutMs: 30, intervalMs: 5 }),
    );
    const [result] = await runChecks([waiting], options);
    expect(result?.detail).toBe('timed out after 0.03 s waiting for the message in the DLQ');
  });
});

describe('runChecks: cleanup', () => {
  it('lists resources it could not delete, but treats "already gone" as deleted', async () => {
    const gone = Object.assign(new Error('Queue does not exist'), { name: 'QueueDoesNotExist' });
    const [result] = await runChecks(
      [
        check('a', async (ctx) => {
          ctx.defer('queue q1', async () => Promise.reject(gone));
          ctx.defer('role r1', async () => Promise.reject(new Error('AccessDenied')));
          return undefined;
        }),
      ],
      options,
    );
    expect(result?.status).toBe('PASS');
    expect(result?.leftovers).toEqual(['role r1: AccessDenied']);
  });

  it('gives every check unique throwaway names with its id and the run id', async () => {
    const names: string[] = [];
    await runChecks(
      [
        check('sqs-redrive', async (ctx) => {
          names.push(ctx.name('dlq'));
          return undefined;
        }),
      ],
      options,
    );
    expect(names).toEqual(['doctor-sqs-redrive-abc123-dlq']);
  });
});

describe('runChecks: scheduling and interruption', () => {
  it('runs at most `concurrency` checks at once and returns results in list order', async () => {
    // Arrange
    let running = 0;
    let peak = 0;
    const checks = [40, 10, 30, 5, 20].map((ms, i) =>
      check(`c${i}`, async () => {
        peak = Math.max(peak, ++running);
        await sleep(ms);
        running--;
        return undefined;
      }),
    );

    // Act
    const results = await runChecks(checks, { ...options, concurrency: 2 });

    // Assert
    expect(peak).toBe(2);
    expect(results.map((r) => r.id)).toEqual(['c0', 'c1', 'c2', 'c3', 'c4']);
  });

  it('on interruption stops running checks, deletes their resources and skips the rest', async () => {
    // Arrange
    const interrupt = new AbortController();
    const deleted: string[] = [];
    const long = check('long', async (ctx) => {
      ctx.defer('function', async () => deleted.push('function'));
      setTimeout(() => interrupt.abort(), 20);
      await ctx.sleep(10_000);
      return undefined;
    });
    const later = check('later', async () => 'ran');

    // Act
    const results = await runChecks([long, later], { ...options, concurrency: 1, signal: interrupt.signal });

    // Assert
    expect(results.map((r) => [r.id, r.status, r.detail])).toEqual([
      ['long', 'SKIP', 'interrupted (Ctrl-C)'],
      ['later', 'SKIP', 'not run: the run was interrupted'],
    ]);
    expect(deleted).toEqual(['function']);
  });
});

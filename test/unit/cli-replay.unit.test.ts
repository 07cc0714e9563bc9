import { describe, expect, it } from 'vitest';
import { parseTime } from '../../cli/ops/replay.ts';
import { CliError } from '../../cli/output.ts';

describe('replay time arguments', () => {
  const now = new Date('2026-11-22T12:00:00.000Z');

  it('reads relative times as "that long ago"', () => {
    expect(parseTime('30m', now).toISOString()).toBe('2026-11-22T11:30:00.000Z');
    expect(parseTime('2h', now).toISOString()).toBe('2026-11-22T10:00:00.000Z');
    expect(parseTime('1d', now).toISOString()).toBe('2026-11-21T12:00:00.000Z');
  });

  it('reads ISO-8601 times as given', () => {
    expect(parseTime('2026-11-20T08:15:00Z', now).toISOString()).toBe('2026-11-20T08:15:00.000Z');
  });

  it('rejects anything else with a usage error that shows the accepted forms', () => {
    expect(() => parseTime('yesterday', now)).toThrow(CliError);
    expect(() => parseTime('yesterday', now)).toThrow(/not a time/);
  });
});

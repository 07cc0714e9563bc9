import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type ConformanceRecord,
  readConformanceRecord,
  startConformanceRecord,
  summarizeConformance,
} from '../support/conformance-record.ts';

const record = (
  result: ConformanceRecord['result'],
  more: Partial<ConformanceRecord> = {},
): ConformanceRecord => ({
  endpoint: 'http://127.0.0.1:4577',
  behaviour: `behaviour ${result}`,
  result,
  ...more,
});

describe('the conformance record of an int run', () => {
  it('counts behaviours as on AWS, known gaps and skips, and names each gap and skip with its reason', () => {
    const summary = summarizeConformance(
      [
        record('aws'),
        record('aws'),
        record('known-gap', { gap: 'sns-redrive-ignored', detail: 'never dead-letters' }),
        record('skipped', { behaviour: 'stream retries', detail: 'no Lambda runtime' }),
      ],
      'http://127.0.0.1:4599',
    );

    expect(summary.split('\n')[0]).toBe(
      '▸ Conformance of http://127.0.0.1:4599: 4 behaviours probed — 2 as on AWS, 1 known gaps, 1 not runnable here',
    );
    expect(summary).toContain('  gap  sns-redrive-ignored: never dead-letters');
    expect(summary).toContain('  skip stream retries: no Lambda runtime');
    expect(summary).not.toContain('behaviour aws');
  });

  it('prints nothing for a run that probed nothing', () => {
    expect(summarizeConformance([], 'http://127.0.0.1:4577')).toBe('');
  });

  it('starts empty for each run and reads back the lines the tests appended', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'conformance-')), 'sub', 'moto.jsonl');
    startConformanceRecord(file);
    expect(readConformanceRecord(file)).toEqual([]);
    expect(readConformanceRecord(join(tmpdir(), 'no-such-record.jsonl'))).toEqual([]);
  });
});

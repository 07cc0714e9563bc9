import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { localDir } from '../../cli/paths.ts';

/**
 * The record the conformance tests (test/int/conformance.support.ts) keep of one int run: one JSON
 * line per behaviour probed, saying whether the endpoint behaved like AWS, showed a known gap, or
 * could not run the probe. The int tier's global setup starts it empty and prints it at the end.
 */
export interface ConformanceRecord {
  readonly endpoint: string;
  readonly behaviour: string;
  readonly result: 'aws' | 'known-gap' | 'skipped';
  readonly gap?: string;
  readonly detail?: string;
}

/** Where this run's record goes: set by the global setup, inherited by the test workers. */
export function conformanceRecordFile(env: NodeJS.ProcessEnv = process.env): string {
  return env.PIPELINE_CONFORMANCE_FILE ?? `${localDir}/conformance/int.jsonl`;
}

/** Starts an empty record for this run. */
export function startConformanceRecord(file: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, '');
}

/** Every record line of `file` (none when the run probed nothing). */
export function readConformanceRecord(file: string): ConformanceRecord[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as ConformanceRecord);
}

/** The record as a few lines for the terminal: counts, then each gap and skip with its reason. */
export function summarizeConformance(records: readonly ConformanceRecord[], endpoint: string): string {
  if (records.length === 0) return '';
  const count = (result: ConformanceRecord['result']) => records.filter((r) => r.result === result).length;
  const lines = [
    `▸ Conformance of ${endpoint}: ${records.length} behaviours probed — ${count('aws')} as on AWS, ${count('known-gap')} known gaps, ${count('skipped')} not runnable here`,
    ...records
      .filter((r) => r.result !== 'aws')
      .map((r) =>
        r.result === 'known-gap'
          ? `  gap  ${r.gap}: ${r.detail ?? ''}`
          : `  skip ${r.behaviour}: ${r.detail ?? ''}`,
      ),
  ];
  return `${lines.join('\n')}\n`;
}

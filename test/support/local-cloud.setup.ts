import type { TestProject } from 'vitest/node';
import { localDir } from '../../cli/paths.ts';
import { readConformanceRecord, startConformanceRecord, summarizeConformance } from './conformance-record.ts';
import { acquireTestCloud, setTestEnvironment } from './local-cloud.ts';

/**
 * vitest globalSetup of the int tier: one local cloud for the whole run, and an empty conformance
 * record (one per endpoint, so runs against MiniStack, moto and LocalStack keep theirs apart) that
 * is printed when the run ends.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const cloud = await acquireTestCloud();
  setTestEnvironment(cloud.endpoint);
  project.provide('endpoint', cloud.endpoint);
  const name = process.env.PIPELINE_CONFORMANCE_NAME ?? 'ministack';
  const file = `${localDir}/conformance/${name.replace(/[^a-z0-9-]+/gi, '_')}.jsonl`;
  process.env.PIPELINE_CONFORMANCE_FILE = file;
  startConformanceRecord(file);
  return async () => {
    process.stderr.write(summarizeConformance(readConformanceRecord(file), cloud.endpoint));
    await cloud.release();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    endpoint: string;
    stackOutputs: Record<string, string>;
  }
}

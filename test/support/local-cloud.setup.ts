import type { TestProject } from 'vitest/node';
import { acquireTestCloud, setTestEnvironment } from './local-cloud.ts';

/** vitest globalSetup of the int tier: one local cloud for the whole run. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const cloud = await acquireTestCloud();
  setTestEnvironment(cloud.endpoint);
  project.provide('endpoint', cloud.endpoint);
  return cloud.release;
}

declare module 'vitest' {
  export interface ProvidedContext {
    endpoint: string;
    stackOutputs: Record<string, string>;
  }
}

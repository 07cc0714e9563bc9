import type { TestProject } from 'vitest/node';
import { LOCAL_ACCOUNT, resolveTarget } from '../../cli/cloud/target.ts';
import { deploy } from '../../cli/deploy/deploy.ts';
import { createReporter } from '../../cli/output.ts';
import { prepareRecording, recordingPath } from './iam/recording.ts';
import { acquireTestCloud, setTestEnvironment } from './local-cloud.ts';

export const TEST_STACK = process.env.PIPELINE_TEST_STACK ?? 'OrderPipeline-e2e';

/**
 * The e2e stack sends saga timers due more than 10 s away to EventBridge Scheduler: the dev stage's
 * 20 s step timeout then takes the Scheduler path (a step's first timer) and the SQS path (a timer
 * re-armed for a later step's remaining seconds) in every timeout scenario.
 */
export const TEST_TIMER_SCHEDULER_AFTER_SECONDS = 10;

/**
 * vitest globalSetup of the e2e tier: a local cloud with the real stack deployed to it by the same
 * code path as `pipeline deploy`; tests get its endpoint and outputs.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const cloud = await acquireTestCloud();
  setTestEnvironment(cloud.endpoint);
  const target = resolveTarget();
  // A failed deploy must not leave the emulator behind: vitest runs no teardown when setup throws.
  const options = {
    stackName: TEST_STACK,
    stage: 'dev',
    timerSchedulerAfterSeconds: TEST_TIMER_SCHEDULER_AFTER_SECONDS,
  };
  const result = await deploy(target, options, createReporter()).catch(async (error: unknown) => {
    await cloud.release();
    throw error;
  });
  const callsPath = recordingPath();
  if (callsPath) {
    await prepareRecording(callsPath, TEST_STACK, { region: target.region, account: LOCAL_ACCOUNT }).catch(
      async (error: unknown) => {
        await cloud.release();
        throw error;
      },
    );
  }
  project.provide('endpoint', cloud.endpoint);
  project.provide('stackOutputs', result.outputs);
  return cloud.release;
}

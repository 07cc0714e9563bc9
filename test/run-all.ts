/**
 * `npm test`: every tier in order — unit (no network), cfn-lint over the dev and prod templates, then
 * int, then e2e against one local cloud that this script starts and always stops (also on Ctrl-C),
 * unless AWS_ENDPOINT_URL names one already.
 */
import { spawnSync } from 'node:child_process';
import { acquireTestCloud } from './support/local-cloud.ts';

function vitest(...projects: string[]): number {
  const args = ['vitest', 'run', ...projects.flatMap((p) => ['--project', p])];
  const result = spawnSync('npx', args, { stdio: 'inherit', env: process.env });
  return result.status ?? 1;
}

const started = Date.now();
let status = vitest('unit');
if (status === 0) {
  // The templates `cdk deploy` sends, linted before any of them is deployed.
  status = spawnSync('npx', ['tsx', 'test/support/lint-templates.ts'], { stdio: 'inherit' }).status ?? 1;
}
if (status === 0) {
  process.stderr.write('▸ Starting the local cloud for the int and e2e tiers\n');
  // The e2e tier records every AWS call the deployed functions make, for the IAM check after it
  // (acquireTestCloud turns recording off when the cloud was started elsewhere).
  process.env.PIPELINE_TEST_IAM_CALLS ??= '.local/iam-calls.jsonl';
  const cloud = await acquireTestCloud();
  const release = async () => {
    await cloud.release();
  };
  const onSignal = async () => {
    await release();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    // One tier after the other: int files run in parallel, and e2e scenarios sharing the two cores
    // with them had a saga step time out under the load (a good order cancelled in bad-input, CI).
    status = vitest('int');
    if (status === 0) status = vitest('e2e');
    // Every recorded call evaluated against the dev and prod templates' policies: a denied one fails.
    if (status === 0 && process.env.PIPELINE_TEST_IAM_CALLS)
      status = spawnSync('npx', ['tsx', 'test/support/iam-simulate.ts'], { stdio: 'inherit' }).status ?? 1;
  } finally {
    await release();
  }
}
process.stderr.write(
  `▸ All tiers ${status === 0 ? 'passed' : 'FAILED'} in ${Math.round((Date.now() - started) / 1000)} s\n`,
);
process.exit(status);

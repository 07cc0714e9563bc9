/**
 * `npm test`: every tier in order — unit (no network), cfn-lint over the dev and prod templates, then
 * int, then e2e against one local cloud that this script starts and always stops (also on Ctrl-C),
 * unless AWS_ENDPOINT_URL names one already. Then the int tier once more against moto and against
 * LocalStack on the host (PIPELINE_TEST_EMULATORS, default `moto,localstack`; `none` skips them), each
 * installed into .local/ on first use (while the first tiers run), started on its own port and
 * instance, and stopped afterwards.
 * Neither runs Lambda functions: tests that need one skip there (PIPELINE_ENDPOINT_RUNS_LAMBDA=0).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { installEmulator, parseEmulatorList } from '../cli/cloud/emulators.ts';
import { createReporter } from '../cli/output.ts';
import {
  acquireTestCloud,
  emulatorTierEnvironment,
  releaseTestEmulator,
  startTestEmulator,
} from './support/local-cloud.ts';

const started = Date.now();
const timings: string[] = [];
let child: ChildProcess | undefined;
const cleanups: (() => Promise<void>)[] = [];

/** Runs one step as a child process with the terminal's output; its time goes into the summary. */
function step(label: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const begin = Date.now();
  return new Promise((resolve) => {
    child = spawn('npx', args, { stdio: 'inherit', env });
    child.on('error', () => resolve(1));
    child.on('exit', (code) => {
      child = undefined;
      const seconds = Math.round((Date.now() - begin) / 1000);
      timings.push(`${label}: ${code === 0 ? 'passed' : 'FAILED'} in ${seconds} s`);
      process.stderr.write(`▸ ${label} ${code === 0 ? 'passed' : 'FAILED'} in ${seconds} s\n`);
      resolve(code ?? 1);
    });
  });
}

const vitest = (label: string, project: string, env?: NodeJS.ProcessEnv) =>
  step(label, ['vitest', 'run', '--project', project], env);

let cleaning: Promise<void> | undefined;
let signalled = false;

/**
 * Stops whatever this run started, newest first, each cloud once. A second caller (the signal handler
 * and a `finally` racing) waits for the same stop instead of finding the list empty and moving on.
 */
function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    while (cleanups.length > 0) await cleanups.pop()?.();
  })().finally(() => {
    cleaning = undefined;
  });
  return cleaning;
}

async function onSignal(signal: NodeJS.Signals): Promise<void> {
  signalled = true;
  child?.kill(signal);
  await cleanUp();
  process.exit(130);
}
process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);

// Checked before anything runs: a misspelt name should not cost a whole run.
const extraEmulators = (() => {
  try {
    return parseEmulatorList(process.env.PIPELINE_TEST_EMULATORS ?? 'moto,localstack');
  } catch (error) {
    process.stderr.write(`error: PIPELINE_TEST_EMULATORS: ${(error as Error).message}\n`);
    process.exit(2);
  }
})();

// The extra emulators' first-use installs (pip, and Maven for DynamoDB Local: ~6 min of downloads)
// run while the unit, lint, int and e2e tiers do, instead of after them. Each tier start below waits
// for its own; a failed install is tried again there, and fails that tier with the reason.
const installs = new Map(
  (signalled ? [] : extraEmulators).map((emulator) => {
    const begin = Date.now();
    const done = installEmulator(emulator, createReporter()).then(
      () =>
        timings.push(
          `${emulator} install (first use only), beside the tiers: ${Math.round((Date.now() - begin) / 1000)} s`,
        ),
      (error: unknown) =>
        process.stderr.write(
          `▸ ${emulator} install beside the tiers failed (tried again later): ${(error as Error).message}\n`,
        ),
    );
    return [emulator, done] as const;
  }),
);

let status = await vitest('unit tier', 'unit');
if (status === 0 && !signalled) {
  // The templates `cdk deploy` sends, linted before any of them is deployed.
  status = await step('cfn-lint', ['tsx', 'test/support/lint-templates.ts']);
}
if (status === 0 && !signalled) {
  process.stderr.write('▸ Starting the local cloud for the int and e2e tiers\n');
  // The e2e tier records every AWS call the deployed functions make, for the IAM check after it
  // (acquireTestCloud turns recording off when the cloud was started elsewhere).
  process.env.PIPELINE_TEST_IAM_CALLS ??= '.local/iam-calls.jsonl';
  const begin = Date.now();
  const cloud = await acquireTestCloud();
  timings.push(`MiniStack start: ${Math.round((Date.now() - begin) / 1000)} s`);
  cleanups.push(cloud.release);
  try {
    // One tier after the other: int files run in parallel, and e2e scenarios sharing the two cores
    // with them had a saga step time out under the load (a good order cancelled in bad-input, CI).
    status = await vitest('int tier (MiniStack)', 'int');
    if (status === 0) status = await vitest('e2e tier (MiniStack)', 'e2e');
    // Every recorded call evaluated against the dev and prod templates' policies: a denied call, or an
    // unused grant without a reason, fails.
    if (status === 0 && process.env.PIPELINE_TEST_IAM_CALLS)
      status = await step('IAM check (dev and prod templates)', ['tsx', 'test/support/iam-simulate.ts']);
  } finally {
    await cleanUp();
  }
}
for (const emulator of signalled ? [] : extraEmulators) {
  if (status !== 0) break;
  const begin = Date.now();
  await installs.get(emulator);
  // Registered before the start: a signal during the start (or the install) stops it too.
  cleanups.push(() => releaseTestEmulator(emulator));
  let cloud: Awaited<ReturnType<typeof startTestEmulator>>;
  try {
    cloud = await startTestEmulator(emulator);
  } catch (error) {
    process.stderr.write(`error: ${(error as Error).message}\n`);
    timings.push(`${emulator}: could not start`);
    status = 1;
    await cleanUp();
    break;
  }
  timings.push(
    `${emulator} start (with any first-use install): ${Math.round((Date.now() - begin) / 1000)} s`,
  );
  try {
    status = await vitest(`int tier (${emulator})`, 'int', {
      ...emulatorTierEnvironment(cloud.endpoint),
      // The conformance record of this tier: .local/conformance/<emulator>.jsonl.
      PIPELINE_CONFORMANCE_NAME: emulator,
    });
  } finally {
    await cleanUp();
  }
}
// After a signal, its handler stops the clouds and exits; nothing more happens here.
if (signalled) await new Promise(() => {});
process.stderr.write(`${timings.map((line) => `  ${line}`).join('\n')}\n`);
process.stderr.write(
  `▸ All tiers ${status === 0 ? 'passed' : 'FAILED'} in ${Math.round((Date.now() - started) / 1000)} s\n`,
);
process.exit(status);

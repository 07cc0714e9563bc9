import { startEmulator } from '../../cli/cloud/emulators.ts';
import { choosePort, startMiniStack, stopMiniStack } from '../../cli/cloud/ministack.ts';
import type { Emulator } from '../../cli/cloud/state.ts';
import { createReporter } from '../../cli/output.ts';
import { RECORDING_PROXY_VAR, recordingPath, spawnRecordingProxy } from './iam/recording.ts';

/**
 * The local cloud used by the int and e2e tiers: AWS_ENDPOINT_URL if the caller set one (LocalStack,
 * an emulator elsewhere, a cloud started by test/run-all.ts), otherwise a MiniStack of its own,
 * instance "test", so a developer's running `pipeline up` is never touched. With
 * PIPELINE_TEST_IAM_CALLS=<file>, the Lambda workers' AWS calls go through a recording proxy (the
 * IAM check reads that file); the tests' own calls go to the emulator directly.
 */
export async function acquireTestCloud(): Promise<{ endpoint: string; release: () => Promise<void> }> {
  const existing = process.env.AWS_ENDPOINT_URL;
  if (existing) {
    // Lambda workers of an emulator started elsewhere cannot be routed through the proxy: no
    // recording, and no IAM check that would read an earlier run's calls. (A cloud started by
    // test/run-all.ts with a recording proxy says so in RECORDING_PROXY_VAR.)
    if (recordingPath() && !process.env[RECORDING_PROXY_VAR]) {
      createReporter().warn(`No IAM recording: the local cloud at ${existing} was not started by the tests`);
      delete process.env.PIPELINE_TEST_IAM_CALLS;
    }
    return { endpoint: existing, release: async () => {} };
  }
  process.env.PIPELINE_CLOUD_INSTANCE = process.env.PIPELINE_TEST_CLOUD_INSTANCE ?? 'test';
  const reporter = createReporter();
  const callsPath = recordingPath();
  // With a recording, the port is chosen first: the proxy must know where to forward before the
  // emulator starts, since MiniStack hands its own AWS_ENDPOINT_URL (the proxy's) to every worker.
  const port = callsPath ? await choosePort(undefined, 4577) : undefined;
  const proxy = callsPath ? await spawnRecordingProxy(callsPath, `http://127.0.0.1:${port}`) : undefined;
  if (proxy) process.env.AWS_ENDPOINT_URL = proxy.url;
  const state = await startMiniStack(reporter, port ? { port } : { preferredPort: 4577 })
    .catch(async (error: unknown) => {
      await proxy?.stop();
      throw error;
    })
    .finally(() => {
      if (proxy) delete process.env.AWS_ENDPOINT_URL;
    });
  if (proxy && state.port !== port) {
    // An instance that was already running keeps its port and its workers' endpoint: unrecorded.
    reporter.warn(
      `No IAM recording: MiniStack instance ${process.env.PIPELINE_CLOUD_INSTANCE} was already running`,
    );
    await proxy.stop();
    delete process.env.PIPELINE_TEST_IAM_CALLS;
  } else if (proxy) {
    process.env[RECORDING_PROXY_VAR] = proxy.url;
    reporter.step(
      `Recording the functions' AWS calls for the IAM check into ${callsPath} (proxy ${proxy.url})`,
    );
  }
  setTestEnvironment(state.endpoint);
  return {
    endpoint: state.endpoint,
    release: async () => {
      await stopMiniStack(reporter);
      await proxy?.stop();
      delete process.env[RECORDING_PROXY_VAR];
    },
  };
}

/** Points every SDK client created in this process (and its children) at the emulator. */
export function setTestEnvironment(endpoint: string): void {
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? '000000000000',
    AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'test',
    AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
}

/** Ports the int tier's other emulators prefer (any free port when taken), beside MiniStack's 4577. */
export const TEST_EMULATOR_PORTS: Record<Exclude<Emulator, 'ministack'>, number> = {
  moto: 4598,
  localstack: 4599,
};

/**
 * Starts moto or LocalStack for one int tier run, as cloud instance `<test instance>-<emulator>` so it
 * never meets the MiniStack of the other tiers or a developer's own cloud.
 */
export async function startTestEmulator(
  emulator: Exclude<Emulator, 'ministack'>,
): Promise<{ endpoint: string; release: () => Promise<void> }> {
  process.env.PIPELINE_CLOUD_INSTANCE = testEmulatorInstance(emulator);
  const state = await startEmulator(emulator, createReporter(), {
    preferredPort: TEST_EMULATOR_PORTS[emulator],
  });
  return { endpoint: state.endpoint, release: () => releaseTestEmulator(emulator) };
}

const testEmulatorInstance = (emulator: Emulator) =>
  `${process.env.PIPELINE_TEST_CLOUD_INSTANCE ?? 'test'}-${emulator}`;

/**
 * Stops the int tier's moto or LocalStack. Safe to call before it is up: its process is recorded as
 * soon as it is spawned, so an interrupted start leaves nothing behind either.
 */
export async function releaseTestEmulator(emulator: Exclude<Emulator, 'ministack'>): Promise<void> {
  process.env.PIPELINE_CLOUD_INSTANCE = testEmulatorInstance(emulator);
  await stopMiniStack(createReporter());
}

/**
 * The environment of an int tier run against moto or LocalStack: every SDK client goes to it, with
 * dummy credentials, and tests that need a running Lambda skip (neither runs one without Docker).
 */
export function emulatorTierEnvironment(
  endpoint: string,
  base: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...base,
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: '000000000000',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: 'us-east-1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    PIPELINE_ENDPOINT_RUNS_LAMBDA: '0',
  };
  delete env.AWS_PROFILE;
  delete env.AWS_SESSION_TOKEN;
  return env;
}

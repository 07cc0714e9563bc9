import { choosePort, startMiniStack, stopMiniStack } from '../../cli/cloud/ministack.ts';
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

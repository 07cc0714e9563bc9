import { type Command, Option } from 'commander';
import { resetEmulator, startEmulator, uninstallEmulator } from '../cloud/emulators.ts';
import { refuseWideListeners } from '../cloud/launch.ts';
import { LOCALSTACK_VERSION } from '../cloud/localstack.ts';
import { checkHealth, MINISTACK_VERSION, stopMiniStack } from '../cloud/ministack.ts';
import { MOTO_VERSION } from '../cloud/moto.ts';
import {
  type CloudState,
  clearCloudState,
  EMULATORS,
  type Emulator,
  emulatorLabel,
  isAlive,
  readCloudState,
  writeCloudState,
} from '../cloud/state.ts';
import { CliError, type Reporter } from '../output.ts';
import { localDir } from '../paths.ts';
import { globals, portOption } from './common.ts';

/** Starts (or adopts, with AWS_ENDPOINT_URL) the local cloud; shared by `cloud start` and `up`. */
export async function startCloud(
  reporter: Reporter,
  port?: number,
  emulator: Emulator = 'ministack',
): Promise<CloudState> {
  const external = process.env.AWS_ENDPOINT_URL;
  if (external) {
    reporter.step(`AWS_ENDPOINT_URL is set: using ${external} and starting nothing`);
    if (!(await checkHealth(external))) {
      throw new CliError(
        `No healthy emulator answers at ${external}.`,
        'Start it (e.g. `docker compose up -d` for LocalStack), or unset AWS_ENDPOINT_URL to let `pipeline` run MiniStack.',
      );
    }
    const state: CloudState = { mode: 'external', endpoint: external, startedAt: new Date().toISOString() };
    writeCloudState(state);
    return state;
  }
  return startEmulator(emulator, reporter, { ...(port !== undefined ? { port } : {}) });
}

/** `--emulator <name>`: one of EMULATORS, PIPELINE_EMULATOR from the environment, MiniStack by default. */
export const emulatorOption = () =>
  new Option(
    '--emulator <name>',
    `which emulator (env PIPELINE_EMULATOR): MiniStack ${MINISTACK_VERSION}, LocalStack ${LOCALSTACK_VERSION} (host, no Docker, no Lambda), moto ${MOTO_VERSION} (no Lambda)`,
  )
    .choices(EMULATORS)
    .env('PIPELINE_EMULATOR')
    .default('ministack');

export function registerCloudCommands(program: Command): void {
  const cloud = program
    .command('cloud')
    .description(
      `Run the local AWS cloud (MiniStack ${MINISTACK_VERSION} by default; LocalStack or moto on request), installed into ${localDir}/venv*`,
    );

  cloud
    .command('start')
    .description('Install the emulator on first use, start it on 127.0.0.1 and wait until it is healthy')
    .option(
      '--port <port>',
      'port to listen on (default: 4566 if free, else any free port; env PIPELINE_CLOUD_PORT)',
    )
    .addOption(emulatorOption())
    .action(async (options: { port?: string; emulator: Emulator }, command: Command) => {
      const { reporter } = globals(command);
      const state = await startCloud(reporter, portOption(options.port), options.emulator);
      reporter.result(
        state,
        () =>
          `Local cloud ready at ${state.endpoint}${state.pid ? ` (${emulatorLabel(state.emulator)}, pid ${state.pid})` : ''}`,
      );
    });

  cloud
    .command('stop')
    .description('Stop the local cloud and every Lambda worker it started (all emulator state is lost)')
    .action(async (_options: unknown, command: Command) => {
      const { reporter } = globals(command);
      const stopped = await stopMiniStack(reporter);
      reporter.result({ stopped }, () => (stopped ? 'Local cloud stopped.' : 'No local cloud was running.'));
    });

  cloud
    .command('status')
    .description('Show where the local cloud runs and whether it is healthy')
    .action(async (_options: unknown, command: Command) => {
      const { reporter } = globals(command);
      const state = readCloudState();
      const endpoint = process.env.AWS_ENDPOINT_URL ?? state?.endpoint;
      const running = state?.mode === 'local' ? isAlive(state.pid) : Boolean(endpoint);
      const healthy = endpoint && running ? await checkHealth(endpoint) : false;
      // Still loopback-only? Back-ends started since (DynamoDB Local, kinesis-mock) count too.
      if (state?.mode === 'local' && running && !process.env.AWS_ENDPOINT_URL) {
        await refuseWideListeners(state.pid as number, emulatorLabel(state.emulator));
      }
      const status = {
        endpoint: endpoint ?? null,
        mode: state?.mode ?? null,
        emulator: state?.mode === 'local' ? (state.emulator ?? 'ministack') : null,
        pid: state?.pid ?? null,
        running,
        healthy,
      };
      reporter.result(status, () =>
        endpoint
          ? `${healthy ? 'healthy' : 'NOT healthy'}: ${endpoint}${state?.pid ? ` (${emulatorLabel(state.emulator)}, pid ${state.pid})` : ''}`
          : 'No local cloud: run `pipeline cloud start` (or `pipeline up`).',
      );
      if (!healthy) process.exitCode = 3;
    });

  cloud
    .command('reset')
    .description('Wipe every resource and message in the local cloud (keeps it running)')
    .option(
      '--reinstall',
      'instead: stop the local cloud and delete the virtualenv of --emulator; the next start reinstalls it',
    )
    .addOption(emulatorOption())
    .action(async (options: { reinstall?: boolean; emulator: Emulator }, command: Command) => {
      const { reporter } = globals(command);
      if (options.reinstall) {
        await stopMiniStack(reporter);
        uninstallEmulator(options.emulator);
        reporter.result(
          { reinstalled: false, removed: true },
          () => 'Emulator removed; `pipeline cloud start` reinstalls it.',
        );
        return;
      }
      const state = readCloudState();
      const endpoint = process.env.AWS_ENDPOINT_URL ?? state?.endpoint;
      if (!endpoint || (state?.mode === 'local' && !isAlive(state.pid))) {
        clearCloudState();
        throw new CliError('No local cloud is running.', 'Run `pipeline cloud start` first.');
      }
      reporter.step(`Resetting all state at ${endpoint}`);
      await resetEmulator(state?.mode === 'local' ? state.emulator : undefined, endpoint);
      if (state) writeCloudState(state);
      reporter.result({ reset: true, endpoint }, () => `Local cloud at ${endpoint} is empty again.`);
    });
}

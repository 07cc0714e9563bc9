import type { Command } from 'commander';
import { OUTPUTS } from '../../infra/stacks/outputs.ts';
import { clientsFor } from '../cloud/clients.ts';
import { parseTime, replayArchive } from '../ops/replay.ts';
import { requiredOutput, stackContext } from '../ops/stack-context.ts';
import { ordersContext } from '../orders/context.ts';
import { rebuildSummaries } from '../orders/rebuild.ts';
import { CliError } from '../output.ts';
import { localDir } from '../paths.ts';
import { globals } from './common.ts';

interface ReplayOptions {
  archive?: string | boolean;
  from?: string;
  to?: string;
  projection?: string;
  order?: string[];
}

export function registerReplayCommand(program: Command): void {
  program
    .command('replay')
    .description(
      'Rebuild a read model from the event store (--projection orders: nothing is published, so no side\n' +
        'effect fires again), or replay archived events onto the bus (--archive, EventBridge StartReplay)\n' +
        'between --from and --to; consumers are idempotent, so events they already handled change nothing.',
    )
    .option('--projection <name>', 'read model to rebuild from the event store (orders)')
    .option('--order <orderId...>', 'with --projection: only these orders')
    .option('--archive [name]', 'archive to replay from (default: the stack output EventArchiveName)')
    .option('--from <time>', 'start: ISO-8601 or relative (30m, 2h, 1d)')
    .option('--to <time>', 'end: ISO-8601 or relative (default: now)')
    .action(async (options: ReplayOptions, command: Command) => {
      const { reporter, stackName } = globals(command);
      if (options.projection !== undefined) {
        if (options.projection !== 'orders') {
          throw new CliError(
            `Unknown projection "${options.projection}".`,
            'The pipeline has one read model: --projection orders.',
            2,
          );
        }
        const context = ordersContext(await stackContext(stackName));
        reporter.step(
          `Rebuilding the orders projection from ${context.eventStoreTable} (no events are published)`,
        );
        const result = await rebuildSummaries(context, {
          ...(options.order
            ? { orderIds: options.order }
            : { checkpointFile: `${localDir}/rebuild-${stackName}.json` }),
          onProgress: ({ orders }) => reporter.step(`${orders} order(s) rebuilt so far`),
        });
        reporter.result(
          { projection: 'orders', ...result },
          () => `Rebuilt ${result.orders} order(s) from ${result.events} stored event(s).`,
        );
        return;
      }
      if (options.archive === undefined) {
        throw new CliError(
          'Say what to replay.',
          '`pipeline replay --projection orders` or `pipeline replay --archive --from 1h`.',
          2,
        );
      }
      if (!options.from)
        throw new CliError('--from is required.', 'e.g. `pipeline replay --archive --from 1h`', 2);
      const from = parseTime(options.from);
      const to = options.to ? parseTime(options.to) : new Date();
      const context = await stackContext(stackName);
      const archive =
        typeof options.archive === 'string' ? options.archive : requiredOutput(context, OUTPUTS.archiveName);
      const busName = requiredOutput(context, OUTPUTS.busName);
      reporter.step(`Replaying ${archive} from ${from.toISOString()} to ${to.toISOString()} onto ${busName}`);
      let last = '';
      const result = await replayArchive(clientsFor(context.target).events, {
        archive,
        busName,
        from,
        to,
        onProgress: (state) => {
          if (state !== last) reporter.step(`replay ${state}`);
          last = state;
        },
      });
      reporter.result(
        result,
        () => `Replay ${result.replayName}: ${result.state}${result.reason ? ` (${result.reason})` : ''}`,
      );
      if (result.state !== 'COMPLETED') process.exitCode = 1;
    });
}

import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { Command } from 'commander';
import { parseTime, replayArchive } from '../ops/replay.ts';
import { requiredOutput, stackContext } from '../ops/stack-context.ts';
import { CliError } from '../output.ts';
import { globals } from './common.ts';

export function registerReplayCommand(program: Command): void {
  program
    .command('replay')
    .description(
      'Replay archived events onto the bus (EventBridge StartReplay) between --from and --to.\n' +
        'Consumers are idempotent, so events they already handled change nothing.',
    )
    .option('--archive [name]', 'archive to replay from (default: the stack output EventArchiveName)')
    .option('--from <time>', 'start: ISO-8601 or relative (30m, 2h, 1d)')
    .option('--to <time>', 'end: ISO-8601 or relative (default: now)')
    .action(async (options: { archive?: string | boolean; from?: string; to?: string }, command: Command) => {
      const { reporter, stackName } = globals(command);
      if (!options.from)
        throw new CliError('--from is required.', 'e.g. `pipeline replay --archive --from 1h`', 2);
      const from = parseTime(options.from);
      const to = options.to ? parseTime(options.to) : new Date();
      const context = await stackContext(stackName);
      const archive =
        typeof options.archive === 'string' ? options.archive : requiredOutput(context, 'EventArchiveName');
      const busName = requiredOutput(context, 'EventBusName');
      reporter.step(`Replaying ${archive} from ${from.toISOString()} to ${to.toISOString()} onto ${busName}`);
      let last = '';
      const result = await replayArchive(new EventBridgeClient({ region: context.target.region }), {
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

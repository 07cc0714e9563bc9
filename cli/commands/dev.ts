import type { Command } from 'commander';
import { devLoop } from '../dev/loop.ts';
import { stackContext } from '../ops/stack-context.ts';
import { globals } from './common.ts';
import { numberIn } from './numbers.ts';

export function registerDevCommand(program: Command): void {
  program
    .command('dev')
    .description(
      'Fast inner loop on the local cloud: watch functions/ and shared/, rebuild only the changed bundles,\n' +
        "update those functions' code in place (no deploy), and tail their logs",
    )
    .option(
      '--timeout <seconds>',
      'stop after this many seconds (default: until Ctrl-C)',
      numberIn({ min: 1, max: 86_400 }),
    )
    .action(async (options: { timeout?: number }, command: Command) => {
      const { reporter, stackName } = globals(command);
      const context = await stackContext(stackName);
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      if (options.timeout !== undefined) setTimeout(stop, options.timeout * 1000).unref();
      await devLoop(context, reporter, controller.signal);
      reporter.step('Stopped watching.');
    });
}

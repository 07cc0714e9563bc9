import { type Command, Option } from 'commander';
import { CONSOLE_HOST } from '../console/guards.ts';
import { livePorts } from '../console/live-ports.ts';
import { startConsole } from '../console/server.ts';
import { stackContext } from '../ops/stack-context.ts';
import { CliError } from '../output.ts';
import { globals } from './common.ts';
import { numberIn } from './numbers.ts';

/** The console's port unless --port says otherwise: fixed, so a bookmark keeps working. */
export const DEFAULT_CONSOLE_PORT = 4790;

export function registerConsoleCommand(program: Command): void {
  program
    .command('console')
    .description(
      'A local web console on 127.0.0.1: live topology with queue and DLQ depths, the event stream, flows\n' +
        '(trace), dead letters (redrive with --allow-redrive) and an inject form. Ctrl-C stops it.',
    )
    .option(
      '--port <n>',
      `port on 127.0.0.1 (0: any free port)`,
      numberIn({ min: 0, max: 65_535 }),
      DEFAULT_CONSOLE_PORT,
    )
    .option('--allow-redrive', 'let the page move dead letters back (audited, after a confirmation)')
    .addOption(new Option('--host <host>', 'refused: the console listens on 127.0.0.1 only').hideHelp())
    .addHelpText(
      'after',
      '\nSecurity: listens on 127.0.0.1 only; answers only requests addressed to 127.0.0.1 or localhost\n' +
        '(DNS rebinding); changes (inject, redrive) need a POST carrying the token embedded in the page;\n' +
        'no CORS. The event stream opens a temporary rule and queue on the bus, removed on Ctrl-C.\n' +
        '--json prints {"url": …} once it listens.',
    )
    .action(async (options: { port: number; allowRedrive?: boolean; host?: string }, command: Command) => {
      if (options.host !== undefined && options.host !== CONSOLE_HOST)
        throw new CliError(
          `The console listens on ${CONSOLE_HOST} only, not ${options.host}.`,
          'Leave out --host; to reach it from elsewhere, forward the port over SSH (ssh -L).',
          2,
        );
      const global = globals(command);
      const context = await stackContext(global.stackName);
      const running = await startConsole({
        ports: livePorts(context, global),
        port: options.port,
        allowRedrive: options.allowRedrive ?? false,
      }).catch((error: unknown) => {
        if ((error as { code?: string }).code === 'EADDRINUSE')
          throw new CliError(
            `Port ${options.port} on ${CONSOLE_HOST} is in use.`,
            'Pass --port N, or --port 0 for any free port.',
          );
        throw error;
      });
      global.reporter.result({ url: running.url }, () => `Console for ${context.stackName}: ${running.url}`);
      global.reporter.step(
        `Redrive ${options.allowRedrive ? 'is ON (audited)' : 'is off (--allow-redrive)'}; Ctrl-C to stop`,
      );
      await new Promise<void>((resolve) => {
        const stop = () => {
          global.reporter.step('Stopping: removing the event tap');
          running.close().then(resolve, resolve);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}

import { Command, CommanderError, Option } from 'commander';
import { nearestNames } from '../shared/kit/events/suggest.ts';
import { resolveTarget } from './cloud/target.ts';
import { registerApiCommands } from './commands/api.ts';
import { registerCatalogCommands } from './commands/catalog.ts';
import { registerCloudCommands } from './commands/cloud.ts';
import { registerConsoleCommand } from './commands/console.ts';
import { registerDevCommand } from './commands/dev.ts';
import { registerDlqCommands } from './commands/dlq.ts';
import { registerDocsCommand } from './commands/docs.ts';
import { registerDoctorCommand } from './commands/doctor.ts';
import { registerForgetCommand } from './commands/forget.ts';
import { registerInjectCommand } from './commands/inject.ts';
import { registerReplayCommand } from './commands/replay.ts';
import { registerStackCommands } from './commands/stack.ts';
import { registerStatusCommand } from './commands/status.ts';
import { registerTailCommand } from './commands/tail.ts';
import { registerTraceCommand } from './commands/trace.ts';
import { CONTEXT_COMMANDS } from './contexts.ts';
import { CliError } from './output.ts';

const program = new Command('pipeline')
  .description(
    'Operate the order event pipeline: run a local AWS cloud, deploy the CDK app to it or to AWS, and prove it works.\n' +
      'Targets: AWS_ENDPOINT_URL if set (LocalStack, a remote MiniStack), else the local cloud started by\n' +
      '`pipeline cloud start`, else real AWS with your credentials.',
  )
  .addOption(new Option('--json', 'print results as JSON on stdout (progress stays on stderr)'))
  .addOption(new Option('-v, --verbose', 'show detailed progress (e.g. every CDK line)'))
  .addOption(
    new Option('--stage <stage>', 'deployment stage')
      .choices(['dev', 'prod'])
      .default(process.env.PIPELINE_STAGE ?? 'dev'),
  )
  .addOption(new Option('--stack <name>', 'stack name (default OrderPipeline-<stage>)').env('PIPELINE_STACK'))
  .showHelpAfterError('(run with --help for usage)')
  .configureOutput({ outputError: (text, write) => write(text) })
  // Usage errors (unknown option, invalid number, missing argument) end with exit code 2, like the
  // command's own usage errors; commander has printed the message already.
  .exitOverride();

registerCloudCommands(program);
registerStackCommands(program);
registerCatalogCommands(program);
registerDevCommand(program);
registerDlqCommands(program);
registerDocsCommand(program);
registerDoctorCommand(program);
registerInjectCommand(program);
registerApiCommands(program);
registerForgetCommand(program);
registerTailCommand(program);
registerTraceCommand(program);
registerReplayCommand(program);
registerStatusCommand(program);
registerConsoleCommand(program);
for (const register of CONTEXT_COMMANDS) register(program);

/** Commands that only act on this machine (the local cloud itself, the catalog and docs of the code). */
const LOCAL_ONLY = new Set(['cloud', 'up', 'down', 'demo', 'catalog', 'docs', 'help']);

/**
 * Where a command's AWS calls go if it ran now, under its help: the same command reaches a local cloud
 * or a real AWS account depending on the environment, and a user must see which before running it.
 */
function whereItGoes(): string {
  const target = resolveTarget();
  const now =
    target.kind === 'aws'
      ? `real AWS (region ${target.region}, your credentials): no local cloud is running and AWS_ENDPOINT_URL is not set`
      : target.kind === 'local'
        ? `the local cloud at ${target.endpoint} (pipeline cloud start)`
        : `${target.endpoint} (AWS_ENDPOINT_URL)`;
  return `\nGoes to: ${now}.`;
}

function addTargetHelp(command: Command): void {
  for (const sub of command.commands) {
    if (LOCAL_ONLY.has(sub.name())) continue;
    if (sub.commands.length > 0) addTargetHelp(sub);
    else sub.addHelpText('after', whereItGoes);
  }
}
addTargetHelp(program);

/** Options of the root program that take a value, so their value is not read as a command name. */
const ROOT_OPTIONS_WITH_VALUE = new Set(['--stage', '--stack']);

/**
 * The first word of `args` that names no command, or undefined. Commander answers an unknown command
 * followed by `--help` with the top-level help and exit 0; a typo must be an error with or without it.
 */
function unknownCommand(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] as string;
    if (ROOT_OPTIONS_WITH_VALUE.has(arg)) i += 1;
    else if (!arg.startsWith('-'))
      return arg === 'help' || program.commands.some((c) => c.name() === arg || c.aliases().includes(arg))
        ? undefined
        : arg;
  }
  return undefined;
}

/** The error for a word that names no command: the nearest names first, then every command. */
function unknownCommandError(word: string): CliError {
  const names = program.commands.map((c) => c.name());
  const near = nearestNames(word, names);
  const didYouMean = near.length > 0 ? `Did you mean ${near.map((n) => `'${n}'`).join(' or ')}? ` : '';
  return new CliError(
    `unknown command '${word}'.`,
    `${didYouMean}Commands: ${names.join(', ')} (pipeline --help).`,
    2,
  );
}

const typo = unknownCommand(process.argv.slice(2));
const parsing =
  typo === undefined ? program.parseAsync(process.argv) : Promise.reject(unknownCommandError(typo));

parsing.catch((error: unknown) => {
  if (error instanceof CommanderError) {
    const ended = ['commander.helpDisplayed', 'commander.help', 'commander.version'].includes(error.code);
    process.exitCode = ended ? 0 : 2;
    return;
  }
  if (error instanceof CliError) {
    process.stderr.write(`error: ${error.message}\n`);
    if (error.hint) process.stderr.write(`  → ${error.hint}\n`);
    process.exitCode = error.exitCode;
    return;
  }
  process.stderr.write(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.stderr.write('  → This is a bug or an unexpected failure; rerun with --verbose and report it.\n');
  process.exitCode = 1;
});

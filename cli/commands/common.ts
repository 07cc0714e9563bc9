import type { Command } from 'commander';
import type { GlobalOptions } from '../ops/stack-context.ts';
import { CliError, createReporter } from '../output.ts';
import { portNumber } from './numbers.ts';

/** Options every command understands, read from the root program. */
export function globals(command: Command): GlobalOptions {
  const options = command.optsWithGlobals<{
    json?: boolean;
    verbose?: boolean;
    stage: string;
    stack?: string;
  }>();
  const json = options.json ?? false;
  const verbose = options.verbose ?? false;
  return {
    json,
    verbose,
    stage: options.stage,
    stackName: options.stack ?? `OrderPipeline-${options.stage}`,
    reporter: createReporter({ json, verbose }),
  };
}

/** Parses `--port`, falling back to PIPELINE_CLOUD_PORT; anything but a port number is refused. */
export function portOption(value: string | undefined): number | undefined {
  const fromEnv = value === undefined;
  const raw = value ?? process.env.PIPELINE_CLOUD_PORT;
  if (raw === undefined || (fromEnv && raw === '')) return undefined;
  try {
    return portNumber(raw);
  } catch (error) {
    throw new CliError(
      `${fromEnv ? 'PIPELINE_CLOUD_PORT' : '--port'} "${raw}": ${error instanceof Error ? error.message : String(error)}`,
      'Give a port from 1 to 65535, or leave it out to take 4566 if free, else any free port.',
      2,
    );
  }
}

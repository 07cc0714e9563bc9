import type { Command } from 'commander';
import { createReporter, type Reporter } from '../output.ts';

export interface GlobalOptions {
  readonly json: boolean;
  readonly verbose: boolean;
  readonly stage: string;
  readonly stackName: string;
  readonly reporter: Reporter;
}

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

/** Parses `--port`, falling back to PIPELINE_CLOUD_PORT. */
export function portOption(value: string | undefined): number | undefined {
  const raw = value ?? process.env.PIPELINE_CLOUD_PORT;
  return raw === undefined || raw === '' ? undefined : Number(raw);
}

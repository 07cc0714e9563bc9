import type { StackOutputName } from '../../infra/stacks/outputs.ts';
import { applyTarget, resolveTarget, type Target } from '../cloud/target.ts';
import { describeStack } from '../deploy/verify.ts';
import { CliError, type Reporter } from '../output.ts';

/** What every command is told on the command line: output mode, stage and stack. */
export interface GlobalOptions {
  readonly json: boolean;
  readonly verbose: boolean;
  readonly stage: string;
  readonly stackName: string;
  readonly reporter: Reporter;
}

/** The deployed stack a command operates on: where it runs and its outputs. */
export interface StackContext {
  readonly target: Target;
  readonly stackName: string;
  readonly outputs: Record<string, string>;
}

/** Resolves the target and reads the stack outputs, or tells the user how to get a stack. */
export async function stackContext(stackName: string): Promise<StackContext> {
  const target = resolveTarget();
  applyTarget(target);
  const stack = await describeStack(target, stackName).catch((error: unknown) => {
    const where = target.endpoint ?? `AWS (${target.region})`;
    throw new CliError(
      `Could not reach ${where}: ${error instanceof Error ? error.message : String(error)}`,
      target.kind === 'aws'
        ? 'No local cloud is running: run `pipeline up`, set AWS_ENDPOINT_URL, or configure AWS credentials.'
        : 'Check `pipeline cloud status`.',
    );
  });
  if (!stack) {
    throw new CliError(
      `Stack ${stackName} is not deployed on ${target.endpoint ?? `AWS (${target.region})`}.`,
      'Run `pipeline up` (local) or `pipeline deploy`, or pass --stack NAME.',
    );
  }
  return { target, stackName, outputs: stack.outputs };
}

/** A stack output the command cannot work without. */
export function requiredOutput(context: StackContext, name: StackOutputName): string {
  const value = context.outputs[name];
  if (!value) {
    throw new CliError(
      `Stack ${context.stackName} has no output ${name}.`,
      'It may predate this CLI: run `pipeline deploy` to update it.',
    );
  }
  return value;
}

import { clientsFor } from '../cloud/clients.ts';
import { applyTarget, resolveTarget, type Target } from '../cloud/target.ts';
import { describeStack } from '../deploy/verify.ts';
import type { GlobalOptions } from '../ops/stack-context.ts';
import { CliError } from '../output.ts';
import { type AwsClients, discoverQueues, type StackQueues } from './discover.ts';
import { matchQueue } from './match.ts';
import type { QueueRef } from './model.ts';
import { type QueuePort, sqsQueuePort } from './queue-port.ts';

/** Everything a `dlq` command works with: options, target, clients and the stack's queues. */
export interface DlqContext extends GlobalOptions {
  readonly target: Target;
  readonly clients: AwsClients;
  readonly port: QueuePort;
  readonly stack: StackQueues;
}

export function where(target: Target): string {
  return target.kind === 'aws' ? `AWS (${target.region})` : (target.endpoint ?? target.kind);
}

/** Turns "cannot reach the cloud at all" into an error a user can act on. */
function unreachable(error: unknown, target: Target): CliError | undefined {
  const text = error instanceof Error ? `${error.name} ${error.message} ${String(error.cause ?? '')}` : '';
  if (/ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|socket hang up/i.test(text)) {
    return new CliError(
      `Cannot reach ${where(target)}.`,
      'Run `pipeline up` to start the local cloud and deploy.',
    );
  }
  if (/CredentialsProviderError|Could not load credentials|security token/i.test(text)) {
    return new CliError(
      'No local cloud is running, AWS_ENDPOINT_URL is not set, and no AWS credentials were found.',
      'Run `pipeline up` for a local pipeline, or configure AWS credentials to use the stack on AWS.',
    );
  }
  return undefined;
}

export async function loadDlqContext(options: GlobalOptions): Promise<DlqContext> {
  const target = resolveTarget();
  applyTarget(target);
  const clients = clientsFor(target);
  options.reporter.step(`Reading the queues of stack ${options.stackName} on ${where(target)}`);
  try {
    const deployed = await describeStack(target, options.stackName);
    if (!deployed) {
      throw new CliError(
        `Stack ${options.stackName} is not deployed on ${where(target)}.`,
        'Run `pipeline up` (local cloud) or `pipeline deploy`, or name another stack with --stack.',
      );
    }
    const stack = await discoverQueues(clients, options.stackName, options.reporter);
    return { ...options, target, clients, port: sqsQueuePort(clients.sqs), stack };
  } catch (error) {
    throw unreachable(error, target) ?? error;
  }
}

function describeQueue(q: QueueRef): string {
  return q.logicalId ? `${q.name} (${q.logicalId})` : q.name;
}

/** The queue among `candidates` the user names; errors list the real names, nearest first. */
export function pickQueue<Q extends QueueRef>(
  input: string,
  candidates: readonly Q[],
  stack: string,
  what: string,
): Q {
  const match = matchQueue(input, candidates);
  if (match.kind === 'found') return match.queue;
  if (match.kind === 'ambiguous') {
    throw new CliError(
      `"${input}" matches several ${what}s of ${stack}: ${match.candidates.map((q) => q.name).join(', ')}.`,
      'Give more of the name, the logical id, or the queue URL.',
    );
  }
  if (candidates.length === 0) throw new CliError(`Stack ${stack} has no ${what}s.`);
  throw new CliError(
    `No ${what} "${input}" in stack ${stack}.`,
    `${what[0]?.toUpperCase()}${what.slice(1)}s of ${stack}, nearest first:\n${match.nearest
      .map((q) => `      ${describeQueue(q)}`)
      .join('\n')}`,
  );
}

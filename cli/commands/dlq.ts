import { type Command, Option } from 'commander';
import { auditFile } from '../dlq/audit.ts';
import { type DlqContext, loadDlqContext, pickQueue } from '../dlq/context.ts';
import { queueResolver } from '../dlq/discover.ts';
import { auditedRedrive, listEntries, showMessages } from '../dlq/inspect.ts';
import type { DeadLetterQueue, QueueRef } from '../dlq/model.ts';
import { PEEK_VISIBILITY_SECONDS } from '../dlq/peek.ts';
import { renderList, renderRedrive, renderShow, throttledProgress } from '../dlq/render.ts';
import { CliError } from '../output.ts';
import { globals } from './common.ts';
import { numberIn } from './numbers.ts';

/** Exit code of a redrive that found nothing to move (an empty DLQ is worth a script's attention). */
export const EXIT_NOTHING_TO_REDRIVE = 2;

export function registerDlqCommands(program: Command): void {
  const dlq = program
    .command('dlq')
    .description("Inspect and redrive the stack's dead-letter queues (found from the stack, not from names)");

  dlq
    .command('list')
    .summary('every DLQ with depth, oldest age and sources')
    .description('Every DLQ of the stack: depth (visible + in flight), oldest message age, source(s)')
    .addOption(
      new Option(
        '--age <source>',
        'oldest-message age from: metric = CloudWatch (non-intrusive), peek = read messages (they stay), none = skip; auto = metric on AWS, peek on emulators',
      )
        .choices(['auto', 'metric', 'peek', 'none'])
        .default('auto'),
    )
    .action(async (options: { age: string }, command: Command) => {
      const context = await loadDlqContext(globals(command));
      const entries = await listEntries(context, options.age);
      context.reporter.result({ stack: context.stackName, dlqs: entries }, () =>
        renderList(context.stackName, entries),
      );
    });

  dlq
    .command('show')
    .summary('decode messages of a DLQ and leave them there')
    .description(
      'Decode messages of a DLQ: the event (SNS unwrapped), its envelope, why it failed, receives, sent time.\n' +
        `Messages are read with a ${PEEK_VISIBILITY_SECONDS} s visibility timeout, then made visible again at once: nothing leaves the queue.`,
    )
    .argument('<queue>', 'the DLQ: logical id, queue name, URL, or a unique part of the name')
    .option('--limit <n>', 'show at most this many messages (1–10000)', numberIn({ min: 1, max: 10_000 }), 10)
    .action(async (queue: string, options: { limit: number }, command: Command) => {
      const { limit } = options;
      const context = await loadDlqContext(globals(command));
      const target = pickQueue(queue, context.stack.dlqs, context.stackName, 'dead-letter queue');
      const messages = await showMessages(context, target, limit);
      const dlqInfo = { logicalId: target.logicalId, name: target.name, url: target.url };
      const depth = { ...target.depth, total: target.depth.visible + target.depth.inFlight };
      context.reporter.result(
        { stack: context.stackName, dlq: dlqInfo, depth, shown: messages.length, messages },
        () => renderShow(target, messages),
      );
    });

  dlq
    .command('redrive')
    .summary('move messages back to their source queue, audited')
    .description(
      'Move messages from a DLQ back to the queue they came from (or --to), deleting each only after it was sent.\n' +
        `Every moved message is audited in ${auditFile()}. Exits ${EXIT_NOTHING_TO_REDRIVE} when there is nothing to redrive.`,
    )
    .argument('<queue>', 'the DLQ: logical id, queue name, URL, or a unique part of the name')
    .option('--ids <ids>', 'comma-separated message ids to move')
    .option('--all', 'move every message')
    .option('--dry-run', 'show what would move; move nothing')
    .option('--to <queue>', 'send to this queue instead of each message’s source (stack queue or URL)')
    .action(
      async (
        queue: string,
        options: { ids?: string; all?: boolean; dryRun?: boolean; to?: string },
        command: Command,
      ) => {
        const ids = options.ids
          ?.split(',')
          .map((id) => id.trim())
          .filter(Boolean);
        if ((ids === undefined || ids.length === 0) === !options.all) {
          throw new CliError('Say which messages to move: --ids id1,id2 or --all (not both).');
        }
        const context = await loadDlqContext(globals(command));
        const dlq = pickQueue(queue, context.stack.dlqs, context.stackName, 'dead-letter queue');
        const to = options.to ? await resolveTo(context, options.to) : undefined;
        await runRedrive(context, dlq, { ids, dryRun: options.dryRun ?? false, to });
      },
    );
}

async function resolveTo(context: DlqContext, input: string): Promise<QueueRef> {
  if (/^https?:\/\/|^arn:/.test(input)) {
    const queue = await queueResolver(context.clients.sqs, context.stack.queues)(input);
    if (!queue) throw new CliError(`Target queue ${input} does not exist.`);
    return queue;
  }
  return pickQueue(input, context.stack.queues, context.stackName, 'queue');
}

async function runRedrive(
  context: DlqContext,
  dlq: DeadLetterQueue,
  options: { ids: string[] | undefined; dryRun: boolean; to: QueueRef | undefined },
): Promise<void> {
  const { reporter, stackName } = context;
  const file = auditFile();
  const nothing = (detail: string) => {
    const summary = {
      stack: stackName,
      dlq: dlq.name,
      dryRun: options.dryRun,
      moved: [],
      nothingToRedrive: true,
    };
    if (reporter.json) reporter.result(summary, () => '');
    return new CliError(`Nothing to redrive: ${detail}.`, undefined, EXIT_NOTHING_TO_REDRIVE);
  };
  if (dlq.depth.visible + dlq.depth.inFlight === 0) throw nothing(`${dlq.name} is empty`);
  reporter.step(
    `${options.dryRun ? 'Planning' : 'Redriving'} ${options.ids ? `${options.ids.length} message(s)` : 'every message'} of ${dlq.name}`,
  );
  const progress = throttledProgress(reporter.step);
  const result = await auditedRedrive(
    context,
    dlq,
    options,
    ({ scanned, moved }) => progress.update(`… ${scanned} message(s) read, ${moved} moved`),
    file,
  );
  progress.done(
    `${result.scanned} message(s) read, ${result.moved.length} ${options.dryRun ? 'to move' : 'moved'}`,
  );
  if (result.scanned === 0) throw nothing(`no message of ${dlq.name} is visible (all in flight?)`);
  if (options.ids && result.moved.length === 0 && result.skipped.length === 0) {
    reporter.result({ stack: stackName, dlq: dlq.name, ...result }, () =>
      renderRedrive(dlq.name, result, file),
    );
    throw new CliError(
      `None of the ids is in ${dlq.name}.`,
      `See the ids with \`pipeline dlq show ${dlq.name} --limit 100\`.`,
    );
  }
  reporter.result(
    { stack: stackName, dlq: dlq.name, auditFile: options.dryRun ? undefined : file, ...result },
    () => renderRedrive(dlq.name, result, file),
  );
  const left = result.skipped.length + result.notFound.length;
  if (left > 0) throw new CliError(`${left} selected message(s) were not moved (see above).`);
}

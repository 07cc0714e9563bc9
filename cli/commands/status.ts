import type { Command } from 'commander';
import { stackContext } from '../ops/stack-context.ts';
import { queueStatuses, recentErrors, sagasByStatus } from '../ops/status.ts';
import { table } from '../output.ts';
import { globals } from './common.ts';
import { numberIn } from './numbers.ts';

export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description(
      'Stack outputs, queue depths, DLQ counts, orders (sagas) by status and recent errors of the deployed pipeline',
    )
    .option('--since <minutes>', 'how far back to look for errors', numberIn({ min: 1, max: 43_200 }), 60)
    .action(async (options: { since: number }, command: Command) => {
      const { reporter, stackName } = globals(command);
      const context = await stackContext(stackName);
      reporter.step(`Reading ${stackName} on ${context.target.endpoint ?? `AWS (${context.target.region})`}`);
      const [queues, errors, sagas] = await Promise.all([
        queueStatuses(context),
        recentErrors(context, options.since),
        sagasByStatus(context),
      ]);
      const dlqMessages = queues.filter((q) => q.isDlq).reduce((sum, q) => sum + q.visible + q.inFlight, 0);
      const status = {
        stack: stackName,
        endpoint: context.target.endpoint ?? null,
        outputs: context.outputs,
        queues,
        dlqMessages,
        sagasByStatus: sagas ?? null,
        recentErrors: errors,
      };
      reporter.result(status, () =>
        [
          `Stack ${stackName} on ${context.target.endpoint ?? 'AWS'}`,
          '',
          table([
            ['QUEUE', 'KIND', 'VISIBLE', 'IN FLIGHT'],
            ...queues.map((q) => [
              q.logicalId,
              q.isDlq ? 'DLQ' : 'work',
              String(q.visible),
              String(q.inFlight),
            ]),
          ]),
          '',
          sagas
            ? `Orders (sagas) by status: ${Object.entries(sagas)
                .map(([state, n]) => `${state} ${n}`)
                .join(', ')}`
            : 'No order read model in this stack.',
          dlqMessages > 0
            ? `${dlqMessages} message(s) in dead-letter queues: \`pipeline dlq list\` / \`pipeline dlq show <queue>\`.`
            : 'Dead-letter queues are empty.',
          errors.length > 0
            ? `\nRecent errors (last ${options.since} min):\n${errors.map((e) => `  ${e.time} ${e.message}`).join('\n')}`
            : `No errors logged in the last ${options.since} min.`,
        ].join('\n'),
      );
    });
}

import type { Command } from 'commander';
import { OUTPUTS } from '../../infra/stacks/outputs.ts';
import { clientsFor } from '../cloud/clients.ts';
import { requiredOutput, stackContext } from '../ops/stack-context.ts';
import { openTap, type TailedEvent } from '../ops/tail.ts';
import { globals } from './common.ts';
import { numberIn } from './numbers.ts';

const list = (value: string, previous: string[] = []) => [...previous, ...value.split(',').filter(Boolean)];

function render(event: TailedEvent): string {
  const ids = [
    `id=${event.id}`,
    event.correlationId ? `corr=${event.correlationId}` : '',
    event.causationId ? `cause=${event.causationId}` : '',
    event.replayName ? `replay=${event.replayName}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  return `${event.time}  ${event.type.padEnd(26)} ${event.source.padEnd(22)} ${ids}`;
}

export function registerTailCommand(program: Command): void {
  program
    .command('tail')
    .description(
      'Follow live events on the bus through a temporary rule → queue (removed on exit, also on Ctrl-C).\n' +
        'With --json, prints one JSON object per event (NDJSON).',
    )
    .option('--type <types>', 'only these detail-types (comma-separated or repeated)', list)
    .option('--source <sources>', 'only these sources (default: every orders.* source)', list)
    .option('--max <n>', 'stop after this many events', numberIn({ min: 1 }))
    .option('--timeout <seconds>', 'stop after this many seconds', numberIn({ min: 1, max: 86_400 }))
    .action(
      async (
        options: { type?: string[]; source?: string[]; max?: number; timeout?: number },
        command: Command,
      ) => {
        const { reporter, stackName, json } = globals(command);
        const context = await stackContext(stackName);
        const busName = requiredOutput(context, OUTPUTS.busName);
        const clients = {
          sqs: clientsFor(context.target).sqs,
          events: clientsFor(context.target).events,
        };
        const tap = await openTap(clients, busName, {
          ...(options.type ? { types: options.type } : {}),
          ...(options.source ? { sources: options.source } : {}),
        });
        let stopping = false;
        const stop = () => {
          stopping = true;
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        const max = options.max ?? Number.POSITIVE_INFINITY;
        const deadline = options.timeout ? Date.now() + options.timeout * 1000 : Number.POSITIVE_INFINITY;
        reporter.step(`Tailing ${busName} (rule ${tap.ruleName}); Ctrl-C to stop`);
        let seen = 0;
        try {
          while (!stopping && seen < max && Date.now() < deadline) {
            for (const event of await tap.next(1)) {
              seen += 1;
              process.stdout.write(`${json ? JSON.stringify(event) : render(event)}\n`);
              if (seen >= max) break;
            }
          }
        } finally {
          reporter.step(`Removing rule ${tap.ruleName} and its queue`);
          await tap.close();
        }
        reporter.step(`${seen} event(s) seen`);
      },
    );
}

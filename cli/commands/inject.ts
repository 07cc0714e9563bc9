import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { OUTPUTS } from '../../infra/stacks/outputs.ts';
import { PRODUCER_INTAKE_TYPES } from '../../shared/contexts/index.ts';
import { clientsFor } from '../cloud/clients.ts';
import { buildEvents, catalogType, dataTemplate, putAll } from '../ops/inject.ts';
import { protectOutgoing, stackSubjectKeys } from '../ops/personal-data.ts';
import { requiredOutput, stackContext } from '../ops/stack-context.ts';
import { table } from '../output.ts';
import { globals } from './common.ts';
import { numberIn } from './numbers.ts';

interface InjectOptions {
  data?: string;
  file?: string;
  example?: boolean;
  count: number;
  rate?: number;
  correlationId?: string;
  dryRun?: boolean;
}

export function registerInjectCommand(program: Command): void {
  program
    .command('inject <type>')
    .description(
      'Validate events against the catalog and put them on the bus (PutEvents, batches of 10).\n' +
        'Strings in the data may use {{seq}} and {{uuid}} to make each of --count events distinct.',
    )
    .option('--data <json>', 'event data as JSON')
    .option('--file <path>', 'read event data from a JSON file')
    .option('--example', "use the catalog's example data (with --count, each gets its own orderId)")
    .option('--count <n>', 'how many events to put (1–100000)', numberIn({ min: 1, max: 100_000 }), 1)
    .option(
      '--rate <perSecond>',
      'throttle to about this many events per second',
      numberIn({ min: 0.01, max: 10_000, integer: false }),
    )
    .option('--correlation-id <id>', 'correlation id for every event (default: a new one per event)')
    .option('--dry-run', 'validate and print the events without sending them')
    .action(async (typeName: string, options: InjectOptions, command: Command) => {
      const { reporter, stackName } = globals(command);
      const type = catalogType(typeName);
      const { count } = options;
      const { rate } = options;
      const data = options.file === undefined ? options.data : readFileSync(options.file, 'utf8');
      const events = buildEvents(
        type,
        dataTemplate(type, { data, example: options.example }, count),
        count,
        options.correlationId,
      );
      if (options.dryRun) {
        reporter.result(events, () => events.map((e) => JSON.stringify(e, null, 2)).join('\n'));
        return;
      }
      const context = await stackContext(stackName);
      const busName = requiredOutput(context, OUTPUTS.busName);
      const intake: readonly string[] = PRODUCER_INTAKE_TYPES;
      if (!intake.includes(type)) {
        reporter.warn(
          `${type} is not a command producers send: consumers react only to events the event store ` +
            `accepted, so whichever consumer receives it refuses it to its DLQ (NOT_STORED). Producers send ${intake.join(', ')}.`,
        );
      }
      const clients = clientsFor(context.target);
      // Personal fields leave encrypted, as an intake stores them: the bus archive never sees them clear.
      const outgoing = await protectOutgoing(events, stackSubjectKeys(context, clients.dynamodb));
      reporter.step(`Putting ${count} ${type} event(s) on ${busName}`);
      const results = await putAll(clients.events, busName, outgoing, {
        ...(rate ? { rate } : {}),
        onProgress: (done) => {
          if (count > 10) reporter.step(`${done}/${count} sent`);
        },
      });
      const failed = results.filter((r) => r.status === 'failed');
      reporter.result(
        { bus: busName, type, sent: results.length, failed: failed.length, events: results },
        () =>
          [
            table([
              ['EVENT ID', 'CORRELATION ID', 'STATUS', 'DETAIL'],
              ...results.map((r) => [r.eventId, r.correlationId, r.status, r.error ?? r.eventBridgeId ?? '']),
            ]),
            `${results.length - failed.length}/${results.length} accepted by ${busName}`,
          ].join('\n'),
      );
      if (failed.length > 0) process.exitCode = 1;
    });
}

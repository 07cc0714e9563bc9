import type { Command } from 'commander';
import { OUTPUTS } from '../../infra/stacks/outputs.ts';
import { clientsFor } from '../cloud/clients.ts';
import { requiredOutput, stackContext } from '../ops/stack-context.ts';
import {
  causationTree,
  deadLettersOf,
  eventsOf,
  refusalsOf,
  sagaStates,
  scanWarning,
  type Trace,
  type TraceNode,
  verdicts,
} from '../ops/trace.ts';
import { globals } from './common.ts';

function renderTree(nodes: readonly TraceNode[], start: number, depth = 0): string[] {
  return nodes.flatMap((node) => {
    const offset = `+${Date.parse(node.time) - start} ms`.padStart(10);
    const label = `${'  '.repeat(depth)}${node.type}${node.internal ? ' (internal)' : ''}`;
    return [
      `${offset}  ${label.padEnd(44)} ${node.source.padEnd(20)} ${node.streamId}`,
      ...renderTree(node.children, start, depth + 1),
    ];
  });
}

function render(trace: Trace): string {
  const first = trace.roots[0];
  const start = first ? Date.parse(first.time) : 0;
  return [
    `Trace ${trace.correlationId}: ${trace.events} event(s)${first ? ` from ${first.time}` : ''}${
      trace.itemsRead === undefined
        ? ''
        : ` (read ${trace.itemsRead} event store items: ${
            trace.source === 'scan' ? 'a scan of the whole table' : 'the flow alone, through its index'
          })`
    }`,
    '',
    ...renderTree(trace.roots, start),
    '',
    ...trace.verdict.map((line) => `• ${line}`),
  ].join('\n');
}

export function registerTraceCommand(program: Command): void {
  program
    .command('trace <correlationId>')
    .description(
      'One business flow: the causation tree and timeline of its stored events, where each saga stands\n' +
        '(finished, or the step it waits for and its deadline), and any of its messages parked in a DLQ',
    )
    .option('--internal', 'include internal events (saga transitions, stock movements)')
    .option(
      '--scan',
      'read the whole event store table instead of its correlation index (for flows stored before the\n' +
        'index existed; costs a read of every item)',
    )
    .action(
      async (correlationId: string, options: { internal?: boolean; scan?: boolean }, command: Command) => {
        const { reporter, stackName } = globals(command);
        const context = await stackContext(stackName);
        reporter.step(`Collecting events of ${correlationId}`);
        const tableName = requiredOutput(context, OUTPUTS.eventStoreTable);
        const table = { client: clientsFor(context.target).dynamodb, tableName };
        const {
          events: stored,
          itemsRead,
          source,
        } = await eventsOf(table, correlationId, {
          scan: options.scan === true,
        });
        if (source === 'scan' && !options.scan) reporter.warn(scanWarning(tableName, itemsRead));
        const visible = options.internal ? stored : stored.filter((e) => e.event.metadata?.internal !== true);
        reporter.step('Looking for its messages in dead-letter queues');
        const deadLetters = await deadLettersOf(context, correlationId, reporter);
        const partial = {
          correlationId,
          roots: causationTree(visible),
          events: visible.length,
          sagas: sagaStates(stored),
          deadLetters,
          refusals: refusalsOf(stored),
        };
        const verdict = verdicts(partial);
        // Items written before the index existed carry no index key: say how to find such a flow.
        if (stored.length === 0 && source === 'index')
          verdict.push('Flows stored before the correlation index existed are found with --scan.');
        const trace: Trace = { ...partial, verdict, itemsRead, source };
        reporter.result(trace, () => render(trace));
        if (stored.length === 0 && deadLetters.length === 0) process.exitCode = 1;
      },
    );
}

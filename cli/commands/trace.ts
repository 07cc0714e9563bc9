import type { Command } from 'commander';
import { stackContext } from '../ops/stack-context.ts';
import type { Trace, TraceNode } from '../ops/trace.ts';
import { traceFlow } from '../ops/trace-flow.ts';
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
        const { trace, storedEvents } = await traceFlow(context, correlationId, options, reporter);
        reporter.result(trace, () => render(trace));
        if (storedEvents === 0 && trace.deadLetters.length === 0) process.exitCode = 1;
      },
    );
}

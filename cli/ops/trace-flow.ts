import { OUTPUTS } from '../../infra/stacks/outputs.ts';
import { clientsFor } from '../cloud/clients.ts';
import type { Reporter } from '../output.ts';
import { requiredOutput, type StackContext } from './stack-context.ts';
import {
  causationTree,
  deadLettersOf,
  eventsOf,
  refusalsOf,
  sagaStates,
  scanWarning,
  type Trace,
  verdicts,
} from './trace.ts';

/** What `traceFlow` is asked: the flow, and whether to show internal events or scan the whole table. */
export interface TraceFlowOptions {
  readonly internal?: boolean;
  readonly scan?: boolean;
}

/**
 * One business flow as `pipeline trace` shows it: the causation tree of its stored events, where each
 * saga stands, its refusals and its dead-lettered messages, and a verdict; `storedEvents` counts internal
 * events too (hidden unless asked for). Shared by the command and
 * the console, so both read a flow the same way.
 */
export async function traceFlow(
  context: StackContext,
  correlationId: string,
  options: TraceFlowOptions,
  reporter: Reporter,
): Promise<{ trace: Trace; storedEvents: number }> {
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
  return { trace: { ...partial, verdict, itemsRead, source }, storedEvents: stored.length };
}

import { paginateScan } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { commitsOfCorrelation } from '../../shared/kit/event-store/dynamodb-index-queries.ts';
import { EVENT_STORE_INDEXES } from '../../shared/kit/event-store/dynamodb-indexes.ts';
import { type ItemImage, storedEventsFromItem } from '../../shared/kit/event-store/dynamodb-items.ts';
import type { TableRef } from '../../shared/kit/event-store/dynamodb-queries.ts';
import type { StoredEvent } from '../../shared/kit/event-store/port.ts';
import {
  evolveSagaState,
  initialSagaState,
  isSagaTransition,
  type SagaState,
} from '../../shared/kit/saga/state.ts';
import { clientsFor } from '../cloud/clients.ts';
import { decodeMessage } from '../dlq/decode.ts';
import { discoverQueues } from '../dlq/discover.ts';
import { peekMessages } from '../dlq/peek.ts';
import { sqsQueuePort } from '../dlq/queue-port.ts';
import type { Reporter } from '../output.ts';
import type { StackContext } from './stack-context.ts';

/** One event of a business flow, placed in its causation tree. */
export interface TraceNode {
  readonly id: string;
  readonly type: string;
  readonly source: string;
  readonly time: string;
  readonly streamId: string;
  readonly causationId?: string;
  readonly internal: boolean;
  readonly children: TraceNode[];
}

/** A dead-lettered message of this flow. */
export interface TraceDeadLetter {
  readonly queue: string;
  readonly messageId: string;
  readonly type?: string;
  readonly reason: string;
}

/** A refused command of the flow: stored as an event that names it (`data.refusedEventId`). */
export interface TraceRefusal {
  readonly streamId: string;
  readonly type: string;
  readonly refusedEventId: string;
  readonly reason: string;
}

export interface Trace {
  readonly correlationId: string;
  readonly roots: TraceNode[];
  readonly events: number;
  readonly sagas: { readonly streamId: string; readonly state: SagaState }[];
  readonly deadLetters: TraceDeadLetter[];
  /** Commands of this flow that were refused (a stored refusal names them), with the reason. */
  readonly refusals?: TraceRefusal[];
  /** Where the flow stands: finished, or what it waits for. */
  readonly verdict: string[];
  /** Event store items read to find the flow: its own through the index, the whole table by a scan. */
  readonly itemsRead?: number;
  /** Whether the flow was found through the correlation index or by a scan of the whole table. */
  readonly source?: TraceSource;
}

/** How trace found the flow's items: the correlation index, or a scan of the whole table. */
export type TraceSource = 'index' | 'scan';

/**
 * Every stored event with this correlation id. Through the table's `byCorrelation` index (keys only:
 * where each run of the flow's commits starts in a stream, then each run read on in its stream) when
 * the stage deployed it; otherwise a full scan with a filter on the commits' correlation ids, which
 * reads every item of the table (`traceIndex` in `infra/stages.ts`). `itemsRead` is what either read:
 * the flow's items (and the commit that ended each run of them in a stream), or the whole table. The
 * index is tried rather than looked up with DescribeTable: DynamoDB refuses a query of an index the
 * table lacks, or of one still backfilling, and that refusal is what sends trace to the scan.
 */
export async function eventsOf(
  table: TableRef,
  correlationId: string,
  options: { readonly scan?: boolean } = {},
): Promise<{ events: StoredEvent[]; itemsRead: number; source: TraceSource }> {
  // `scan`: items written before the index existed carry no index key; only a scan finds them.
  const indexed = options.scan
    ? undefined
    : await commitsOfCorrelation(table, correlationId).catch((error: unknown) => {
        if (indexUnavailable(error)) return undefined;
        throw error;
      });
  const { items, itemsRead } = indexed ?? (await scanForCorrelation(table, correlationId));
  const found = items.flatMap((item) =>
    storedEventsFromItem(item).filter((e) => e.event.correlationId === correlationId),
  );
  const events = found.sort(
    (a, b) => a.event.time.localeCompare(b.event.time) || a.streamVersion - b.streamVersion,
  );
  return { events, itemsRead, source: indexed ? 'index' : 'scan' };
}

/**
 * DynamoDB's refusal of a query on an index it cannot serve: a ValidationException naming the index
 * ("The table does not have the specified index: …", "Cannot read from backfilling global secondary
 * index: …").
 */
export function indexUnavailable(error: unknown): boolean {
  return (
    error instanceof Error &&
    // AWS answers ValidationException naming the index; moto ResourceNotFoundException ("Invalid index:
    // byCorrelation …"), DynamoDB Local (LocalStack) ResourceNotFoundException "Index not found".
    (error.name === 'ValidationException' || error.name === 'ResourceNotFoundException') &&
    (error.message.includes(EVENT_STORE_INDEXES.byCorrelation.name) ||
      /\bindex not found\b/i.test(error.message))
  );
}

/** What a trace without the index says: what it costs, and how to stop paying it. */
export function scanWarning(tableName: string, itemsRead: number): string {
  return (
    `${tableName} has no active correlation index (${EVENT_STORE_INDEXES.byCorrelation.name}): this trace scanned ` +
    `the whole table, ${itemsRead} items (0.5 RRU per 4 KB read, every item of every flow). Deploy with ` +
    '-c traceIndex=on to query the flow alone (1 WRU more per commit item written; see traceIndex in infra/stages.ts).'
  );
}

async function scanForCorrelation(
  table: TableRef,
  correlationId: string,
): Promise<{ items: ItemImage[]; itemsRead: number }> {
  const items: ItemImage[] = [];
  let itemsRead = 0;
  const pages = paginateScan(
    { client: table.client },
    {
      TableName: table.tableName,
      // `correlationIds` (a string set) on every commit, whether its events are gzipped or not; the
      // text match on `events` finds commits written before that attribute existed.
      FilterExpression: '(contains(correlationIds, :id) OR contains(events, :c)) AND begins_with(sk, :e)',
      ExpressionAttributeValues: {
        ':id': { S: correlationId },
        ':c': { S: `"correlationId":${JSON.stringify(correlationId)}` },
        ':e': { S: 'E#' },
      },
    },
  );
  for await (const page of pages) {
    itemsRead += page.ScannedCount ?? 0;
    items.push(...(page.Items ?? []));
  }
  return { items, itemsRead };
}

/** Builds the causation tree: an event whose cause is not in the flow is a root. */
export function causationTree(events: readonly StoredEvent[]): TraceNode[] {
  const nodes = new Map<string, TraceNode>();
  for (const { event, streamId } of events) {
    nodes.set(event.id, {
      id: event.id,
      type: event.type,
      source: event.source,
      time: event.time,
      streamId,
      ...(event.causationId ? { causationId: event.causationId } : {}),
      internal: event.metadata?.internal === true,
      children: [],
    });
  }
  const roots: TraceNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.causationId ? nodes.get(node.causationId) : undefined;
    if (parent && parent !== node) parent.children.push(node);
    else roots.push(node);
  }
  return roots;
}

/** Folds each saga stream of the flow into its state. */
export function sagaStates(events: readonly StoredEvent[]): Trace['sagas'] {
  const byStream = new Map<string, SagaState>();
  for (const { streamId, event } of events) {
    if (!streamId.startsWith('saga-') || !isSagaTransition(event)) continue;
    byStream.set(streamId, evolveSagaState(byStream.get(streamId) ?? initialSagaState(), event));
  }
  return [...byStream.entries()].map(([streamId, state]) => ({ streamId, state }));
}

/**
 * The refusals among a flow's events: any stored event whose data names the command it refused
 * (`refusedEventId`) and why (`reason`), e.g. `OrderRejected`.
 */
export function refusalsOf(events: readonly StoredEvent[]): TraceRefusal[] {
  return events.flatMap(({ streamId, event }) => {
    const { refusedEventId, reason } = event.data as { refusedEventId?: unknown; reason?: unknown };
    if (typeof refusedEventId !== 'string') return [];
    return [{ streamId, type: event.type, refusedEventId, reason: typeof reason === 'string' ? reason : '' }];
  });
}

/** Human verdicts: a saga's end, the step it waits for (and whether its deadline passed), DLQ parks. */
export function verdicts(trace: Omit<Trace, 'verdict'>, now = new Date()): string[] {
  const lines: string[] = [];
  if (trace.events === 0) lines.push('No stored event carries this correlation id.');
  const refusals = trace.refusals ?? [];
  for (const refusal of refusals) {
    lines.push(
      `${refusal.streamId}: refused command ${refusal.refusedEventId} (${refusal.type}): ${refusal.reason}; nothing else changed`,
    );
  }
  for (const { streamId, state } of trace.sagas) {
    // A flow whose only saga transition is the refusal's bookkeeping did not start or move the saga.
    if (state.status === 'new' && refusals.some((r) => r.streamId === streamId)) continue;
    if (state.status === 'completed' || state.status === 'cancelled') {
      lines.push(`${streamId}: ${state.status}${state.reason ? ` (${state.reason})` : ''}`);
    } else if (state.active) {
      const overdue = now.toISOString() > state.active.deadline;
      lines.push(
        `${streamId}: ${state.status}, waiting for ${state.active.step} (${state.active.phase}) until ${state.active.deadline}${overdue ? ' — deadline passed: its timer has not been handled (check the saga queue and its DLQ)' : ''}`,
      );
    } else lines.push(`${streamId}: ${state.status}`);
  }
  for (const dead of trace.deadLetters) {
    lines.push(`stuck in ${dead.queue}: ${dead.type ?? 'message'} ${dead.messageId} — ${dead.reason}`);
  }
  return lines;
}

/** Messages of this flow parked in any DLQ of the stack (peeked, left in place). */
export async function deadLettersOf(context: StackContext, correlationId: string, reporter: Reporter) {
  const clients = clientsFor(context.target);
  const { dlqs } = await discoverQueues(clients, context.stackName, reporter);
  const port = sqsQueuePort(clients.sqs);
  const found: TraceDeadLetter[] = [];
  for (const dlq of dlqs) {
    const attributes = await clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: dlq.url, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );
    const depth = Number(attributes.Attributes?.ApproximateNumberOfMessages ?? 0);
    if (depth === 0) continue;
    const { messages } = await peekMessages(port, dlq.url, { limit: Math.min(depth, 100), expected: depth });
    for (const message of messages) {
      const decoded = decodeMessage(message, dlq);
      if (decoded.envelope?.correlationId !== correlationId && !message.body.includes(correlationId))
        continue;
      found.push({
        queue: dlq.name,
        messageId: decoded.messageId,
        ...(decoded.envelope?.type ? { type: decoded.envelope.type } : {}),
        reason: decoded.failure.summary,
      });
    }
  }
  return found;
}

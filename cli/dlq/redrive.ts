import type { AuditEntry } from './audit.ts';
import { decodeMessage } from './decode.ts';
import type { DeadLetterQueue, QueueRef } from './model.ts';
import type { QueuePort, ReceivedMessage } from './queue-port.ts';
import { chooseTarget, fifoGroups, outgoingMessage, sendBatches } from './redrive-plan.ts';

/**
 * Messages are hidden this long while a redrive holds them. Long enough to send and delete one batch;
 * messages not moved are made visible again at the end, and a crash leaves them hidden this long.
 */
export const REDRIVE_VISIBILITY_SECONDS = 120;

export interface RedriveOptions {
  /** Only these message ids; undefined: every message. */
  readonly ids?: readonly string[];
  readonly dryRun: boolean;
  /** Overrides every message's target. */
  readonly to?: QueueRef;
  readonly stack: string;
  readonly operator: string;
  readonly now?: () => Date;
}

export interface RedriveDeps {
  readonly port: QueuePort;
  /** Resolves a queue ARN or URL to a queue (undefined: no such queue). */
  readonly resolveQueue: (ref: string) => Promise<QueueRef | undefined>;
  /** Receives the audit entries of each batch as soon as it is moved. */
  readonly audit: (entries: readonly AuditEntry[]) => void;
  readonly onProgress?: (progress: { readonly scanned: number; readonly moved: number }) => void;
}

export interface MovedMessage {
  readonly messageId: string;
  readonly target: string;
  /** Id of the copy in the target; for a dry run, undefined. */
  readonly newMessageId?: string;
  readonly deletedFromDlq?: boolean;
}

export interface RedriveResult {
  readonly dryRun: boolean;
  /** Distinct messages looked at. */
  readonly scanned: number;
  /** Moved (or, in a dry run, would be moved). */
  readonly moved: readonly MovedMessage[];
  /** Selected but left in the DLQ, with the reason. */
  readonly skipped: readonly { readonly messageId: string; readonly reason: string }[];
  /** Requested ids that were not in the DLQ (or not reachable: FIFO groups behind held messages). */
  readonly notFound: readonly string[];
}

interface Move {
  readonly message: ReceivedMessage;
  readonly target: QueueRef;
}

/**
 * Moves messages from a DLQ back to the queues they came from, without StartMessageMoveTask: that API
 * moves everything (no selection by id), writes no per-message audit, cannot drop the failure
 * attributes, only knows SQS-moved messages, and emulators lack it. Each batch is received, sent to
 * its target, and deleted from the DLQ only after the send succeeded: a crash in between leaves the
 * message in both queues (a duplicate that idempotent consumers absorb), never in neither.
 */
export async function redrive(
  deps: RedriveDeps,
  dlq: DeadLetterQueue,
  options: RedriveOptions,
): Promise<RedriveResult> {
  const wanted = options.ids ? new Set(options.ids) : undefined;
  const run: RunState = { held: new Map(), handled: new Set(), seen: new Set(), moved: [], skipped: [] };
  const more = () => !wanted || [...wanted].some((id) => !run.handled.has(id));
  try {
    for await (const batch of receiveWhile(deps.port, dlq.url, more)) {
      // A held message comes back when a long run outlives its visibility: keep its newest handle.
      for (const m of batch) if (run.held.has(m.messageId)) run.held.set(m.messageId, m.receiptHandle);
      const fresh = batch.filter((m) => !run.seen.has(m.messageId));
      for (const m of fresh) run.seen.add(m.messageId);
      const moves = await selectMoves(deps, dlq, fresh, wanted, options.to, run);
      if (options.dryRun) {
        for (const { message, target } of moves) {
          run.held.set(message.messageId, message.receiptHandle);
          run.moved.push({ messageId: message.messageId, target: target.name });
        }
      } else {
        const outcome = await moveBatch(deps, dlq, moves, options);
        run.moved.push(...outcome.moved);
        run.skipped.push(...outcome.failed);
        for (const { messageId, receiptHandle } of outcome.unsent) run.held.set(messageId, receiptHandle);
      }
      deps.onProgress?.({ scanned: run.seen.size, moved: run.moved.length });
    }
  } finally {
    // Everything looked at but not moved becomes visible again at once.
    if (run.held.size > 0) await deps.port.changeVisibility(dlq.url, [...run.held.values()], 0);
  }
  const notFound = wanted ? [...wanted].filter((id) => !run.handled.has(id)) : [];
  const { moved, skipped } = run;
  return { dryRun: options.dryRun, scanned: run.seen.size, moved, skipped, notFound };
}

interface RunState {
  /** Received but staying in the DLQ (not selected, no target, send failed): id → newest receipt handle. */
  readonly held: Map<string, string>;
  /** Selected messages, moved or not. */
  readonly handled: Set<string>;
  readonly seen: Set<string>;
  readonly moved: MovedMessage[];
  readonly skipped: { messageId: string; reason: string }[];
}

/**
 * Receives batches while `more()` holds, until the queue has nothing visible: one empty answer is
 * confirmed by a long poll, which asks every SQS server instead of a sample.
 */
async function* receiveWhile(port: QueuePort, url: string, more: () => boolean) {
  let emptyPolls = 0;
  while (more()) {
    const batch = await port.receive(url, {
      maxMessages: 10,
      visibilityTimeout: REDRIVE_VISIBILITY_SECONDS,
      waitSeconds: emptyPolls > 0 ? 1 : 0,
    });
    if (batch.length > 0) {
      emptyPolls = 0;
      yield batch;
    } else if (++emptyPolls > 1) return;
  }
}

/** The selected messages of a batch with their targets; the rest is held (and skips recorded). */
async function selectMoves(
  deps: RedriveDeps,
  dlq: DeadLetterQueue,
  fresh: readonly ReceivedMessage[],
  wanted: ReadonlySet<string> | undefined,
  to: QueueRef | undefined,
  run: RunState,
): Promise<Move[]> {
  const moves: Move[] = [];
  for (const message of fresh) {
    if (wanted && !wanted.has(message.messageId)) {
      run.held.set(message.messageId, message.receiptHandle);
      continue;
    }
    run.handled.add(message.messageId);
    const target = await targetOf(deps, dlq, message, to);
    if ('queue' in target) {
      moves.push({ message, target: target.queue });
      continue;
    }
    run.held.set(message.messageId, message.receiptHandle);
    run.skipped.push({ messageId: message.messageId, reason: target.reason });
  }
  return moves;
}

async function targetOf(
  deps: RedriveDeps,
  dlq: DeadLetterQueue,
  message: ReceivedMessage,
  to: QueueRef | undefined,
): Promise<{ queue: QueueRef } | { reason: string }> {
  const choice = chooseTarget(message, dlq, to);
  if (choice.kind === 'skip') return { reason: choice.reason };
  const queue = to ?? (await deps.resolveQueue(choice.ref));
  if (!queue) return { reason: `target queue ${choice.ref} (from ${choice.why}) does not exist` };
  if (queue.url === dlq.url || queue.arn === dlq.arn) return { reason: 'the target is the DLQ itself' };
  return { queue };
}

interface BatchOutcome {
  moved: MovedMessage[];
  failed: { messageId: string; reason: string }[];
  unsent: ReceivedMessage[];
}

/** Sends one received batch to its targets, deletes what was sent, audits it. */
async function moveBatch(
  deps: RedriveDeps,
  dlq: DeadLetterQueue,
  moves: readonly Move[],
  options: RedriveOptions,
): Promise<BatchOutcome> {
  const outcome: BatchOutcome = { moved: [], failed: [], unsent: [] };
  const sent: { move: Move; newMessageId: string }[] = [];
  const byTarget = new Map<string, Move[]>();
  for (const move of moves) byTarget.set(move.target.url, [...(byTarget.get(move.target.url) ?? []), move]);
  for (const targetMoves of byTarget.values()) {
    const fifo = targetMoves[0]?.target.fifo ?? false;
    // FIFO: one message at a time per group, stopping the group at its first failure, so the target
    // receives the group in DLQ order with no gap. Standard queues have no order to keep: batches.
    const runs = fifo ? fifoGroups(targetMoves) : [targetMoves];
    for (const run of runs) {
      const result = await sendRun(deps, dlq, run, fifo);
      sent.push(...result.sent);
      outcome.failed.push(...result.failed);
      outcome.unsent.push(...result.unsent.map((m) => m.message));
    }
  }
  const notDeleted = new Set(
    sent.length > 0
      ? await deps.port.delete(
          dlq.url,
          sent.map((s) => s.move.message.receiptHandle),
        )
      : [],
  );
  const time = (options.now ?? (() => new Date()))().toISOString();
  const entries: AuditEntry[] = sent.map(({ move, newMessageId }) => ({
    time,
    operator: options.operator,
    stack: options.stack,
    dlq: dlq.name,
    target: move.target.name,
    messageId: move.message.messageId,
    newMessageId,
    deletedFromDlq: !notDeleted.has(move.message.receiptHandle),
    reason: decodeMessage(move.message, dlq).failure.summary,
  }));
  deps.audit(entries);
  outcome.moved.push(
    ...entries.map((e) => ({
      messageId: e.messageId,
      target: e.target,
      newMessageId: e.newMessageId,
      deletedFromDlq: e.deletedFromDlq,
    })),
  );
  return outcome;
}

async function sendRun(deps: RedriveDeps, dlq: DeadLetterQueue, run: readonly Move[], fifo: boolean) {
  const sent: { move: Move; newMessageId: string }[] = [];
  const failed: { messageId: string; reason: string }[] = [];
  const unsent: Move[] = [];
  const target = run[0]?.target;
  if (!target) return { sent, failed, unsent };
  const entries = run.map((move, i) => ({
    ...outgoingMessage(move.message, dlq.name, target, String(i)),
    move,
  }));
  const batches = fifo ? entries.map((entry) => [entry]) : sendBatches(entries);
  for (const [index, batch] of batches.entries()) {
    const result = await deps.port.send(target.url, batch);
    const ids = new Map(result.sent.map((s) => [s.entryId, s.messageId]));
    const errors = new Map(result.failed.map((f) => [f.entryId, f.error]));
    for (const entry of batch) {
      const newMessageId = ids.get(entry.entryId);
      if (newMessageId !== undefined) sent.push({ move: entry.move, newMessageId });
      else {
        unsent.push(entry.move);
        const reason = `send to ${target.name} failed: ${errors.get(entry.entryId) ?? 'no answer'}`;
        failed.push({ messageId: entry.move.message.messageId, reason });
      }
    }
    if (fifo && errors.size > 0) {
      for (const rest of batches.slice(index + 1).flat()) {
        unsent.push(rest.move);
        const reason = 'not sent: an earlier message of its FIFO group failed, order is kept';
        failed.push({ messageId: rest.move.message.messageId, reason });
      }
      break;
    }
  }
  return { sent, failed, unsent };
}

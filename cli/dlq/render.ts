import { table } from '../output.ts';
import { formatAge, type OldestAge } from './age.ts';
import type { DecodedMessage } from './decode.ts';
import { type DeadLetterQueue, describeSource, type QueueDepth } from './model.ts';
import type { RedriveResult } from './redrive.ts';

/** One row of `dlq list`. */
export interface DlqListEntry {
  readonly logicalId: string;
  readonly name: string;
  readonly url: string;
  readonly arn: string;
  readonly fifo: boolean;
  readonly depth: QueueDepth & { readonly total: number };
  readonly oldest: OldestAge;
  readonly sources: DeadLetterQueue['sources'];
}

export function renderList(stack: string, entries: readonly DlqListEntry[]): string {
  if (entries.length === 0) return `Stack ${stack} has no dead-letter queues.`;
  const rows = entries.map((e) => [
    e.name,
    String(e.depth.total),
    String(e.depth.inFlight),
    e.oldest.seconds === undefined ? '-' : `${e.oldest.lowerBound ? '≥ ' : ''}${formatAge(e.oldest.seconds)}`,
    e.sources.map(describeSource).join('; '),
  ]);
  const sources = new Set(entries.map((e) => e.oldest.source));
  const notes = [
    sources.has('peek')
      ? 'OLDEST from a peek (SentTimestamp, time since first sent); "≥": the peek saw part of the queue.'
      : '',
    sources.has('metric') ? 'OLDEST from CloudWatch ApproximateAgeOfOldestMessage (time in the DLQ).' : '',
  ].filter(Boolean);
  return [
    `Dead-letter queues of ${stack}:`,
    table([['DLQ', 'DEPTH', 'IN FLIGHT', 'OLDEST', 'SOURCES'], ...rows]),
    ...(notes.length > 0 ? ['', ...notes] : []),
  ].join('\n');
}

const BODY_PREVIEW = 300;

function renderMessage(m: DecodedMessage): string {
  const lines = [`Message ${m.messageId}`];
  const field = (name: string, value: string) => lines.push(`  ${name.padEnd(10)} ${value}`);
  if (m.sentAt) field('sent', `${m.sentAt} (${formatAge(m.ageSeconds)} ago)`);
  if (m.receiveCount !== undefined)
    field('receives', `${m.receiveCount} (ApproximateReceiveCount, peeks included)`);
  field('reason', m.failure.summary);
  if (m.failure.kind === 'consumer' && m.failure.failedAt) field('failed at', m.failure.failedAt);
  if (m.groupId) field('group', m.groupId);
  if (m.sns)
    field('sns', `unwrapped notification ${m.sns.messageId ?? ''} of ${m.sns.topicArn ?? '?'}`.trim());
  if (m.event) {
    field(
      'event',
      `${m.event.detailType ?? '?'} from ${m.event.source ?? '?'} (EventBridge id ${m.event.id ?? '?'})`,
    );
  }
  if (m.envelope) {
    const { id, type, version, correlationId } = m.envelope;
    field(
      'envelope',
      `${type}${version ? ` v${version}` : ''} id ${id} correlationId ${correlationId ?? '-'}`,
    );
  }
  if (m.problem) field('note', m.problem);
  const extra = Object.entries(m.attributes).filter(
    ([name]) => !/^(error-|failed-at|source-queue|receive-count)/.test(name),
  );
  if (extra.length > 0) field('attributes', extra.map(([k, v]) => `${k}=${v}`).join(', '));
  const body =
    m.body.length > BODY_PREVIEW
      ? `${m.body.slice(0, BODY_PREVIEW)}… (${m.body.length} chars, --json for all)`
      : m.body;
  field('body', body);
  return lines.join('\n');
}

export function renderShow(
  dlq: Pick<DeadLetterQueue, 'name' | 'depth'>,
  messages: readonly DecodedMessage[],
): string {
  const depth = dlq.depth.visible + dlq.depth.inFlight;
  const header = `${dlq.name}: ${depth} message(s)${dlq.depth.inFlight ? `, ${dlq.depth.inFlight} in flight (not shown)` : ''}; showing ${messages.length}, all left in the queue.`;
  if (depth === 0 && messages.length === 0) return `${dlq.name} is empty.`;
  if (messages.length === 0) return `${header}\nNo message could be read (in flight elsewhere?).`;
  return [header, ...messages.map(renderMessage)].join('\n\n');
}

export function renderRedrive(dlqName: string, result: RedriveResult, auditPath: string): string {
  const lines: string[] = [];
  const count = result.moved.length;
  if (result.dryRun) {
    lines.push(`Dry run: would move ${count} message(s) out of ${dlqName}; nothing was moved.`);
    for (const m of result.moved) lines.push(`  ${m.messageId} → ${m.target}`);
  } else {
    lines.push(`Moved ${count} message(s) out of ${dlqName} (audit: ${auditPath}).`);
    for (const m of result.moved) {
      const kept = m.deletedFromDlq === false ? '  ! also still in the DLQ (delete refused)' : '';
      lines.push(`  ${m.messageId} → ${m.target} as ${m.newMessageId}${kept}`);
    }
  }
  if (result.skipped.length > 0) {
    lines.push(`Left in ${dlqName}: ${result.skipped.length}`);
    for (const s of result.skipped) lines.push(`  ${s.messageId}: ${s.reason}`);
  }
  if (result.notFound.length > 0) lines.push(`Not found in ${dlqName}: ${result.notFound.join(', ')}`);
  return lines.join('\n');
}

/**
 * Progress for operations that may run long: a line at most once per `intervalMs`, the first one only
 * after `intervalMs`, so quick runs stay quiet; `done` closes with a final line if any was printed.
 */
export function throttledProgress(print: (message: string) => void, intervalMs = 1000) {
  let last = Date.now();
  let printed = false;
  return {
    update(message: string) {
      const now = Date.now();
      if (now - last < intervalMs) return;
      last = now;
      printed = true;
      print(message);
    },
    done(message: string) {
      if (printed) print(message);
    },
  };
}

import type { PutEventsEntry } from '../../shared/events/eventbridge.ts';
import { type BatchLimits, toBatches } from './batches.ts';
import { type OutboxItem, type OutboxStreamRecord, selectOutboxItems } from './stream-records.ts';

/** The slice of PutEvents the outbox needs; the AWS SDK client's response has this shape. */
export interface PutEventsResult {
  readonly FailedEntryCount?: number;
  readonly Entries?: readonly {
    readonly EventId?: string;
    readonly ErrorCode?: string;
    readonly ErrorMessage?: string;
  }[];
}

/** Sends one PutEvents request. */
export type PutEvents = (entries: readonly PutEventsEntry[]) => Promise<PutEventsResult>;

/** Dependencies and settings of {@link publishStreamRecords}. */
export interface PublishDependencies {
  readonly putEvents: PutEvents;
  readonly busName: string;
  /** PutEvents calls per batch, the first included; only the failed entries are sent again. @default 4 */
  readonly maxAttempts?: number;
  /** Delay ceiling before the second call, doubled for each further one. @default 100 */
  readonly baseDelayMs?: number;
  /** @default 2000 */
  readonly maxDelayMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  readonly limits?: BatchLimits;
}

/** The record Lambda must retry from, and why. */
export interface OutboxFailure {
  readonly sequenceNumber: string;
  readonly reason: string;
  /** The stored item (`<pk> <sk>`) when the record itself is unreadable, so the log names it. */
  readonly item?: string;
}

/** Outcome of one invocation. */
export interface PublishOutcome {
  /** Ids of the envelopes EventBridge accepted, in stream order. */
  readonly published: readonly string[];
  /** Records that were not inserted event items. */
  readonly skipped: number;
  /** The earliest record not published; Lambda retries the batch from it. */
  readonly failure?: OutboxFailure;
}

type Publishable = Extract<OutboxItem, { readonly entry: PutEventsEntry }>;

/** Why an entry is not (yet) on the bus; `permanent` when sending it again cannot help. */
interface EntryFailure {
  readonly reason: string;
  readonly permanent: boolean;
}

/** Codes for which sending the same entry again cannot succeed. */
const PERMANENT_CODES = new Set(['MalformedDetail', 'InvalidArgument', 'ValidationException']);

/**
 * Publishes the event items of a DynamoDB stream batch to the bus: in stream order, in PutEvents
 * requests of ≤ 10 entries under the size limit, sending only the failed entries again with jittered
 * exponential backoff. It stops at the first record it cannot publish (an unreadable item, or an entry
 * still failing after `maxAttempts`) and reports it, so Lambda retries from there (bisecting, then the
 * on-failure destination) and nothing is dropped. Events after it are left for that retry.
 */
export async function publishStreamRecords(
  records: readonly OutboxStreamRecord[],
  deps: PublishDependencies,
): Promise<PublishOutcome> {
  const { items, skipped } = selectOutboxItems(records, deps.busName);
  const firstProblem = items.findIndex((item) => 'problem' in item);
  const publishable = items.slice(0, firstProblem === -1 ? items.length : firstProblem).filter(isPublishable);
  const published: string[] = [];
  for (const batch of toBatches(publishable, deps.limits)) {
    const failed = await sendWithRetries(batch, deps);
    for (const item of batch) if (!failed.has(item)) published.push(item.eventId);
    const first = batch.find((item) => failed.has(item));
    if (first) {
      const reason = failed.get(first)?.reason ?? 'unknown';
      return { published, skipped, failure: { sequenceNumber: first.sequenceNumber, reason } };
    }
  }
  const problem = items[firstProblem];
  if (problem && 'problem' in problem) {
    return {
      published,
      skipped,
      failure: { sequenceNumber: problem.sequenceNumber, reason: problem.problem, item: problem.item },
    };
  }
  return { published, skipped };
}

function isPublishable(item: OutboxItem): item is Publishable {
  return 'entry' in item;
}

/** Sends a batch, then only its failed entries again; returns the entries still failing, with a reason. */
async function sendWithRetries(batch: readonly Publishable[], deps: PublishDependencies) {
  const maxAttempts = deps.maxAttempts ?? 4;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let pending = new Map<Publishable, EntryFailure>(
    batch.map((item) => [item, { reason: 'not sent', permanent: false }]),
  );
  for (let attempt = 1; attempt <= maxAttempts && pending.size > 0; attempt += 1) {
    if (attempt > 1) await sleep(backoffMs(attempt - 1, deps));
    pending = await sendOnce([...pending.keys()], deps.putEvents);
    if ([...pending.values()].every((failure) => failure.permanent)) break;
  }
  return pending;
}

/** One PutEvents call; a call that throws fails every entry it carried. */
async function sendOnce(items: readonly Publishable[], putEvents: PutEvents) {
  const failed = new Map<Publishable, EntryFailure>();
  let result: PutEventsResult;
  try {
    result = await putEvents(items.map((item) => item.entry));
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error';
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    for (const item of items) failed.set(item, { reason, permanent: PERMANENT_CODES.has(name) });
    return failed;
  }
  const entries = result.Entries ?? [];
  // Entries answer the request in order; without a full answer, no entry is known to be accepted.
  const answered = entries.length === items.length;
  items.forEach((item, index) => {
    const code = entries[index]?.ErrorCode;
    if (!answered) {
      const reason = `no result for the entry (FailedEntryCount ${result.FailedEntryCount ?? '?'})`;
      failed.set(item, { reason, permanent: false });
    } else if (code) {
      const reason = `${code}: ${entries[index]?.ErrorMessage ?? ''}`;
      failed.set(item, { reason, permanent: PERMANENT_CODES.has(code) });
    }
  });
  return failed;
}

/** "Equal jitter": half the exponential step fixed, half random, capped. */
function backoffMs(retry: number, deps: PublishDependencies): number {
  const ceiling = Math.min(deps.maxDelayMs ?? 2000, (deps.baseDelayMs ?? 100) * 2 ** (retry - 1));
  return Math.round(ceiling / 2 + (deps.random ?? Math.random)() * (ceiling / 2));
}

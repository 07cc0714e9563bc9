import { setTimeout as sleep } from 'node:timers/promises';
import { type BusRoute, replayNameOf, routesFor } from '../../shared/kit/replay.ts';
import { MAX_BATCH, type QueuePort, type ReceivedMessage } from '../dlq/queue-port.ts';
/** A bus consumer a replay may reach, with its queue. */
export interface ReplayTarget extends BusRoute {
  readonly queueUrl: string;
}

/** What the forwarder did with the staged events of one replay. */
export interface ForwardCounts {
  /** Staged events of this replay received. */
  readonly received: number;
  /** Copies sent, per consumer. */
  readonly forwarded: Readonly<Record<string, number>>;
  /** Not of the requested `--types`: deleted unsent. */
  readonly skippedByType: number;
  /** Taken by none of the addressed consumers' rules: deleted unsent. */
  readonly unrouted: number;
  /** Left in the staging queue by an earlier, abandoned replay: deleted unsent. */
  readonly stale: number;
  /** Sends that failed: the message stays staged and comes back (then the staging DLQ keeps it). */
  readonly failed: number;
}

/** Options of {@link forwardStaged}. */
export interface ForwardOptions {
  readonly replayName: string;
  readonly queueUrl: string;
  readonly targets: readonly ReplayTarget[];
  readonly types?: readonly string[];
  /** Events per second, at most. */
  readonly rate: number;
  /** True once nothing more will be staged (the replay ended). */
  readonly sourceDone: () => Promise<boolean>;
  readonly onProgress?: (counts: ForwardCounts) => void;
  /** Long-poll wait of one receive. @default 1 */
  readonly waitSeconds?: number;
  /** @default wall clock */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<unknown>;
}

/**
 * Drains the staging queue of one replay: each staged event of the requested types is sent on, as
 * received (an EventBridge event carrying `replay-name`, the shape a rule delivers), to the queue of
 * every addressed consumer whose rule takes it; at most `rate` events per second. A message is deleted
 * from staging only once every copy was sent. Ends when the source is done and a receive comes back
 * empty twice in a row.
 */
export async function forwardStaged(queues: QueuePort, options: ForwardOptions): Promise<ForwardCounts> {
  const now = options.now ?? Date.now;
  const pause = options.sleep ?? sleep;
  const counts = {
    received: 0,
    forwarded: Object.fromEntries(options.targets.map((t) => [t.name, 0])) as Record<string, number>,
    skippedByType: 0,
    unrouted: 0,
    stale: 0,
    failed: 0,
  };
  const started = now();
  let paced = 0;
  let reportedAt = started;
  let emptyAfterDone = 0;
  while (emptyAfterDone < 2) {
    const done = await options.sourceDone();
    const messages = await queues.receive(options.queueUrl, {
      // No more than the rate forwards in 20 s: a received message must go out within its visibility
      // timeout (30 s), or it would come back while still being paced.
      maxMessages: Math.min(MAX_BATCH, Math.max(1, Math.floor(options.rate * 20))),
      visibilityTimeout: 30,
      waitSeconds: options.waitSeconds ?? 1,
    });
    emptyAfterDone = messages.length === 0 && done ? emptyAfterDone + 1 : 0;
    const settled: ReceivedMessage[] = [];
    const sends = new Map<ReplayTarget, ReceivedMessage[]>();
    for (const message of messages) {
      const decision = decide(message, options);
      if (decision.kind !== 'forward') {
        counts[decision.kind] += 1;
        if (decision.kind !== 'stale') counts.received += 1;
        settled.push(message);
        continue;
      }
      counts.received += 1;
      // Pacing: the n-th forwarded event leaves no earlier than n / rate seconds after the start.
      paced += 1;
      const due = started + (paced * 1000) / options.rate;
      if (due > now()) {
        await flush(queues, sends, counts, settled);
        await pause(due - now());
      }
      for (const target of decision.targets) sends.set(target, [...(sends.get(target) ?? []), message]);
    }
    await flush(queues, sends, counts, settled);
    if (settled.length > 0) {
      await queues.delete(
        options.queueUrl,
        settled.map((m) => m.receiptHandle),
      );
    }
    if (now() - reportedAt >= 1000) {
      options.onProgress?.(counts);
      reportedAt = now();
    }
  }
  return counts;
}

type Decision =
  | { readonly kind: 'forward'; readonly targets: readonly ReplayTarget[] }
  | { readonly kind: 'skippedByType' | 'unrouted' | 'stale' };

function decide(message: ReceivedMessage, options: ForwardOptions): Decision {
  let event: unknown;
  try {
    event = JSON.parse(message.body);
  } catch {
    return { kind: 'stale' };
  }
  if (replayNameOf(event) !== options.replayName) return { kind: 'stale' };
  const type = (event as Record<string, unknown>)['detail-type'];
  if (options.types && !options.types.includes(String(type))) return { kind: 'skippedByType' };
  const routes = new Set(routesFor(event, options.targets));
  const targets = options.targets.filter((target) => routes.has(target));
  return targets.length === 0 ? { kind: 'unrouted' } : { kind: 'forward', targets };
}

/**
 * Sends what is pending per target (≤ 10 per request) and moves a message to `settled` once all its
 * copies went out; a message with a failed copy stays staged and comes back after its visibility timeout
 * (the copies that did go out arrive twice then: consumers are idempotent).
 */
async function flush(
  queues: QueuePort,
  sends: Map<ReplayTarget, ReceivedMessage[]>,
  counts: { forwarded: Record<string, number>; failed: number },
  settled: ReceivedMessage[],
): Promise<void> {
  const failed = new Set<string>();
  const pending = new Map<string, ReceivedMessage>();
  for (const [target, messages] of sends) {
    for (let i = 0; i < messages.length; i += MAX_BATCH) {
      const chunk = messages.slice(i, i + MAX_BATCH);
      for (const message of chunk) pending.set(message.messageId, message);
      const out = await queues.send(
        target.queueUrl,
        chunk.map((m, n) => ({ entryId: String(n), body: m.body, messageAttributes: {} })),
      );
      for (const failure of out.failed) failed.add(chunk[Number(failure.entryId)]?.messageId ?? '');
      counts.forwarded[target.name] = (counts.forwarded[target.name] ?? 0) + out.sent.length;
    }
  }
  for (const message of pending.values()) {
    if (failed.has(message.messageId)) counts.failed += 1;
    else settled.push(message);
  }
  sends.clear();
}

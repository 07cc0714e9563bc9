/**
 * What the DLQ commands know about a stack's queues. Discovery (discover.ts) gathers facts from the
 * services; this module turns them into "which queues are dead-letter queues, fed by what" without
 * any I/O, so the rules are unit-tested and nothing depends on queue names.
 */

/** How a user or a message can point at a queue. */
export interface QueueRef {
  /** CloudFormation logical id, or '' for a queue outside the stack. */
  readonly logicalId: string;
  readonly name: string;
  readonly url: string;
  readonly arn: string;
  readonly fifo: boolean;
}

/** Approximate message counts, as GetQueueAttributes reports them. */
export interface QueueDepth {
  readonly visible: number;
  readonly inFlight: number;
  readonly delayed: number;
}

/** A queue of the stack with the attributes that decide its role. */
export interface StackQueue extends QueueRef {
  readonly depth: QueueDepth;
  /** The queue's own redrive policy: where its failed messages go. */
  readonly redrivePolicy?: { readonly deadLetterTargetArn: string; readonly maxReceiveCount: number };
  /** Which queues may use this one as their DLQ. */
  readonly redriveAllowPolicy?: {
    readonly redrivePermission: string;
    readonly sourceQueueArns: readonly string[];
  };
}

/** Something that puts failed messages into a DLQ. */
export type DlqSource =
  | {
      /** An SQS queue: its RedrivePolicy (or this DLQ's RedriveAllowPolicy) names the DLQ. */
      readonly kind: 'queue';
      readonly queueArn: string;
      readonly queue?: QueueRef;
      /** Receives before SQS moves a message; unknown when only the allow policy names the source. */
      readonly maxReceiveCount?: number;
    }
  | {
      /** An EventBridge rule target whose deliveries failed after the target's retry policy. */
      readonly kind: 'rule-target';
      readonly rule: string;
      readonly targetArn: string;
      readonly queue?: QueueRef;
    }
  | {
      /** An SNS subscription whose deliveries failed (subscription RedrivePolicy). */
      readonly kind: 'sns-subscription';
      readonly subscriptionArn: string;
      readonly endpointArn: string;
      readonly queue?: QueueRef;
    }
  | {
      /** A Lambda function or event source mapping's on-failure destination: records, not events. */
      readonly kind: 'lambda';
      readonly resource: string;
    };

/** A dead-letter queue of the stack and everything that feeds it. */
export interface DeadLetterQueue extends StackQueue {
  readonly sources: readonly DlqSource[];
}

/** A "this source dead-letters into that queue" fact found by discovery. */
export interface DlqLink {
  readonly dlqArn: string;
  readonly source: DlqSource;
}

/** Parses a queue ARN (`arn:aws:sqs:region:account:name`); undefined for anything else. */
export function parseQueueArn(arn: string): { region: string; account: string; name: string } | undefined {
  const parts = arn.split(':');
  if (parts.length !== 6 || parts[0] !== 'arn' || parts[2] !== 'sqs') return undefined;
  const [, , , region = '', account = '', name = ''] = parts;
  return name ? { region, account, name } : undefined;
}

/** The queue name at the end of a queue URL. */
export function queueNameOfUrl(url: string): string {
  return url.replace(/\/+$/, '').split('/').pop() ?? url;
}

function parseJsonObject(text: string | undefined): Record<string, unknown> | undefined {
  if (!text) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Builds a {@link StackQueue} from GetQueueAttributes(All) of a queue. */
export function stackQueueFrom(
  logicalId: string,
  url: string,
  attributes: Record<string, string | undefined>,
): StackQueue {
  const name = queueNameOfUrl(url);
  const redrive = parseJsonObject(attributes.RedrivePolicy);
  const allow = parseJsonObject(attributes.RedriveAllowPolicy);
  const count = (key: string) => Number(attributes[key] ?? 0) || 0;
  return {
    logicalId,
    name,
    url,
    arn: attributes.QueueArn ?? '',
    fifo: attributes.FifoQueue === 'true' || name.endsWith('.fifo'),
    depth: {
      visible: count('ApproximateNumberOfMessages'),
      inFlight: count('ApproximateNumberOfMessagesNotVisible'),
      delayed: count('ApproximateNumberOfMessagesDelayed'),
    },
    ...(typeof redrive?.deadLetterTargetArn === 'string'
      ? {
          redrivePolicy: {
            deadLetterTargetArn: redrive.deadLetterTargetArn,
            maxReceiveCount: Number(redrive.maxReceiveCount) || 0,
          },
        }
      : {}),
    ...(typeof allow?.redrivePermission === 'string'
      ? {
          redriveAllowPolicy: {
            redrivePermission: allow.redrivePermission,
            sourceQueueArns: Array.isArray(allow.sourceQueueArns) ? allow.sourceQueueArns.map(String) : [],
          },
        }
      : {}),
  };
}

function sourceKey(source: DlqSource): string {
  switch (source.kind) {
    case 'queue':
      return `queue:${source.queueArn}`;
    case 'rule-target':
      return `rule:${source.rule}:${source.targetArn}`;
    case 'sns-subscription':
      return `sns:${source.subscriptionArn}`;
    case 'lambda':
      return `lambda:${source.resource}`;
  }
}

/**
 * The stack's dead-letter queues: every queue that some source dead-letters into (queue redrive
 * policies, rule targets, subscriptions, Lambda failure destinations in `links`) or whose
 * RedriveAllowPolicy names source queues. A queue is never a DLQ because of its name.
 */
export function classifyDeadLetterQueues(
  queues: readonly StackQueue[],
  links: readonly DlqLink[],
): DeadLetterQueue[] {
  const byArn = new Map(queues.map((q) => [q.arn, q]));
  const all: DlqLink[] = [...links];
  for (const queue of queues) {
    if (queue.redrivePolicy) {
      all.push({
        dlqArn: queue.redrivePolicy.deadLetterTargetArn,
        source: { kind: 'queue', queueArn: queue.arn, maxReceiveCount: queue.redrivePolicy.maxReceiveCount },
      });
    }
    if (queue.redriveAllowPolicy?.redrivePermission === 'byQueue') {
      for (const arn of queue.redriveAllowPolicy.sourceQueueArns) {
        all.push({ dlqArn: queue.arn, source: { kind: 'queue', queueArn: arn } });
      }
    }
  }
  const sources = new Map<string, Map<string, DlqSource>>();
  for (const { dlqArn, source } of all) {
    if (!byArn.has(dlqArn)) continue;
    const forDlq = sources.get(dlqArn) ?? new Map<string, DlqSource>();
    const key = sourceKey(source);
    const known = forDlq.get(key);
    // The redrive policy link carries maxReceiveCount; the allow-policy link for the same queue does not.
    if (!known || (source.kind === 'queue' && source.maxReceiveCount !== undefined)) {
      forDlq.set(key, withQueue(source, byArn));
    }
    sources.set(dlqArn, forDlq);
  }
  return queues
    .filter((q) => sources.has(q.arn))
    .map((q) => ({ ...q, sources: [...(sources.get(q.arn)?.values() ?? [])] }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

function withQueue(source: DlqSource, byArn: ReadonlyMap<string, StackQueue>): DlqSource {
  const ref = (arn: string): QueueRef | undefined => {
    const queue = byArn.get(arn);
    return queue && { logicalId: queue.logicalId, name: queue.name, url: queue.url, arn, fifo: queue.fifo };
  };
  switch (source.kind) {
    case 'queue': {
      const queue = ref(source.queueArn);
      return queue ? { ...source, queue } : source;
    }
    case 'rule-target': {
      const queue = ref(source.targetArn);
      return queue ? { ...source, queue } : source;
    }
    case 'sns-subscription': {
      const queue = ref(source.endpointArn);
      return queue ? { ...source, queue } : source;
    }
    case 'lambda':
      return source;
  }
}

/** The SQS ARNs a DLQ's messages can go back to by default (one per queue-like source). */
export function defaultTargetArns(dlq: DeadLetterQueue): string[] {
  const arns = new Set<string>();
  for (const source of dlq.sources) {
    if (source.kind === 'queue') arns.add(source.queueArn);
    if (source.kind === 'rule-target' && parseQueueArn(source.targetArn)) arns.add(source.targetArn);
    if (source.kind === 'sns-subscription' && parseQueueArn(source.endpointArn)) arns.add(source.endpointArn);
  }
  return [...arns];
}

/** One line per source, for tables and errors: `RecorderWorkQueue… (maxReceiveCount 3)`. */
export function describeSource(source: DlqSource): string {
  const label = (queue: QueueRef | undefined, arn: string) =>
    queue?.logicalId || queue?.name || parseQueueArn(arn)?.name || arn;
  switch (source.kind) {
    case 'queue':
      return `queue ${label(source.queue, source.queueArn)}${
        source.maxReceiveCount ? ` (maxReceiveCount ${source.maxReceiveCount})` : ''
      }`;
    case 'rule-target':
      return `rule ${source.rule} → ${label(source.queue, source.targetArn)}`;
    case 'sns-subscription':
      return `SNS subscription → ${label(source.queue, source.endpointArn)}`;
    case 'lambda':
      return `Lambda failures of ${source.resource}`;
  }
}

import { DEAD_LETTER_ATTRIBUTES } from '../../shared/kit/consumer/dead-letter.ts';
import { type DeadLetterQueue, type DlqSource, describeSource, parseQueueArn } from './model.ts';
import type { MessageAttributeValue, ReceivedMessage } from './queue-port.ts';

/**
 * Attributes the consumer runtime (shared/kit/consumer/dead-letter.ts) puts on a record it dead-letters
 * itself because retrying cannot help (invalid message, unknown type, business rule).
 */
export const CONSUMER_REASON_ATTRIBUTES = DEAD_LETTER_ATTRIBUTES;

/** Attributes EventBridge puts on an event it could not deliver to a rule target. */
export const EVENTBRIDGE_REASON_ATTRIBUTES = {
  code: 'ERROR_CODE',
  message: 'ERROR_MESSAGE',
  rule: 'RULE_ARN',
  target: 'TARGET_ARN',
  retryAttempts: 'RETRY_ATTEMPTS',
  exhausted: 'EXHAUSTED_RETRY_CONDITION',
} as const;

/** Why a message is in the DLQ. */
export type FailureReason =
  | {
      readonly kind: 'consumer';
      readonly summary: string;
      readonly code: string;
      readonly message?: string;
      readonly path?: string;
      readonly failedAt?: string;
      readonly sourceQueue?: string;
      /** Receives of the record in its source queue when it was dead-lettered. */
      readonly receiveCount?: number;
    }
  | {
      readonly kind: 'eventbridge';
      readonly summary: string;
      readonly code?: string;
      readonly message?: string;
      readonly rule?: string;
      readonly target?: string;
      readonly retryAttempts?: number;
    }
  | {
      readonly kind: 'max-receive';
      readonly summary: string;
      readonly maxReceiveCount?: number;
      readonly sourceQueue?: string;
    }
  | { readonly kind: 'sns-delivery' | 'lambda' | 'unknown'; readonly summary: string };

/** The event inside a message body, as far as it can be read. */
export interface DecodedBody {
  /** `eventbridge`: an EventBridge event; `envelope`: a bare envelope; `sns+…`: unwrapped from SNS. */
  readonly format: string;
  readonly sns?: { readonly messageId?: string; readonly topicArn?: string };
  readonly event?: {
    readonly id?: string;
    readonly detailType?: string;
    readonly source?: string;
    readonly time?: string;
  };
  readonly envelope?: {
    readonly id: string;
    readonly type: string;
    readonly version?: number;
    readonly source?: string;
    readonly correlationId?: string;
    readonly causationId?: string;
  };
  /** Set when the body parsed but holds no envelope where one belongs. */
  readonly problem?: string;
}

/** A dead-lettered message made readable. */
export interface DecodedMessage extends DecodedBody {
  readonly messageId: string;
  readonly sentAt?: string;
  readonly ageSeconds?: number;
  /** ApproximateReceiveCount: every receive counts, including this peek and earlier ones. */
  readonly receiveCount?: number;
  readonly groupId?: string;
  /** DeadLetterQueueSourceArn: the queue SQS moved it from (AWS sets it on redrive-policy moves). */
  readonly sourceArn?: string;
  readonly failure: FailureReason;
  /** Message attributes as text (binary ones as `<binary N bytes>`). */
  readonly attributes: Readonly<Record<string, string>>;
  readonly body: string;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

function envelopeOf(value: unknown): DecodedBody['envelope'] {
  if (!isObject(value) || typeof value.id !== 'string' || typeof value.type !== 'string') return undefined;
  return {
    id: value.id,
    type: value.type,
    ...(typeof value.version === 'number' ? { version: value.version } : {}),
    ...(text(value.source) ? { source: text(value.source) } : {}),
    ...(text(value.correlationId) ? { correlationId: text(value.correlationId) } : {}),
    ...(text(value.causationId) ? { causationId: text(value.causationId) } : {}),
  };
}

function decodeValue(value: unknown): DecodedBody {
  if (!isObject(value)) return { format: 'json' };
  if ('detail-type' in value && 'detail' in value) {
    const envelope = envelopeOf(value.detail);
    return {
      format: 'eventbridge',
      event: {
        ...(text(value.id) ? { id: text(value.id) } : {}),
        ...(text(value['detail-type']) ? { detailType: text(value['detail-type']) } : {}),
        ...(text(value.source) ? { source: text(value.source) } : {}),
        ...(text(value.time) ? { time: text(value.time) } : {}),
      },
      ...(envelope ? { envelope } : { problem: 'detail is not an event envelope' }),
    };
  }
  const envelope = envelopeOf(value);
  return envelope ? { format: 'envelope', envelope } : { format: 'json' };
}

/** Reads the event out of a body: EventBridge event, bare envelope, either wrapped in an SNS notification. */
export function decodeBody(body: string): DecodedBody {
  const parsed = parseJson(body);
  if (parsed === undefined) return { format: 'text', problem: 'body is not JSON' };
  if (isObject(parsed) && parsed.Type === 'Notification' && typeof parsed.Message === 'string') {
    const sns = {
      ...(text(parsed.MessageId) ? { messageId: text(parsed.MessageId) } : {}),
      ...(text(parsed.TopicArn) ? { topicArn: text(parsed.TopicArn) } : {}),
    };
    const inner = parseJson(parsed.Message);
    if (inner === undefined) return { format: 'sns+text', sns, problem: 'SNS message is not JSON' };
    const decoded = decodeValue(inner);
    return { ...decoded, format: `sns+${decoded.format}`, sns };
  }
  return decodeValue(parsed);
}

function attributeText(value: MessageAttributeValue): string {
  if (value.StringValue !== undefined) return value.StringValue;
  return `<binary ${value.BinaryValue?.byteLength ?? 0} bytes>`;
}

function numberOr(value: string | undefined): number | undefined {
  const n = Number(value);
  return value !== undefined && value !== '' && Number.isFinite(n) ? n : undefined;
}

function queueLabel(arnOrUrl: string): string {
  return parseQueueArn(arnOrUrl)?.name ?? arnOrUrl.split('/').pop() ?? arnOrUrl;
}

/** Why `message` is in `dlq`, from its attributes, else from what feeds the DLQ. */
export function failureReason(
  attributes: Readonly<Record<string, string>>,
  sourceArn: string | undefined,
  dlq: Pick<DeadLetterQueue, 'sources'>,
): FailureReason {
  const c = CONSUMER_REASON_ATTRIBUTES;
  const code = attributes[c.code];
  if (code !== undefined) {
    const message = attributes[c.message];
    const path = attributes[c.path];
    const receiveCount = numberOr(attributes[c.receiveCount]);
    return {
      kind: 'consumer',
      summary: `${code}${path && path !== '-' ? ` at ${path}` : ''}${message ? `: ${message}` : ''}`,
      code,
      ...(message !== undefined ? { message } : {}),
      ...(path !== undefined ? { path } : {}),
      ...(attributes[c.failedAt] ? { failedAt: attributes[c.failedAt] } : {}),
      ...(attributes[c.sourceQueue] ? { sourceQueue: attributes[c.sourceQueue] } : {}),
      ...(receiveCount !== undefined ? { receiveCount } : {}),
    };
  }
  const e = EVENTBRIDGE_REASON_ATTRIBUTES;
  if (attributes[e.code] !== undefined || attributes[e.rule] !== undefined) {
    const target = attributes[e.target];
    const retryAttempts = numberOr(attributes[e.retryAttempts]);
    const why = [attributes[e.code], attributes[e.message]].filter(Boolean).join(': ');
    return {
      kind: 'eventbridge',
      summary: `EventBridge could not deliver it${target ? ` to ${queueLabel(target)}` : ''}${why ? ` (${why})` : ''}`,
      ...(attributes[e.code] ? { code: attributes[e.code] } : {}),
      ...(attributes[e.message] ? { message: attributes[e.message] } : {}),
      ...(attributes[e.rule] ? { rule: attributes[e.rule] } : {}),
      ...(target ? { target } : {}),
      ...(retryAttempts !== undefined ? { retryAttempts } : {}),
    };
  }
  return inferredReason(sourceArn, dlq.sources);
}

/** No reason attributes: SQS, SNS or Lambda moved it, and the DLQ's sources say which. */
function inferredReason(sourceArn: string | undefined, sources: readonly DlqSource[]): FailureReason {
  const queues = sources.filter((s) => s.kind === 'queue');
  const from = queues.find((s) => s.queueArn === sourceArn) ?? (queues.length === 1 ? queues[0] : undefined);
  if (from || (sourceArn && parseQueueArn(sourceArn))) {
    const counts = [...new Set(queues.map((q) => q.maxReceiveCount).filter((n) => n !== undefined))];
    const max = from?.maxReceiveCount ?? (counts.length === 1 ? counts[0] : undefined);
    const sourceQueue = from?.queueArn ?? sourceArn;
    const label = from?.queue?.logicalId || (sourceQueue ? queueLabel(sourceQueue) : undefined);
    return {
      kind: 'max-receive',
      summary: `exceeded maxReceiveCount (${max ?? '?'})${label ? ` of ${label}` : ''}`,
      ...(max !== undefined ? { maxReceiveCount: max } : {}),
      ...(sourceQueue ? { sourceQueue } : {}),
    };
  }
  if (queues.length > 1) {
    return { kind: 'max-receive', summary: 'exceeded maxReceiveCount of one of its source queues' };
  }
  const other = sources[0];
  if (other?.kind === 'sns-subscription') {
    return { kind: 'sns-delivery', summary: `SNS could not deliver it (${describeSource(other)})` };
  }
  if (other?.kind === 'rule-target') {
    return { kind: 'eventbridge', summary: `EventBridge could not deliver it (${describeSource(other)})` };
  }
  if (other?.kind === 'lambda') return { kind: 'lambda', summary: describeSource(other) };
  return { kind: 'unknown', summary: 'no reason attributes and no known source' };
}

/** Decodes one received message of `dlq`; `now` is for the age. */
export function decodeMessage(
  message: ReceivedMessage,
  dlq: Pick<DeadLetterQueue, 'sources'>,
  now: Date = new Date(),
): DecodedMessage {
  const attributes = Object.fromEntries(
    Object.entries(message.messageAttributes).map(([name, value]) => [name, attributeText(value)]),
  );
  const system = message.attributes;
  const sent = numberOr(system.SentTimestamp);
  const receiveCount = numberOr(system.ApproximateReceiveCount);
  const sourceArn = system.DeadLetterQueueSourceArn;
  return {
    messageId: message.messageId,
    ...(sent !== undefined
      ? {
          sentAt: new Date(sent).toISOString(),
          ageSeconds: Math.max(0, Math.round((now.getTime() - sent) / 1000)),
        }
      : {}),
    ...(receiveCount !== undefined ? { receiveCount } : {}),
    ...(system.MessageGroupId ? { groupId: system.MessageGroupId } : {}),
    ...(sourceArn ? { sourceArn } : {}),
    ...decodeBody(message.body),
    failure: failureReason(attributes, sourceArn, dlq),
    attributes,
    body: message.body,
  };
}

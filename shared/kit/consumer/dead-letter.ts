import { type MessageAttributeValue, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { PipelineError } from '../errors/pipeline-error.ts';
import { receiveCountOf } from './context.ts';
import type { SqsPort } from './types.ts';

/** Names of the message attributes that say why a message was dead-lettered. */
export const DEAD_LETTER_ATTRIBUTES = {
  code: 'error-code',
  message: 'error-message',
  path: 'error-path',
  failedAt: 'failed-at',
  sourceQueue: 'source-queue',
  receiveCount: 'receive-count',
} as const;

/** SQS takes at most 10 message attributes; the reason takes 6, original attributes fill the rest. */
const MAX_MESSAGE_ATTRIBUTES = 10;
/** Long enough for a zod message with its path, short enough to read in a console. */
const MAX_REASON_LENGTH = 1024;
/** SQS rejects empty attribute values; this stands for "no field in particular". */
const NO_PATH = '-';

/** Why a record failed, as the DLQ attributes carry it. */
export interface FailureReason {
  readonly code: string;
  readonly message: string;
  readonly path: string;
}

/** Code, message and field path of any thrown value (`UNEXPECTED` for non-pipeline errors). */
export function failureReason(error: unknown): FailureReason {
  const message = error instanceof Error ? error.message : String(error);
  const code = error instanceof PipelineError ? error.code : 'UNEXPECTED';
  const path = (error as { path?: unknown } | null)?.path;
  return {
    code,
    message: message.slice(0, MAX_REASON_LENGTH) || code,
    path: typeof path === 'string' && path.length > 0 ? path : NO_PATH,
  };
}

/** Where a dead-lettered record goes and when it failed. */
export interface DeadLetterTarget {
  readonly dlqUrl: string;
  readonly failedAt: Date;
  /** Used for `source-queue` when the record has no `eventSourceARN`. */
  readonly sourceQueue?: string;
}

/** The fields of an SQS record that dead-lettering reads. */
export type DeadLetterRecord = Pick<
  SQSRecord,
  'messageId' | 'body' | 'attributes' | 'messageAttributes' | 'eventSourceARN'
>;

/**
 * The SendMessage request that moves `record` to the DLQ: the body exactly as received, the reason as
 * message attributes, then as many of the original String/Number attributes as still fit.
 * FIFO DLQs get the record's message group and its message id as deduplication id.
 */
export function deadLetterRequest(
  record: DeadLetterRecord,
  reason: FailureReason,
  target: DeadLetterTarget,
): SendMessageCommand {
  const text = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value });
  const attributes: Record<string, MessageAttributeValue> = {
    [DEAD_LETTER_ATTRIBUTES.code]: text(reason.code),
    [DEAD_LETTER_ATTRIBUTES.message]: text(reason.message),
    [DEAD_LETTER_ATTRIBUTES.path]: text(reason.path),
    [DEAD_LETTER_ATTRIBUTES.failedAt]: text(target.failedAt.toISOString()),
    [DEAD_LETTER_ATTRIBUTES.sourceQueue]: text(record.eventSourceARN || target.sourceQueue || 'unknown'),
    [DEAD_LETTER_ATTRIBUTES.receiveCount]: {
      DataType: 'Number',
      StringValue: String(receiveCountOf(record)),
    },
  };
  for (const [name, value] of Object.entries(record.messageAttributes ?? {})) {
    if (Object.keys(attributes).length >= MAX_MESSAGE_ATTRIBUTES) break;
    if (name in attributes || value.stringValue === undefined) continue;
    if (value.dataType.startsWith('String') || value.dataType.startsWith('Number')) {
      attributes[name] = { DataType: value.dataType, StringValue: value.stringValue };
    }
  }
  const fifo = target.dlqUrl.endsWith('.fifo');
  return new SendMessageCommand({
    QueueUrl: target.dlqUrl,
    MessageBody: record.body,
    MessageAttributes: attributes,
    ...(fifo
      ? {
          MessageGroupId: record.attributes.MessageGroupId ?? 'dead-letter',
          MessageDeduplicationId: record.messageId,
        }
      : {}),
  });
}

/** Sends `record` to the DLQ with the reason of `error`; throws when SQS refuses. */
export async function sendToDeadLetter(
  sqs: SqsPort,
  record: DeadLetterRecord,
  error: unknown,
  target: DeadLetterTarget,
): Promise<FailureReason> {
  const reason = failureReason(error);
  await sqs.send(deadLetterRequest(record, reason, target));
  return reason;
}

import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

export type { MessageAttributeValue };

/** A message as received: what the DLQ tools read and what they must hand back. */
export interface ReceivedMessage {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  /** System attributes (SentTimestamp, ApproximateReceiveCount, MessageGroupId, DeadLetterQueueSourceArn…). */
  readonly attributes: Readonly<Record<string, string>>;
  readonly messageAttributes: Readonly<Record<string, MessageAttributeValue>>;
}

/** A message to send; `entryId` names it in the batch result. */
export interface OutgoingMessage {
  readonly entryId: string;
  readonly body: string;
  readonly messageAttributes: Readonly<Record<string, MessageAttributeValue>>;
  readonly groupId?: string;
  readonly deduplicationId?: string;
  /** X-Ray trace header of the original message, kept so a redriven message stays in its trace. */
  readonly traceHeader?: string;
}

export interface ReceiveOptions {
  /** 1–10. */
  readonly maxMessages: number;
  readonly visibilityTimeout: number;
  readonly waitSeconds: number;
}

/** The SQS operations the DLQ tools use; batches hold at most 10 entries. */
export interface QueuePort {
  receive(url: string, options: ReceiveOptions): Promise<ReceivedMessage[]>;
  /** Sets the visibility of received messages; returns the receipt handles that failed. */
  changeVisibility(url: string, receiptHandles: readonly string[], seconds: number): Promise<string[]>;
  send(
    url: string,
    messages: readonly OutgoingMessage[],
  ): Promise<{
    readonly sent: readonly { readonly entryId: string; readonly messageId: string }[];
    readonly failed: readonly { readonly entryId: string; readonly error: string }[];
  }>;
  /** Deletes received messages; returns the receipt handles that failed. */
  delete(url: string, receiptHandles: readonly string[]): Promise<string[]>;
}

/** SQS allows at most 10 entries per batch request. */
export const MAX_BATCH = 10;

function chunks<T>(items: readonly T[], size = MAX_BATCH): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size));
  return result;
}

/** The port over the AWS SDK; failed batch entries are returned, never thrown. */
export function sqsQueuePort(sqs: SQSClient): QueuePort {
  return {
    async receive(url, options) {
      const result = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: options.maxMessages,
          VisibilityTimeout: options.visibilityTimeout,
          WaitTimeSeconds: options.waitSeconds,
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
      );
      return (result.Messages ?? []).map((m) => ({
        messageId: m.MessageId ?? '',
        receiptHandle: m.ReceiptHandle ?? '',
        body: m.Body ?? '',
        attributes: { ...(m.Attributes ?? {}) } as Record<string, string>,
        messageAttributes: { ...(m.MessageAttributes ?? {}) },
      }));
    },

    async changeVisibility(url, receiptHandles, seconds) {
      const failed: string[] = [];
      for (const chunk of chunks(receiptHandles)) {
        const result = await sqs.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: url,
            Entries: chunk.map((handle, i) => ({
              Id: String(i),
              ReceiptHandle: handle,
              VisibilityTimeout: seconds,
            })),
          }),
        );
        for (const failure of result.Failed ?? []) failed.push(chunk[Number(failure.Id)] ?? '');
      }
      return failed;
    },

    async send(url, messages) {
      if (messages.length > MAX_BATCH) throw new Error(`at most ${MAX_BATCH} messages per send`);
      const result = await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: url,
          Entries: messages.map((m) => ({
            Id: m.entryId,
            MessageBody: m.body,
            ...(Object.keys(m.messageAttributes).length > 0
              ? { MessageAttributes: { ...m.messageAttributes } }
              : {}),
            ...(m.groupId !== undefined ? { MessageGroupId: m.groupId } : {}),
            ...(m.deduplicationId !== undefined ? { MessageDeduplicationId: m.deduplicationId } : {}),
            ...(m.traceHeader
              ? {
                  MessageSystemAttributes: {
                    AWSTraceHeader: { DataType: 'String', StringValue: m.traceHeader },
                  },
                }
              : {}),
          })),
        }),
      );
      return {
        sent: (result.Successful ?? []).map((s) => ({ entryId: s.Id ?? '', messageId: s.MessageId ?? '' })),
        failed: (result.Failed ?? []).map((f) => ({
          entryId: f.Id ?? '',
          error: `${f.Code ?? 'Error'}: ${f.Message ?? 'no message'}`,
        })),
      };
    },

    async delete(url, receiptHandles) {
      const failed: string[] = [];
      for (const chunk of chunks(receiptHandles)) {
        const result = await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: url,
            Entries: chunk.map((handle, i) => ({ Id: String(i), ReceiptHandle: handle })),
          }),
        );
        for (const failure of result.Failed ?? []) failed.push(chunk[Number(failure.Id)] ?? '');
      }
      return failed;
    },
  };
}

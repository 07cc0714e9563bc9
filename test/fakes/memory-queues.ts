import { randomUUID } from 'node:crypto';
import type {
  MessageAttributeValue,
  OutgoingMessage,
  QueuePort,
  ReceivedMessage,
} from '../../cli/dlq/queue-port.ts';

/** A message held by {@link InMemoryQueues}. */
export interface StoredMessage {
  readonly messageId: string;
  readonly body: string;
  readonly messageAttributes: Readonly<Record<string, MessageAttributeValue>>;
  readonly systemAttributes: Readonly<Record<string, string>>;
  readonly groupId?: string;
  readonly deduplicationId?: string;
  receiveCount: number;
  invisibleUntil: number;
  receiptHandle?: string;
}

interface StoredQueue {
  readonly fifo: boolean;
  readonly messages: StoredMessage[];
  readonly deduplicationIds: Set<string>;
}

/**
 * An in-memory SQS with the semantics the DLQ tools rely on: visibility timeouts, receive counts,
 * receipt handles that change on every receive, FIFO message groups that stay locked while one of
 * their messages is in flight, and deduplication ids. The unit tests' fake SQS.
 */
export class InMemoryQueues implements QueuePort {
  private readonly queues = new Map<string, StoredQueue>();
  /** Lets a test make SQS refuse one message: return an error text to fail it. */
  failSend: (url: string, message: OutgoingMessage) => string | undefined = () => undefined;
  /** Every successful send, in order: what a test checks ordering against. */
  readonly sendLog: { url: string; message: OutgoingMessage; messageId: string }[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  createQueue(url: string, options: { fifo?: boolean } = {}): string {
    this.queues.set(url, {
      fifo: options.fifo ?? url.endsWith('.fifo'),
      messages: [],
      deduplicationIds: new Set(),
    });
    return url;
  }

  /** Puts a message as if someone had sent it; returns its message id. */
  put(
    url: string,
    message: {
      body: string;
      messageAttributes?: Record<string, MessageAttributeValue>;
      systemAttributes?: Record<string, string>;
      groupId?: string;
      receiveCount?: number;
      messageId?: string;
    },
  ): string {
    const messageId = message.messageId ?? randomUUID();
    this.queue(url).messages.push({
      messageId,
      body: message.body,
      messageAttributes: message.messageAttributes ?? {},
      systemAttributes: { SentTimestamp: String(this.now()), ...message.systemAttributes },
      ...(message.groupId !== undefined ? { groupId: message.groupId } : {}),
      receiveCount: message.receiveCount ?? 0,
      invisibleUntil: 0,
    });
    return messageId;
  }

  /** The messages a queue holds, visible or not. */
  messages(url: string): readonly StoredMessage[] {
    return this.queue(url).messages;
  }

  private queue(url: string): StoredQueue {
    const queue = this.queues.get(url);
    if (!queue) throw new Error(`AWS.SimpleQueueService.NonExistentQueue: ${url}`);
    return queue;
  }

  async receive(url: string, options: { maxMessages: number; visibilityTimeout: number }) {
    const queue = this.queue(url);
    const now = this.now();
    const lockedGroups = new Set(
      queue.messages.filter((m) => m.invisibleUntil > now && m.groupId !== undefined).map((m) => m.groupId),
    );
    const received: ReceivedMessage[] = [];
    for (const message of queue.messages) {
      if (received.length >= options.maxMessages) break;
      if (message.invisibleUntil > now) continue;
      if (queue.fifo && lockedGroups.has(message.groupId)) continue;
      message.receiveCount += 1;
      message.invisibleUntil = now + options.visibilityTimeout * 1000;
      message.receiptHandle = randomUUID();
      received.push({
        messageId: message.messageId,
        receiptHandle: message.receiptHandle,
        body: message.body,
        attributes: {
          ...message.systemAttributes,
          ApproximateReceiveCount: String(message.receiveCount),
          ...(message.groupId !== undefined ? { MessageGroupId: message.groupId } : {}),
        },
        messageAttributes: message.messageAttributes,
      });
    }
    return received;
  }

  async changeVisibility(url: string, receiptHandles: readonly string[], seconds: number) {
    const queue = this.queue(url);
    const failed: string[] = [];
    for (const handle of receiptHandles) {
      const message = queue.messages.find((m) => m.receiptHandle === handle);
      if (message) message.invisibleUntil = this.now() + seconds * 1000;
      else failed.push(handle);
    }
    return failed;
  }

  async send(url: string, messages: readonly OutgoingMessage[]) {
    const queue = this.queue(url);
    if (messages.length > 10) throw new Error('AWS.SimpleQueueService.TooManyEntriesInBatchRequest');
    const sent: { entryId: string; messageId: string }[] = [];
    const failed: { entryId: string; error: string }[] = [];
    for (const message of messages) {
      const error = this.failSend(url, message) ?? this.checkFifo(queue, message);
      if (error) {
        failed.push({ entryId: message.entryId, error });
        continue;
      }
      const duplicate = message.deduplicationId && queue.deduplicationIds.has(message.deduplicationId);
      const messageId = duplicate ? `duplicate-of-${message.deduplicationId}` : randomUUID();
      if (!duplicate) {
        if (message.deduplicationId) queue.deduplicationIds.add(message.deduplicationId);
        queue.messages.push({
          messageId,
          body: message.body,
          messageAttributes: message.messageAttributes,
          systemAttributes: { SentTimestamp: String(this.now()) },
          ...(message.groupId !== undefined ? { groupId: message.groupId } : {}),
          ...(message.deduplicationId !== undefined ? { deduplicationId: message.deduplicationId } : {}),
          receiveCount: 0,
          invisibleUntil: 0,
        });
      }
      this.sendLog.push({ url, message, messageId });
      sent.push({ entryId: message.entryId, messageId });
    }
    return { sent, failed };
  }

  private checkFifo(queue: StoredQueue, message: OutgoingMessage): string | undefined {
    if (queue.fifo && (!message.groupId || !message.deduplicationId)) {
      return 'MissingParameter: FIFO queues need MessageGroupId and MessageDeduplicationId';
    }
    if (!queue.fifo && message.groupId !== undefined) {
      return 'InvalidParameterValue: MessageGroupId is only for FIFO queues';
    }
    return undefined;
  }

  async delete(url: string, receiptHandles: readonly string[]) {
    const queue = this.queue(url);
    const failed: string[] = [];
    for (const handle of receiptHandles) {
      const index = queue.messages.findIndex((m) => m.receiptHandle === handle);
      if (index >= 0) queue.messages.splice(index, 1);
      else failed.push(handle);
    }
    return failed;
  }
}

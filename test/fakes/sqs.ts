import {
  ChangeMessageVisibilityCommand,
  type ChangeMessageVisibilityCommandInput,
  SendMessageCommand,
  type SendMessageCommandInput,
} from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import type { SqsPort } from '../../shared/kit/consumer/types.ts';
import type { EventEnvelope } from '../../shared/kit/events/envelope.ts';

/** Records the SQS calls of the runtime; `failSends` makes SendMessage throw (a DLQ outage). */
export class FakeSqs implements SqsPort {
  readonly sent: SendMessageCommandInput[] = [];
  readonly visibilityChanges: ChangeMessageVisibilityCommandInput[] = [];
  failSends = false;

  async send(command: SendMessageCommand | ChangeMessageVisibilityCommand): Promise<unknown> {
    if (command instanceof SendMessageCommand) {
      if (this.failSends) throw new Error('simulated SQS outage');
      this.sent.push(command.input);
      return { MessageId: `sent-${this.sent.length}` };
    }
    if (command instanceof ChangeMessageVisibilityCommand) {
      this.visibilityChanges.push(command.input);
      return {};
    }
    throw new Error('unexpected command');
  }
}

/** The EventBridge event a rule delivers to SQS for `envelope`. */
export function eventBridgeBody(envelope: EventEnvelope<unknown>): string {
  return JSON.stringify({
    version: '0',
    id: `eb-${envelope.id}`,
    'detail-type': envelope.type,
    source: envelope.source,
    account: '000000000000',
    time: envelope.time,
    region: 'us-east-1',
    resources: [],
    detail: envelope,
  });
}

/** An SNS notification (raw delivery off) wrapping `message`. */
export function snsNotificationBody(message: string): string {
  return JSON.stringify({
    Type: 'Notification',
    MessageId: 'sns-1',
    TopicArn: 'arn:aws:sns:us-east-1:000000000000:t',
    Message: message,
  });
}

export const QUEUE_ARN = 'arn:aws:sqs:us-east-1:000000000000:orders-test';
export const QUEUE_URL = 'http://localhost:4566/000000000000/orders-test';
export const DLQ_URL = 'http://localhost:4566/000000000000/orders-test-dlq';

/** An SQS record as the Lambda event source mapping delivers it. */
export function sqsRecord(
  body: string,
  overrides: { messageId?: string; receiveCount?: number; groupId?: string } = {},
): SQSRecord {
  const messageId = overrides.messageId ?? `msg-${Math.random().toString(36).slice(2, 10)}`;
  return {
    messageId,
    receiptHandle: `rh-${messageId}-${overrides.receiveCount ?? 1}`,
    body,
    attributes: {
      ApproximateReceiveCount: String(overrides.receiveCount ?? 1),
      SentTimestamp: '1763805600000',
      SenderId: 'AIDATEST',
      ApproximateFirstReceiveTimestamp: '1763805600000',
      ...(overrides.groupId === undefined ? {} : { MessageGroupId: overrides.groupId }),
    },
    messageAttributes: {
      type: { dataType: 'String', stringValue: 'test', stringListValues: [], binaryListValues: [] },
    },
    md5OfBody: 'ignored',
    eventSource: 'aws:sqs',
    eventSourceARN: QUEUE_ARN,
    awsRegion: 'us-east-1',
  };
}

/** An SQS batch. */
export function sqsEvent(...records: SQSRecord[]): SQSEvent {
  return { Records: records };
}

import { randomBytes } from 'node:crypto';
import {
  DeleteRuleCommand,
  type EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

/** A temporary rule → queue pair that mirrors matching bus events; `close()` removes both. */
export interface TailTap {
  readonly ruleName: string;
  readonly queueUrl: string;
  next(waitSeconds: number): Promise<TailedEvent[]>;
  close(): Promise<void>;
}

/** One event as `pipeline tail` prints it. */
export interface TailedEvent {
  readonly time: string;
  readonly type: string;
  readonly source: string;
  readonly id: string;
  readonly correlationId?: string;
  readonly causationId?: string;
  /** Set on events an archive replay put back on the bus (EventBridge's `replay-name`). */
  readonly replayName?: string;
  readonly detail: unknown;
}

/** The EventBridge pattern for the filters; without any, every product event (`orders.*`). */
export function tailPattern(filters: { types?: string[]; sources?: string[] }): Record<string, unknown> {
  const pattern: Record<string, unknown> = {
    source: filters.sources?.length ? filters.sources : [{ prefix: 'orders.' }],
  };
  if (filters.types?.length) pattern['detail-type'] = filters.types;
  return pattern;
}

/** Reads what `pipeline tail` shows from the EventBridge event an SQS target received. */
export function toTailedEvent(body: string): TailedEvent {
  const event = JSON.parse(body) as Record<string, unknown>;
  const detail = (event.detail ?? {}) as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return {
    time: text(event.time) ?? '',
    type: text(event['detail-type']) ?? '?',
    source: text(event.source) ?? '?',
    id: text(detail.id) ?? text(event.id) ?? '?',
    ...(text(detail.correlationId) ? { correlationId: text(detail.correlationId) } : {}),
    ...(text(detail.causationId) ? { causationId: text(detail.causationId) } : {}),
    ...(text(event['replay-name']) ? { replayName: text(event['replay-name']) } : {}),
    detail,
  };
}

/**
 * Creates the tap (`filters.pattern`, when given, is the rule's pattern as is). The queue policy lets only this rule send to it (as AWS requires for an SQS target);
 * if anything fails half-way, what was created is removed before the error propagates.
 */
export async function openTap(
  clients: { sqs: SQSClient; events: EventBridgeClient },
  busName: string,
  filters: { types?: string[]; sources?: string[]; pattern?: Record<string, unknown> },
): Promise<TailTap> {
  const { sqs, events } = clients;
  const name = `pipeline-tail-${randomBytes(4).toString('hex')}`;
  const created = await sqs.send(
    new CreateQueueCommand({ QueueName: name, Attributes: { SqsManagedSseEnabled: 'true' } }),
  );
  const queueUrl = created.QueueUrl as string;
  let ruleCreated = false;
  const close = async () => {
    if (ruleCreated) {
      await events
        .send(new RemoveTargetsCommand({ Rule: name, EventBusName: busName, Ids: ['tail'] }))
        .catch(() => {});
      await events.send(new DeleteRuleCommand({ Name: name, EventBusName: busName })).catch(() => {});
    }
    await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl })).catch(() => {});
  };
  try {
    const attributes = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
    );
    const queueArn = attributes.Attributes?.QueueArn as string;
    const rule = await events.send(
      new PutRuleCommand({
        Name: name,
        EventBusName: busName,
        EventPattern: JSON.stringify(filters.pattern ?? tailPattern(filters)),
      }),
    );
    ruleCreated = true;
    const policy = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Action: 'sqs:SendMessage',
          Resource: queueArn,
          Condition: { ArnEquals: { 'aws:SourceArn': rule.RuleArn } },
        },
      ],
    };
    await sqs.send(
      new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { Policy: JSON.stringify(policy) } }),
    );
    await events.send(
      new PutTargetsCommand({ Rule: name, EventBusName: busName, Targets: [{ Id: 'tail', Arn: queueArn }] }),
    );
  } catch (error) {
    await close();
    throw error;
  }
  return {
    ruleName: name,
    queueUrl,
    close,
    next: async (waitSeconds) => {
      const received = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: waitSeconds,
        }),
      );
      const messages = received.Messages ?? [];
      if (messages.length > 0) {
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
          }),
        );
      }
      return messages.map((m) => toTailedEvent(m.Body ?? '{}'));
    },
  };
}

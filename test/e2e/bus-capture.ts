import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
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

/** An EventBridge event as a rule delivers it to SQS. */
export interface CapturedEvent {
  readonly id: string;
  readonly source: string;
  readonly 'detail-type': string;
  readonly detail: Record<string, unknown>;
}

/** A test-owned rule → queue on a bus: everything matching `pattern` lands in the queue. */
export interface BusCapture {
  /** Receives until `done(all so far)` holds, then keeps listening for `settleMs` to catch duplicates. */
  collect(
    done: (events: readonly CapturedEvent[]) => boolean,
    options?: { timeoutMs?: number; settleMs?: number },
  ): Promise<CapturedEvent[]>;
  dispose(): Promise<void>;
}

/**
 * Creates a queue and a rule on `busName` that sends matching events to it, the way a consumer team
 * would subscribe, so a test can see exactly what reached the bus (including duplicates).
 */
export async function captureBusEvents(
  clients: { events: EventBridgeClient; sqs: SQSClient },
  busName: string,
  pattern: Record<string, unknown>,
): Promise<BusCapture> {
  const name = `e2e-capture-${randomUUID().slice(0, 8)}`;
  const { QueueUrl: queueUrl } = await clients.sqs.send(new CreateQueueCommand({ QueueName: name }));
  if (!queueUrl) throw new Error('CreateQueue returned no URL');
  const attributes = await clients.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  const queueArn = attributes.Attributes?.QueueArn ?? '';
  const rule = await clients.events.send(
    new PutRuleCommand({ Name: name, EventBusName: busName, EventPattern: JSON.stringify(pattern) }),
  );
  // What AWS needs for a rule to deliver (emulators may not check it): SendMessage for this rule only.
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
  await clients.sqs.send(
    new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { Policy: JSON.stringify(policy) } }),
  );
  await clients.events.send(
    new PutTargetsCommand({ Rule: name, EventBusName: busName, Targets: [{ Id: 'capture', Arn: queueArn }] }),
  );

  return {
    collect: (done, options = {}) => receiveUntil(clients.sqs, queueUrl, done, options),
    dispose: async () => {
      await clients.events.send(
        new RemoveTargetsCommand({ Rule: name, EventBusName: busName, Ids: ['capture'] }),
      );
      await clients.events.send(new DeleteRuleCommand({ Name: name, EventBusName: busName }));
      await clients.sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
    },
  };
}

async function receiveUntil(
  sqs: SQSClient,
  queueUrl: string,
  done: (events: readonly CapturedEvent[]) => boolean,
  { timeoutMs = 60_000, settleMs = 5_000 } = {},
): Promise<CapturedEvent[]> {
  const events: CapturedEvent[] = [];
  const deadline = Date.now() + timeoutMs;
  let settleUntil: number | undefined;
  while (Date.now() < (settleUntil ?? deadline)) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    for (const message of Messages) events.push(JSON.parse(message.Body ?? '{}') as CapturedEvent);
    if (Messages.length > 0) {
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
    }
    if (settleUntil === undefined && done(events)) settleUntil = Date.now() + settleMs;
    if (Messages.length === 0) await sleep(200);
  }
  return events;
}

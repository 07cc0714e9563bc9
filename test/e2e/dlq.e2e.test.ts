import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  ChangeMessageVisibilityBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { OUTPUTS } from '../../infra/stacks/outputs.ts';
import { eventually, testClients } from '../support/aws.ts';
import { e2eStack, runCliAsync, runCliJson } from '../support/cli.ts';
import { stackOutput } from '../support/stack-outputs.ts';

const endpoint = inject('endpoint');
/** The CLI's project-local area for these runs: the audit file lands here, not in the repository. */
const localDir = mkdtempSync(join(tmpdir(), 'pipeline-dlq-e2e-'));
const auditPath = join(localDir, 'audit', 'dlq-redrive.jsonl');
const { events, sqs, dynamo } = testClients();

const queueName = (url: string) => url.split('/').pop() ?? url;

/** The CLI's environment: the test emulator, this run's local area, a named operator for the audit. */
const cliEnv = { AWS_ENDPOINT_URL: endpoint, PIPELINE_LOCAL_DIR: localDir, USER: 'e2e-operator' };
/** The real `pipeline` CLI in a child process, pointed at the test emulator and the e2e stack. */
const pipeline = (args: readonly string[]) => runCliAsync(['--stack', e2eStack, ...args], cliEnv);
const pipelineJson = <T>(args: readonly string[]) => runCliJson<T>(['--stack', e2eStack, ...args], cliEnv);

async function depth(url: string): Promise<{ visible: number; total: number }> {
  const { Attributes: a = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  const visible = Number(a.ApproximateNumberOfMessages ?? 0);
  return { visible, total: visible + Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) };
}

/** Reads what is visible in a queue and makes it visible again, as a test-side check. */
async function peek(url: string): Promise<Message[]> {
  const seen = new Map<string, Message>();
  for (let empty = 0; empty < 2; ) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 20,
        WaitTimeSeconds: empty > 0 ? 1 : 0,
        MessageAttributeNames: ['All'],
      }),
    );
    empty = Messages.length === 0 ? empty + 1 : 0;
    for (const m of Messages) seen.set(m.MessageId ?? '', m);
  }
  const handles = [...seen.values()].map((m) => m.ReceiptHandle ?? '');
  for (let i = 0; i < handles.length; i += 10) {
    await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: url,
        Entries: handles
          .slice(i, i + 10)
          .map((h, j) => ({ Id: String(j), ReceiptHandle: h, VisibilityTimeout: 0 })),
      }),
    );
  }
  return [...seen.values()];
}

interface ListJson {
  dlqs: {
    name: string;
    url: string;
    depth: { total: number };
    oldest: { seconds?: number; source: string };
    sources: { kind: string; maxReceiveCount?: number; queue?: { url: string } }[];
  }[];
}
interface ShowMessage {
  messageId: string;
  body: string;
  receiveCount?: number;
  event?: { detailType?: string };
  problem?: string;
  failure: { kind: string; summary: string; maxReceiveCount?: number };
  attributes: Record<string, string>;
}
interface RedriveJson {
  dryRun: boolean;
  moved: { messageId: string; target: string; newMessageId?: string }[];
}

describe('pipeline dlq: list, show and redrive against the deployed stack', () => {
  const marker = `dlq-e2e-poison-${randomUUID()}`;
  let dlqUrl = '';
  let dlqName = '';
  let poisonId = '';

  beforeAll(async () => {
    // Arrange: a detail that is not an envelope, so the recorder fails it until it is dead-lettered.
    dlqUrl = stackOutput(OUTPUTS.recorderDlqUrl);
    dlqName = queueName(dlqUrl);
    const put = await events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: stackOutput(OUTPUTS.busName),
            Source: 'orders.e2e',
            DetailType: 'OrderPlaced',
            Detail: JSON.stringify({ marker, notAnEnvelope: true }),
          },
        ],
      }),
    );
    expect(put.FailedEntryCount).toBe(0);
    const dead = await eventually(async () => (await peek(dlqUrl)).find((m) => m.Body?.includes(marker)), {
      timeoutMs: 120_000,
      intervalMs: 1_000,
    });
    if (!dead?.MessageId) throw new Error('the poison event never reached the recorder DLQ');
    poisonId = dead.MessageId;
  }, 180_000);

  it('lists every DLQ of the stack with its depth, oldest age and source queue', async () => {
    // Act
    const list = await pipelineJson<ListJson>(['dlq', 'list']);
    const human = await pipeline(['dlq', 'list']);

    // Assert
    const recorder = list.dlqs.find((d) => d.url === dlqUrl);
    expect(recorder?.depth.total).toBeGreaterThanOrEqual(1);
    expect(recorder?.oldest).toMatchObject({ source: 'peek', seconds: expect.any(Number) });
    expect(recorder?.sources).toContainEqual(
      expect.objectContaining({
        kind: 'queue',
        maxReceiveCount: 3,
        queue: expect.objectContaining({ url: stackOutput(OUTPUTS.recorderQueueUrl) }),
      }),
    );
    expect(list.dlqs.map((d) => d.url)).toContain(stackOutput(OUTPUTS.ruleDlqUrl));
    expect(human.status).toBe(0);
    expect(human.stdout).toMatch(/DLQ\s+DEPTH\s+IN FLIGHT\s+OLDEST\s+SOURCES/);
    expect(human.stdout).toContain(dlqName);
  });

  it('shows the poison message decoded, with its receive count, and leaves it in the DLQ', async () => {
    // Arrange
    const before = await depth(dlqUrl);

    // Act
    const shown = await pipelineJson<{ messages: ShowMessage[] }>(['dlq', 'show', dlqName, '--limit', '100']);

    // Assert
    const poison = shown.messages.find((m) => m.messageId === poisonId);
    expect(poison?.event?.detailType).toBe('OrderPlaced');
    expect(poison?.problem).toBe('detail is not an event envelope');
    if (poison?.failure.kind === 'max-receive') {
      // Moved by the queue's redrive policy: received maxReceiveCount times there, plus the peeks here.
      expect(poison.failure).toMatchObject({ maxReceiveCount: 3 });
      expect(poison.failure.summary).toMatch(/^exceeded maxReceiveCount \(3\)/);
      expect(poison.receiveCount).toBeGreaterThanOrEqual(3);
    } else {
      expect(poison?.failure.kind).toBe('consumer');
      expect(poison?.receiveCount).toBeGreaterThanOrEqual(1);
    }
    expect((await depth(dlqUrl)).total).toBe(before.total);
    expect((await peek(dlqUrl)).map((m) => m.MessageId)).toContain(poisonId);
  });

  it('plans a redrive with --dry-run and moves nothing', async () => {
    // Arrange
    const before = await depth(dlqUrl);

    // Act
    const plan = await pipelineJson<RedriveJson>(['dlq', 'redrive', dlqName, '--ids', poisonId, '--dry-run']);

    // Assert
    expect(plan.dryRun).toBe(true);
    expect(plan.moved).toEqual([
      { messageId: poisonId, target: queueName(stackOutput(OUTPUTS.recorderQueueUrl)) },
    ]);
    expect((await depth(dlqUrl)).total).toBe(before.total);
    expect(existsSync(auditPath) ? readFileSync(auditPath, 'utf8') : '').not.toContain(poisonId);
  });

  it('rejects an unknown queue with a non-zero exit and the names of the real DLQs', async () => {
    const run = await pipeline(['dlq', 'show', 'no-such-dlq']);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('No dead-letter queue "no-such-dlq"');
    expect(run.stderr).toContain(dlqName);
    expect(run.stderr).toContain(queueName(stackOutput(OUTPUTS.ruleDlqUrl)));
  });

  it('refuses to redrive an empty DLQ with a clear message and a non-zero exit', async () => {
    // Arrange: the rule-target DLQ stays empty while EventBridge can deliver to the queue.
    const empty = stackOutput(OUTPUTS.ruleDlqUrl);
    expect((await depth(empty)).total).toBe(0);

    // Act
    const run = await pipeline(['dlq', 'redrive', queueName(empty), '--all']);

    // Assert
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`Nothing to redrive: ${queueName(empty)} is empty.`);
  });

  it('tells the user to run `pipeline up` when the stack is not deployed', async () => {
    const run = await pipeline(['--stack', `OrderPipeline-missing-${process.pid}`, 'dlq', 'list']);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/is not deployed on .*\n.*pipeline up/);
  });

  it('redrives a valid message placed in the DLQ: it is recorded once, leaves the DLQ and is audited', async () => {
    // Arrange: what the consumer runtime would have dead-lettered, with its reason attributes.
    const envelope = {
      id: randomUUID(),
      type: 'OrderPlaced',
      version: 1,
      source: 'orders.e2e',
      time: new Date().toISOString(),
      correlationId: `corr-${randomUUID()}`,
      data: { orderId: `order-${randomUUID()}` },
    };
    const body = {
      version: '0',
      id: randomUUID(),
      'detail-type': envelope.type,
      source: envelope.source,
      account: '000000000000',
      time: envelope.time,
      region: 'us-east-1',
      resources: [],
      detail: envelope,
    };
    const text = (value: string) => ({ DataType: 'String', StringValue: value });
    const placed = await sqs.send(
      new SendMessageCommand({
        QueueUrl: dlqUrl,
        MessageBody: JSON.stringify(body),
        MessageAttributes: { 'error-code': text('UNEXPECTED'), 'error-message': text('table was down') },
      }),
    );
    const id = placed.MessageId ?? '';

    // Act
    const result = await pipelineJson<RedriveJson>(['dlq', 'redrive', dlqName, '--ids', id]);
    const item = await eventually(async () => {
      const found = await dynamo.send(
        new GetItemCommand({
          TableName: stackOutput(OUTPUTS.recordedEventsTable),
          Key: { pk: { S: `EVENT#${envelope.id}` } },
        }),
      );
      return found.Item;
    });

    // Assert
    expect(result.moved).toEqual([
      expect.objectContaining({
        messageId: id,
        target: queueName(stackOutput(OUTPUTS.recorderQueueUrl)),
        newMessageId: expect.any(String),
      }),
    ]);
    expect(item?.correlationId?.S).toBe(envelope.correlationId);
    expect((await peek(dlqUrl)).map((m) => m.MessageId)).not.toContain(id);
    const lines = readFileSync(auditPath, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toContainEqual(
      expect.objectContaining({
        operator: 'e2e-operator',
        stack: e2eStack,
        dlq: dlqName,
        target: queueName(stackOutput(OUTPUTS.recorderQueueUrl)),
        messageId: id,
        newMessageId: result.moved[0]?.newMessageId,
        deletedFromDlq: true,
        reason: 'UNEXPECTED: table was down',
      }),
    );
  });

  it('redrives exactly the selected poison message, which fails again and returns marked redriven-from', async () => {
    // Arrange
    const before = await depth(dlqUrl);

    // Act
    const result = await pipelineJson<RedriveJson>(['dlq', 'redrive', dlqName, '--ids', poisonId]);
    const after = await depth(dlqUrl);
    // The recorder dead-letters what it can never record at once, as a new message that keeps the
    // body and the redriven-from attribute: find it by those, not by the id it had in the work queue.
    const back = await eventually(
      async () =>
        (await peek(dlqUrl)).find(
          (m) => m.Body?.includes(marker) && m.MessageAttributes?.['redriven-from']?.StringValue === dlqName,
        ),
      { timeoutMs: 90_000, intervalMs: 1_000 },
    );
    const shown = await pipelineJson<{ messages: ShowMessage[] }>(['dlq', 'show', dlqName, '--limit', '100']);

    // Assert
    expect(result.moved).toEqual([expect.objectContaining({ messageId: poisonId })]);
    // It may already be back (dead-lettered within a second), but never twice.
    expect(after.total).toBeLessThanOrEqual(before.total);
    expect(back, 'the redriven poison message never came back to the DLQ').toBeDefined();
    const again = shown.messages.find((m) => m.messageId === back?.MessageId);
    expect(again?.attributes['redriven-from']).toBe(dlqName);
    expect(again?.failure.kind).toBe('consumer');
    expect(shown.messages.map((m) => m.messageId)).not.toContain(poisonId);
  }, 150_000);
});

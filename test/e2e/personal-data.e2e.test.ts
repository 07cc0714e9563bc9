import { randomUUID } from 'node:crypto';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { paginateScan } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { OUTPUTS } from '../../infra/stacks/outputs.ts';
import { ordersCatalog } from '../../shared/contexts/orders/events/catalog.ts';
import { markStored } from '../../shared/kit/events/stored.ts';
import {
  DynamoDbSubjectKeys,
  isCiphertext,
  revealEvent,
  SubjectForgottenError,
} from '../../shared/kit/personal-data/index.ts';
import { consumerLogGroup, jsonLogLines } from '../bad-input/intake-checks.ts';
import { eventually, testClients } from '../support/aws.ts';
import { e2eStack, runCli } from '../support/cli.ts';
import { stackOutput } from '../support/stack-outputs.ts';
import { type BusCapture, type CapturedEvent, captureBusEvents } from './bus-capture.ts';
import { sagaWorld } from './saga-world.ts';

const world = sagaWorld();
const { dynamo, events, sqs } = testClients();
const region = process.env.AWS_REGION ?? 'us-east-1';
const logs = new CloudWatchLogsClient({ region });
const lambda = new LambdaClient({ region });

/** Two customers with addresses no other test uses: what must (not) show up in clear. */
const forgotten = { id: world.unique('cus-forget'), email: `${randomUUID()}@forgotten.example.com` };
const kept = { id: world.unique('cus-keep'), email: `${randomUUID()}@kept.example.com` };
const sku = world.unique('PII-SKU');

/** `pipeline inject OrderPlaced` for a customer: the CLI encrypts the contact before PutEvents. */
function injectOrder(customer: { id: string; email: string }, orderId: string): void {
  const data = {
    orderId,
    customerId: customer.id,
    items: [{ sku, qty: 1, unitPrice: 10 }],
    total: 10,
    currency: 'EUR',
    paymentToken: 'tok_visa_4242',
    contact: { email: customer.email, channels: ['email'] },
  };
  const run = runCli([
    'inject',
    'OrderPlaced',
    '--data',
    JSON.stringify(data),
    '--stack',
    e2eStack,
    '--json',
  ]);
  expect(run.status, run.stderr).toBe(0);
}

function forget(subjectId: string): { outcome: string; forgottenAt: string } {
  const run = runCli(['forget', subjectId, '--requested-by', 'e2e', '--stack', e2eStack, '--json']);
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as { outcome: string; forgottenAt: string };
}

/** Every item of a table, as JSON text. */
async function tableText(tableName: string): Promise<string> {
  const items: unknown[] = [];
  for await (const page of paginateScan({ client: dynamo }, { TableName: tableName }))
    items.push(...(page.Items ?? []));
  return JSON.stringify(items);
}

/** The bodies of every DLQ of the stack, peeked a few times (visibility 0: left in place). */
async function deadLetterText(): Promise<string> {
  const outputs = inject('stackOutputs') as Record<string, string>;
  const bodies: string[] = [];
  for (const [name, url] of Object.entries(outputs)) {
    if (!name.endsWith('DlqUrl')) continue;
    for (let pass = 0; pass < 3; pass++) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }),
      );
      bodies.push(...Messages.map((m) => m.Body ?? ''));
    }
  }
  return bodies.join('\n');
}

describe('personal data: crypto-shredding and pipeline forget', () => {
  const first = { forgotten: world.unique('ord-forget'), kept: world.unique('ord-keep') };
  const afterForget = world.unique('ord-forget-again');
  let capture: BusCapture;
  const onBus: CapturedEvent[] = [];
  let placedAt: Date;

  beforeAll(async () => {
    capture = await captureBusEvents({ events, sqs }, stackOutput(OUTPUTS.busName), {
      source: [{ prefix: 'orders.' }],
    });
    await world.stock(sku, 10);
    placedAt = new Date(Date.now() - 2_000);
    injectOrder(forgotten, first.forgotten);
    injectOrder(kept, first.kept);
    for (const orderId of Object.values(first))
      expect((await world.outcome(orderId)).type).toBe('OrderConfirmed');
    for (const orderId of Object.values(first)) {
      const sent = await eventually(
        async () => ((await world.delivered(orderId, 'email', 'OrderConfirmed')) ? true : undefined),
        {
          timeoutMs: 90_000,
          intervalMs: 1_000,
        },
      );
      expect(sent, `e-mail for ${orderId}`).toBe(true);
    }
    // A copy of the forgotten customer's confirmation that the store does not confirm (another id):
    // refused to the e-mail channel's DLQ, where it stays, carrying the contact as stored.
    const confirmed = (await world.stream(`saga-order#${first.forgotten}`)).find(
      (e) => e.type === 'OrderConfirmed',
    );
    if (!confirmed) throw new Error('no OrderConfirmed');
    const forged = markStored({ ...confirmed, id: randomUUID() }, `saga-order#${first.forgotten}`, 1);
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: stackOutput(OUTPUTS.emailQueueUrl),
        MessageBody: JSON.stringify(forged),
      }),
    );
    const dead = await eventually(
      async () =>
        (await world.peekDeadLetters(stackOutput(OUTPUTS.emailDlqUrl), forged.id)).length > 0
          ? true
          : undefined,
      { timeoutMs: 60_000, intervalMs: 1_000 },
    );
    expect(dead, 'forged copy dead-lettered').toBe(true);
    await world.drained();
  }, 300_000);

  afterAll(async () => {
    await capture?.dispose();
  });

  it('never lets an address leave the producer in clear: the bus carries ciphertext only', async () => {
    onBus.push(
      ...(await capture.collect(
        (seen) => seen.filter((e) => JSON.stringify(e).includes(first.kept)).length >= 2,
        {
          timeoutMs: 60_000,
        },
      )),
    );
    const text = JSON.stringify(onBus);

    expect(text).toContain(first.forgotten);
    expect(text).not.toContain(forgotten.email);
    expect(text).not.toContain(kept.email);
    const placed = onBus.find((e) => e.type === 'OrderPlaced' && JSON.stringify(e).includes(first.kept));
    const data = placed?.detail.data as { contact?: { email?: string } } | undefined;
    expect(isCiphertext(data?.contact?.email)).toBe(true);
  });

  it('forgets a customer once, and says so when asked again', () => {
    expect(forget(forgotten.id).outcome).toBe('erased');
    expect(forget(forgotten.id).outcome).toBe('already');
  });

  it('leaves the forgotten customer unreadable everywhere, and the other customer as before', async () => {
    const keys = new DynamoDbSubjectKeys({
      client: dynamo,
      tableName: stackOutput(OUTPUTS.subjectKeysTable),
    });
    const placedOf = async (orderId: string) => {
      const placed = (await world.stream(`saga-order#${orderId}`)).find((e) => e.type === 'OrderPlaced');
      if (!placed) throw new Error(`no OrderPlaced for ${orderId}`);
      return ordersCatalog.parse(placed);
    };

    const stored = await tableText(stackOutput(OUTPUTS.eventStoreTable));
    const summaries = await tableText(stackOutput(OUTPUTS.orderSummaryTable));
    const deadLetters = await deadLetterText();

    for (const text of [stored, summaries, deadLetters]) {
      expect(text).not.toContain(forgotten.email);
      expect(text).not.toContain(kept.email);
    }
    expect(deadLetters).toContain(first.forgotten);
    await expect(revealEvent(ordersCatalog, await placedOf(first.forgotten), keys)).rejects.toBeInstanceOf(
      SubjectForgottenError,
    );
    const keptPlaced = await revealEvent(ordersCatalog, await placedOf(first.kept), keys);
    expect(JSON.stringify(keptPlaced.data)).toContain(kept.email);
  });

  it('takes a new order of a forgotten customer with the address erased, and skips its e-mail with the reason', async () => {
    const since = Date.now();

    injectOrder(forgotten, afterForget);
    const outcome = await world.outcome(afterForget);
    await world.drained();

    expect(outcome.type).toBe('OrderConfirmed');
    expect(JSON.stringify(outcome.data)).toContain('pii:v1:erased');
    const group = await consumerLogGroup(lambda, sqs, stackOutput(OUTPUTS.emailQueueUrl));
    const skipped = await eventually(
      async () => {
        const lines = await jsonLogLines(logs, group, since, afterForget);
        return lines.find((line) => line.message === 'notification skipped: personal data erased');
      },
      { timeoutMs: 60_000, intervalMs: 1_000 },
    );
    expect(skipped?.reason).toBe('SUBJECT_FORGOTTEN');
    expect(await world.delivered(afterForget, 'email', 'OrderConfirmed')).toBe(false);
    expect(await world.peekDeadLetters(stackOutput(OUTPUTS.emailDlqUrl), afterForget)).toEqual([]);
  });

  it('replays the archive after the erasure without errors, sending nothing to the forgotten customer', async () => {
    const run = runCli(
      [
        'replay',
        '--archive',
        '--from',
        placedAt.toISOString(),
        '--rate',
        '50',
        '--stack',
        e2eStack,
        '--json',
      ],
      {},
      240_000,
    );
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { state: string; failed: number };
    await world.drained();

    expect(result.state).toBe('COMPLETED');
    expect(result.failed).toBe(0);
    expect(await world.delivered(afterForget, 'email', 'OrderConfirmed')).toBe(false);
    const after = JSON.stringify([
      await tableText(stackOutput(OUTPUTS.eventStoreTable)),
      await tableText(stackOutput(OUTPUTS.orderSummaryTable)),
      await deadLetterText(),
    ]);
    expect(after).not.toContain(forgotten.email);
  });
});

import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { type AttributeValue, paginateScan, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { OUTPUTS } from '../../infra/stacks/outputs.ts';
import { createOnboardingEvent } from '../../shared/contexts/onboarding/events/catalog.ts';
import { userStreamId } from '../../shared/contexts/onboarding/use-cases/accounts.ts';
import { welcomeStreamId } from '../../shared/contexts/onboarding/use-cases/welcome.ts';
import { consumerLogGroup, jsonLogLines } from '../bad-input/intake-checks.ts';
import { eventually, testClients } from '../support/aws.ts';
import { e2eStack, runCli } from '../support/cli.ts';
import { stackOutput } from '../support/stack-outputs.ts';
import { sagaWorld } from './saga-world.ts';

const world = sagaWorld();
const { dynamo } = testClients();
const region = process.env.AWS_REGION ?? 'us-east-1';
const logs = new CloudWatchLogsClient({ region });
const lambda = new LambdaClient({ region });

interface ReplayJson {
  state: string;
  received: number;
  forwarded: Record<string, number>;
  skippedByType: number;
  unrouted: number;
  failed: number;
}

/**
 * Every event id the flow's streams hold, per stream: the order's (saga, inventory, payment,
 * notifications) and its customer's (account, welcome). What a replay must leave as it is.
 */
async function storedIds(orderId: string, userId: string): Promise<Record<string, string[]>> {
  const history = {
    ...(await world.history(orderId)),
    account: await world.stream(userStreamId(userId)),
    welcome: await world.stream(welcomeStreamId(userId)),
  };
  return Object.fromEntries(Object.entries(history).map(([name, events]) => [name, events.map((e) => e.id)]));
}

/** Waits until `streamId` holds an event of `type`. */
async function waitFor(streamId: string, type: string): Promise<void> {
  const found = await eventually(
    async () => ((await world.stream(streamId)).some((e) => e.type === type) ? true : undefined),
    { timeoutMs: 60_000, intervalMs: 500 },
  );
  expect(found, `${type} in ${streamId}`).toBe(true);
}

/**
 * Makes every idempotency record and input claim of the flow expired, as they are after their window
 * (15 days; the prod archive keeps 365): `expiresAt` in the past. Expiry is decided by that attribute
 * on every claim and record check (TTL deletes lazily on AWS, and not at all on the local cloud), so
 * this is the state a replay of an old flow meets. Returns how many were aged.
 */
async function expireIdempotency(markers: readonly string[]): Promise<number> {
  const tableName = stackOutput(OUTPUTS.eventStoreTable);
  let aged = 0;
  const pages = paginateScan(
    { client: dynamo },
    { TableName: tableName, FilterExpression: 'attribute_exists(expiresAt)' },
  );
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      const pk = item.pk?.S ?? '';
      if (!markers.some((marker) => pk.includes(marker))) continue;
      const key: Record<string, AttributeValue> = {
        pk: item.pk as AttributeValue,
        sk: item.sk as AttributeValue,
      };
      await dynamo.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: key,
          UpdateExpression: 'SET expiresAt = :past',
          ExpressionAttributeValues: { ':past': { N: String(Math.floor(Date.now() / 1000) - 60) } },
        }),
      );
      aged += 1;
    }
  }
  return aged;
}

/** Lines a consumer logged since `since` that mention any of `ids`. */
async function linesMentioning(queueOutput: string, since: number, ids: readonly string[]) {
  const group = await consumerLogGroup(lambda, world.sqs, stackOutput(queueOutput as never));
  const lines = await Promise.all(ids.map((id) => jsonLogLines(logs, group, since, id)));
  // jsonLogLines reads from 5 s before `since` (clock skew); a line's own timestamp says when it was.
  return lines.flat().filter((line) => Date.parse(String(line.timestamp)) >= since);
}

function replay(args: readonly string[]): ReplayJson {
  const run = runCli(['replay', '--archive', ...args, '--stack', e2eStack, '--json'], {}, 240_000);
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as ReplayJson;
}

describe('pipeline replay: paced, addressed, and unable to repeat a side effect', () => {
  const orderId = world.unique('replay');
  const userId = world.unique('usr-replay');
  const sku = world.unique('REPLAY-SKU');
  let placedAt: Date;
  let registeredId: string;
  let placedId: string;
  let confirmedId: string;

  beforeAll(async () => {
    // A flow with every side effect: a user signs up (welcome message), then orders (payment call,
    // e-mail), and the order's confirmation is recorded as the user's first order.
    await world.stock(sku, 5);
    placedAt = new Date(Date.now() - 2_000);
    const registered = createOnboardingEvent(
      'UserRegistered',
      { userId, email: `${userId}@example.com`, displayName: 'Replay Tester' },
      { correlationId: `e2e-${userId}`, source: 'signup.web' },
    );
    registeredId = registered.id;
    await world.place(registered);
    await waitFor(welcomeStreamId(userId), 'WelcomeMessageSent');
    const order = world.order({
      orderId,
      customerId: userId,
      items: [{ sku, qty: 1, unitPrice: 10 }],
      total: 10,
    });
    placedId = order.id;
    await world.place(order);
    const outcome = await world.outcome(orderId);
    expect(outcome.type).toBe('OrderConfirmed');
    confirmedId = outcome.id;
    await world.summary(orderId, (s) => s.status === 'CONFIRMED');
    await waitFor(userStreamId(userId), 'FirstOrderRecorded');
    await world.drained();
  }, 300_000);

  it('replays an old flow whose idempotency records expired: nothing is stored, paid or notified again', async () => {
    // Arrange: the flow as stored, its one payment call, its e-mail and welcome message, then every
    // record that deduplicates by id made expired.
    const before = await storedIds(orderId, userId);
    expect(before.welcome).toHaveLength(1);
    const paymentCalls = (await world.ledger(orderId)).attempts;
    expect(paymentCalls).toBeGreaterThan(0);
    expect(await world.delivered(orderId, 'email', 'OrderConfirmed')).toBe(true);
    expect(await expireIdempotency([orderId, placedId, userId, registeredId])).toBeGreaterThan(0);
    const since = Date.now();

    // Act: replay the flow's window to every consumer the bus feeds.
    const result = replay(['--from', placedAt.toISOString(), '--rate', '50']);
    await world.drained();

    // Assert: the replayed events reached the saga (OrderPlaced) and accounts (UserRegistered,
    // OrderConfirmed)...
    expect(result.state).toBe('COMPLETED');
    expect(result.failed).toBe(0);
    expect(result.forwarded['orders/saga']).toBeGreaterThanOrEqual(1);
    expect(result.forwarded['onboarding/accounts']).toBeGreaterThanOrEqual(1);
    expect(await linesMentioning(OUTPUTS.sagaQueueUrl, since, [placedId])).not.toHaveLength(0);
    expect(await linesMentioning('OnboardingAccountsQueueUrl', since, [registeredId])).not.toHaveLength(0);
    // ...and changed nothing: the same events in every stream (no second welcome message, e-mail
    // or first-order record), no second provider call.
    expect(await storedIds(orderId, userId)).toEqual(before);
    expect((await world.ledger(orderId)).attempts).toBe(paymentCalls);
  });

  it('replays to one consumer only when --consumer names it, and only the --types asked for', async () => {
    // Arrange
    const since = Date.now();

    // Act
    const result = replay([
      '--from',
      placedAt.toISOString(),
      '--consumer',
      'onboarding/accounts',
      '--types',
      'OrderConfirmed',
      '--rate',
      '50',
    ]);
    await world.drained();

    // Assert: accounts had the order's OrderConfirmed again; the saga saw none of the flow's events.
    expect(result.state).toBe('COMPLETED');
    expect(Object.keys(result.forwarded)).toEqual(['onboarding/accounts']);
    expect(result.forwarded['onboarding/accounts']).toBeGreaterThanOrEqual(1);
    expect(result.skippedByType).toBeGreaterThanOrEqual(1);
    expect(await linesMentioning('OnboardingAccountsQueueUrl', since, [confirmedId])).not.toHaveLength(0);
    expect(await linesMentioning(OUTPUTS.sagaQueueUrl, since, [placedId, confirmedId])).toEqual([]);
  });

  it('refuses a consumer a replay cannot reach and an event type the catalog lacks, before replaying', () => {
    const outboxFed = runCli([
      'replay',
      '--archive',
      '--from',
      '5m',
      '--consumer',
      'payment',
      '--stack',
      e2eStack,
    ]);
    expect(outboxFed.status).toBe(2);
    expect(outboxFed.stderr).toContain('orders/saga, onboarding/accounts');

    const misspelled = runCli([
      'replay',
      '--archive',
      '--from',
      '5m',
      '--types',
      'OrderConfirmd',
      '--stack',
      e2eStack,
    ]);
    expect(misspelled.status).toBe(2);
    expect(misspelled.stderr).toContain('Did you mean OrderConfirmed');
  });
});

/**
 * Runs the bad-input cases against a deployed stack: sends every case at its edge, places a good order
 * alongside, then polls the DLQs, the read model and the outbox publisher's log until each case has
 * its outcome (or the time is up), and checks that nothing else was affected. Used by
 * `npm run bad-input` (a cloud of its own) and by the e2e test (the e2e tier's stack).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { type DecodedMessage, decodeMessage } from '../../cli/dlq/decode.ts';
import { peekMessages } from '../../cli/dlq/peek.ts';
import { sqsQueuePort } from '../../cli/dlq/queue-port.ts';
import { orderPlaced, placeOrders } from '../../cli/orders/place.ts';
import { seedStock } from '../../cli/orders/seed.ts';
import { OUTPUTS, type StackOutputName } from '../../infra/stacks/outputs.ts';
import { DynamoDbOrderSummaryRepository } from '../../shared/contexts/orders/adapters/dynamodb-order-summaries.ts';
import type { OrderSummary } from '../../shared/contexts/orders/domain/order-summary.ts';
import { availableStock } from '../../shared/contexts/orders/use-cases/inventory.ts';
import { orderStreamIds } from '../../shared/contexts/orders/use-cases/order-history.ts';
import { DynamoDbEventStore } from '../../shared/kit/event-store/dynamodb.ts';
import { commitKey } from '../../shared/kit/event-store/dynamodb-items.ts';
import type { EventEnvelope } from '../../shared/kit/events/envelope.ts';
import {
  type BadInputCase,
  buildCases,
  type DlqOutput,
  describeExpectation,
  type Edge,
  type Expectation,
  effectiveExpectation,
  type Payload,
  shortQueue,
  WATCHED_DLQS,
} from './cases.ts';
import {
  checkCaseStock,
  checkDerivedEnvelope,
  checkDuplicate,
  checkFirstInput,
  checkOrderRejected,
  consumerLogGroup,
  jsonLogLines,
  loggedDuplicates,
  storedOfType,
} from './intake-checks.ts';

/** The deployed stack the suite runs against. */
export interface SuiteTarget {
  /** True on a local emulator: cases with a known emulator gap are checked against what it does. */
  readonly emulator: boolean;
  readonly stackName: string;
  readonly outputs: Readonly<Record<string, string>>;
  /** SDK client options (endpoint and credentials for an emulator). */
  readonly clientConfig: {
    readonly region: string;
    readonly endpoint?: string;
    readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  };
  /**
   * Runs `pipeline <args>` against this target for the CLI cases (the bench's runner on its own cloud,
   * the tests' runner on the e2e stack).
   */
  readonly cli: (
    args: readonly string[],
  ) => Promise<{ readonly code: number | null; readonly stderr: string }>;
}

export interface SuiteOptions {
  /** Time to wait for every outcome after sending. @default 120000 */
  readonly timeoutMs?: number;
  /** Once every outcome is in, how long to keep watching for unexpected effects. @default 5000 */
  readonly settleMs?: number;
  readonly log?: (line: string) => void;
  /** @default 8 random lowercase characters */
  readonly runId?: string;
}

/** What happened to one case. */
export interface CaseResult {
  readonly id: string;
  readonly edge: Edge;
  readonly name: string;
  readonly sent: string;
  readonly expected: string;
  /** What was observed, in a few words. */
  readonly outcome: string;
  /** The error or reason text seen (CLI stderr line, entry error, DLQ reason, log reason, order reason). */
  readonly reason: string;
  readonly ok: boolean;
  /** Set when the emulator differs from AWS for this case: what AWS does instead. */
  readonly gap?: string;
  /** Why the case is not ok (empty when it is). */
  readonly problems: readonly string[];
}

/** A "nothing else affected" check. */
export interface SideCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface SuiteReport {
  readonly runId: string;
  readonly stackName: string;
  readonly target: 'emulator' | 'aws';
  readonly startedAt: string;
  readonly seconds: number;
  readonly results: readonly CaseResult[];
  readonly checks: readonly SideCheck[];
}

/** What the edge answered when the case was sent. */
interface SendResult {
  readonly accepted: boolean;
  readonly error?: string;
  /** The event id PutEvents gave the entry. */
  readonly eventId?: string;
}

/** One DLQ entry of this run. */
export interface SeenEntry {
  readonly queue: DlqOutput;
  /** The case it belongs to (the longest case marker its body holds). */
  readonly marker?: string;
  readonly messageId: string;
  readonly reason: string;
  readonly hasReason: boolean;
}

/** One refusal the outbox publisher logged. */
interface OutboxLog {
  readonly item: string;
  readonly reason: string;
}

const STOCK = 10;
/** How long a case's first input may take to be stored before the case gives up on it. */
const FIRST_INPUT_TIMEOUT_MS = 90_000;

function newRunId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(8)].map((b) => alphabet[b % alphabet.length]).join('');
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function output(target: SuiteTarget, name: StackOutputName): string {
  const value = target.outputs[name];
  if (!value) throw new Error(`stack ${target.stackName} has no output ${name}`);
  return value;
}

/** Runs the whole suite; never throws for a case that fails (it becomes a result that is not ok). */
export async function runBadInputSuite(
  target: SuiteTarget,
  options: SuiteOptions = {},
): Promise<SuiteReport> {
  const started = Date.now();
  const log = options.log ?? (() => {});
  const runId = options.runId ?? newRunId();
  const config = { ...target.clientConfig, maxAttempts: 2 };
  const clients = {
    events: new EventBridgeClient(config),
    sqs: new SQSClient(config),
    sns: new SNSClient(config),
    dynamo: new DynamoDBClient(config),
    logs: new CloudWatchLogsClient(config),
  };
  const store = new DynamoDbEventStore({
    client: clients.dynamo,
    tableName: output(target, OUTPUTS.eventStoreTable),
  });
  const summaries = new DynamoDbOrderSummaryRepository({
    client: clients.dynamo,
    tableName: output(target, OUTPUTS.orderSummaryTable),
  });
  const stockedSku = `bad-${runId}-stock`;
  const cases = buildCases({ runId, stockedSku });
  log(`Bad-input run ${runId}: ${cases.length} cases on ${target.stackName}`);
  const ownStock = cases.flatMap((c) => (c.stock ? [{ sku: c.stock.sku, qty: c.stock.qty }] : []));
  await seedStock(store, [{ sku: stockedSku, qty: STOCK }, ...ownStock]);
  const lambda = new LambdaClient(config);
  // The saga's log tells a command it skipped as a duplicate (nothing else shows it).
  const sagaLogGroup = cases.some((c) => c.expect.kind === 'duplicate')
    ? await consumerLogGroup(lambda, clients.sqs, output(target, OUTPUTS.sagaQueueUrl))
    : undefined;

  // Stream records first, one at a time: the publisher stops a batch at a refused record, and the
  // emulator never retries the rest of that batch, so each one gets a batch of its own.
  const outboxLogs: OutboxLog[] = [];
  const sent = new Map<string, SendResult>();
  const logGroup = await logGroupOf(lambda, output(target, OUTPUTS.outboxFunctionName));
  for (const c of cases.filter((x) => x.edge === 'stream-record')) {
    sent.set(c.id, await writeStreamItem(clients.dynamo, output(target, OUTPUTS.eventStoreTable), c));
    const expect = effectiveExpectation(c, target.emulator);
    if (expect.kind !== 'outbox-refused') continue;
    const seen = await waitFor(async () => {
      outboxLogs.splice(0, outboxLogs.length, ...(await readOutboxLogs(clients.logs, logGroup, started)));
      return outboxLogs.some((l) => l.item.includes(c.marker)) ? true : undefined;
    }, 30_000);
    log(`${c.id}: ${seen ? 'refusal logged by the outbox publisher' : 'no refusal logged within 30 s'}`);
  }

  // The CLI's cases first: it refuses them before sending anything, and each is a process start that
  // would compete for the CPU with the good order's saga steps (a step timeout is load, not bad input).
  const cliCases = cases.filter((x) => x.edge === 'cli-inject');
  await runLimited(cliCases, 3, async (c) => sent.set(c.id, await sendCli(target, c)));

  // Everything else at once, with a good order alongside.
  const good = orderPlaced({
    orderId: `bad-${runId}-good-order`,
    customerId: 'cus-bad-input-good',
    items: [{ sku: stockedSku, qty: 1, unitPrice: 10 }],
    total: 10,
    currency: 'EUR',
    paymentToken: 'tok_visa_4242',
    contact: { email: 'good@example.com', channels: ['email'] },
  });
  await placeOrders(clients.events, output(target, OUTPUTS.busName), [good]);
  const others = cases.filter((x) => x.edge !== 'stream-record' && x.edge !== 'cli-inject');
  await Promise.all(others.map(async (c) => sent.set(c.id, await sendCase(target, clients, store, c))));
  log(`Sent ${sent.size} cases and a good order (${good.data.orderId}); waiting for outcomes`);

  // Poll until every awaited outcome is in, then watch a little longer for anything unexpected.
  const deadline = started + (options.timeoutMs ?? 120_000);
  let entries: SeenEntry[] = [];
  let orders = new Map<string, OrderSummary>();
  let duplicates = new Set<string>();
  const observe = async () => {
    entries = await readDeadLetters(clients.sqs, target, runId, cases);
    orders = await readOrders(summaries, [good.data.orderId, ...watchedOrders(cases)]);
    duplicates = await loggedDuplicates(clients.logs, sagaLogGroup, started);
  };
  for (;;) {
    await observe();
    const waiting = awaited(cases, target.emulator, { entries, orders, duplicates }, good.data.orderId);
    if (waiting.length === 0 || Date.now() > deadline) {
      if (waiting.length > 0) log(`Time is up; still waiting for ${waiting.join(', ')}`);
      break;
    }
    log(`waiting for ${waiting.length}: ${waiting.slice(0, 6).join(', ')}${waiting.length > 6 ? ', …' : ''}`);
    await sleep(2_000);
  }
  await sleep(options.settleMs ?? 5_000);
  await observe();
  outboxLogs.splice(0, outboxLogs.length, ...(await readOutboxLogs(clients.logs, logGroup, started)));

  const results: CaseResult[] = [];
  for (const c of cases) {
    results.push(
      await evaluate(c, {
        target,
        sent: sent.get(c.id) ?? { accepted: false, error: 'not sent' },
        entries: entries.filter((e) => e.marker === c.marker),
        orders,
        duplicates,
        outboxLogs,
        store,
        summaries,
        dynamo: clients.dynamo,
      }),
    );
  }
  const checks = await sideChecks({
    cases,
    entries,
    orders,
    goodOrderId: good.data.orderId,
    stock: await availableStock(store, stockedSku),
    expectedStock: STOCK - 1 - confirmedOn(cases, stockedSku),
  });
  return {
    runId,
    stackName: target.stackName,
    target: target.emulator ? 'emulator' : 'aws',
    startedAt: new Date(started).toISOString(),
    seconds: Math.round((Date.now() - started) / 100) / 10,
    results,
    checks,
  };
}

/** The order a case's expectation is about, and how it must end (when it is about one). */
function expectedOrder(expect: Expectation): { orderId: string; status: string } | undefined {
  return expect.kind === 'processed' || expect.kind === 'order-rejected' || expect.kind === 'duplicate'
    ? { orderId: expect.orderId, status: expect.status }
    : undefined;
}

/** Orders the cases end up with (their own and their first inputs'). */
function watchedOrders(cases: readonly BadInputCase[]): string[] {
  return cases.flatMap((c) =>
    [expectedOrder(c.expect)?.orderId, c.first?.order?.orderId].filter((id) => id !== undefined),
  );
}

/**
 * Units of the stocked SKU that confirmed orders take. Every case leaves at most one order confirmed,
 * for one unit: a second command for it (refused, duplicate, reused id) must take nothing more.
 */
export function confirmedOn(cases: readonly BadInputCase[], sku: string): number {
  return cases.filter((c) => {
    const confirmed =
      expectedOrder(c.expect)?.status === 'CONFIRMED' || c.first?.order?.status === 'CONFIRMED';
    return confirmed && JSON.stringify([c.payload, c.first?.payload]).includes(sku);
  }).length;
}

async function runLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<unknown>) {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: limit }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
    }),
  );
}

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined || Date.now() > deadline) return value;
    await sleep(1_000);
  }
}

type Clients = {
  readonly events: EventBridgeClient;
  readonly sqs: SQSClient;
  readonly sns: SNSClient;
};

/**
 * Sends a case at its network edge; a case with a first input sends that first and its own payload
 * only once the first was stored (so the two meet in a known order).
 */
async function sendCase(
  target: SuiteTarget,
  clients: Clients,
  store: DynamoDbEventStore,
  c: BadInputCase,
): Promise<SendResult> {
  if (c.first) {
    const { payload } = c.first;
    const first =
      payload.edge === 'event-store'
        ? await appendFirst(store, payload.streamId, payload.event)
        : await send(target, clients, payload);
    if (!first.accepted) return { accepted: false, error: `the first input was refused: ${first.error}` };
    const { streamId, type } = c.first.taken;
    const taken = await waitFor(
      async () => ((await storedOfType(store, streamId, type)).length > 0 ? true : undefined),
      FIRST_INPUT_TIMEOUT_MS,
    );
    if (!taken)
      return {
        accepted: false,
        error: `the first input was not taken within ${FIRST_INPUT_TIMEOUT_MS / 1000} s (no ${type} in ${streamId})`,
      };
  }
  return send(target, clients, c.payload);
}

/** Appends a first input to the event store, as a consumer would store it. */
async function appendFirst(
  store: DynamoDbEventStore,
  streamId: string,
  event: Record<string, unknown>,
): Promise<SendResult> {
  try {
    await store.append(streamId, [event as unknown as EventEnvelope], { expectedVersion: 0 });
    return { accepted: true };
  } catch (error) {
    return { accepted: false, error: errorText(error) };
  }
}

/** Sends a payload at a network edge and returns what the edge answered. */
async function send(target: SuiteTarget, clients: Clients, payload: Payload): Promise<SendResult> {
  try {
    switch (payload.edge) {
      case 'put-events': {
        const result = await clients.events.send(
          new PutEventsCommand({
            Entries: [{ EventBusName: output(target, OUTPUTS.busName), ...payload.entry }],
          }),
        );
        const entry = result.Entries?.[0];
        if (entry?.ErrorCode)
          return { accepted: false, error: `${entry.ErrorCode}: ${entry.ErrorMessage ?? ''}` };
        return { accepted: true, ...(entry?.EventId ? { eventId: entry.EventId } : {}) };
      }
      case 'sqs-body':
        await clients.sqs.send(
          new SendMessageCommand({ QueueUrl: output(target, payload.queue), MessageBody: payload.body }),
        );
        return { accepted: true };
      case 'sns-message':
        await clients.sns.send(
          new PublishCommand({
            TopicArn: output(target, OUTPUTS.notificationsTopicArn),
            Message: payload.message,
            MessageAttributes: Object.fromEntries(
              Object.entries(payload.attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]),
            ),
          }),
        );
        return { accepted: true };
      default:
        return { accepted: false, error: `edge ${payload.edge} is not sent here` };
    }
  } catch (error) {
    return { accepted: false, error: errorText(error) };
  }
}

/** Runs `pipeline inject …` in a child process; a non-zero exit is a rejection, stderr its error. */
async function sendCli(target: SuiteTarget, c: BadInputCase): Promise<SendResult> {
  if (c.payload.edge !== 'cli-inject') return { accepted: false, error: 'not a CLI case' };
  const dir = mkdtempSync(join(tmpdir(), 'bad-input-'));
  try {
    let args = [...c.payload.args];
    if (c.payload.file !== undefined) {
      const file = join(dir, `${c.id}.json`);
      writeFileSync(file, c.payload.file);
      args = args.map((a) => (a === '{{file}}' ? file : a));
    }
    const run = await target.cli(['--stack', target.stackName, 'inject', ...args]);
    const error = run.stderr
      .split('\n')
      .filter((l) => !l.startsWith('▸') && !/NodeVersionSupportWarning|node >=22|^\s*$/.test(l))
      .join(' ')
      .replace(/\s+/g, ' ')
      .trim();
    return run.code === 0 ? { accepted: true } : { accepted: false, error: `exit ${run.code}: ${error}` };
  } catch (error) {
    return { accepted: false, error: errorText(error) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Writes a case's commit item to the event store (version 1 of a stream named after its marker). */
async function writeStreamItem(
  dynamo: DynamoDBClient,
  tableName: string,
  c: BadInputCase,
): Promise<SendResult> {
  if (c.payload.edge !== 'stream-record') return { accepted: false, error: 'not a stream case' };
  const streamId = c.marker;
  const text = (value: string) => ({ S: value });
  const item = {
    ...commitKey(streamId, 1),
    streamId: text(streamId),
    fromVersion: { N: '1' },
    toVersion: { N: '1' },
    recordedAt: text(new Date().toISOString()),
    ...Object.fromEntries(Object.entries(c.payload.attributes).map(([k, v]) => [k, text(v)])),
  };
  try {
    await dynamo.send(new PutItemCommand({ TableName: tableName, Item: item }));
    return { accepted: true };
  } catch (error) {
    return { accepted: false, error: errorText(error) };
  }
}

/** The function's log group (the stack sets one per function; Lambda's default otherwise). */
async function logGroupOf(lambda: LambdaClient, functionName: string): Promise<string> {
  const fn = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
  return fn.LoggingConfig?.LogGroup ?? `/aws/lambda/${functionName}`;
}

/** The `failure` of every `outbox batch` line the publisher logged since `since`. */
async function readOutboxLogs(
  logs: CloudWatchLogsClient,
  logGroup: string,
  since: number,
): Promise<OutboxLog[]> {
  const lines = await jsonLogLines(logs, logGroup, since, 'outbox batch');
  return lines.flatMap((line) => {
    const failure = line.failure as { item?: string; reason?: string } | undefined;
    return failure?.item ? [{ item: failure.item, reason: failure.reason ?? '' }] : [];
  });
}

/** Every entry of this run in the watched DLQs, left in place, with its decoded reason. */
async function readDeadLetters(
  sqs: SQSClient,
  target: SuiteTarget,
  runId: string,
  cases: readonly BadInputCase[],
): Promise<SeenEntry[]> {
  const byLength = [...cases].sort((a, b) => b.marker.length - a.marker.length);
  const port = sqsQueuePort(sqs);
  const needle = `bad-${runId}-`;
  const seen: SeenEntry[] = [];
  for (const queue of WATCHED_DLQS) {
    const url = target.outputs[queue];
    if (!url) continue;
    const { messages } = await peekMessages(port, url, { limit: 500, visibilityTimeout: 20 });
    for (const message of messages) {
      if (!message.body.includes(needle)) continue;
      const decoded: DecodedMessage = decodeMessage(message, { sources: [] });
      const marker = byLength.find((c) => message.body.includes(c.marker))?.marker;
      seen.push({
        queue,
        ...(marker === undefined ? {} : { marker }),
        messageId: message.messageId,
        reason:
          decoded.failure.kind === 'consumer'
            ? decoded.failure.summary
            : `no reason attributes (${decoded.failure.kind})`,
        hasReason: decoded.failure.kind === 'consumer',
      });
    }
  }
  return seen;
}

/** Order summaries by id (absent ids left out). */
async function readOrders(
  summaries: DynamoDbOrderSummaryRepository,
  orderIds: readonly string[],
): Promise<Map<string, OrderSummary>> {
  const found = new Map<string, OrderSummary>();
  for (const id of orderIds) {
    const got = await summaries.get(id);
    if (got) found.set(id, got.summary);
  }
  return found;
}

/** Case ids (and the good order) whose outcome is not in yet. */
function awaited(
  cases: readonly BadInputCase[],
  emulator: boolean,
  seen: {
    readonly entries: readonly SeenEntry[];
    readonly orders: ReadonlyMap<string, OrderSummary>;
    /** Event ids the saga logged as duplicates. */
    readonly duplicates: ReadonlySet<string>;
  },
  goodOrderId: string,
): string[] {
  const { entries, orders, duplicates } = seen;
  const waiting: string[] = [];
  const terminal = (id: string) => ['CONFIRMED', 'CANCELLED'].includes(orders.get(id)?.status ?? '');
  if (!terminal(goodOrderId)) waiting.push('good order');
  for (const c of cases) {
    const expect = effectiveExpectation(c, emulator);
    const firstOrder = c.first?.order?.orderId;
    let done = firstOrder === undefined || terminal(firstOrder);
    if (expect.kind === 'dead-lettered') {
      const queues = new Set(entries.filter((e) => e.marker === c.marker).map((e) => e.queue));
      done &&= expect.queues.every((q) => queues.has(q));
    } else if (expect.kind === 'processed') {
      done &&= terminal(expect.orderId);
    } else if (expect.kind === 'order-rejected') {
      const refusals = orders.get(expect.orderId)?.refusals ?? [];
      done &&= terminal(expect.orderId) && refusals.some((r) => r.eventId === expect.refusedEventId);
    } else if (expect.kind === 'duplicate') {
      done &&= terminal(expect.orderId) && duplicates.has(expect.duplicateEventId);
    }
    if (!done) waiting.push(c.id);
  }
  return waiting;
}

interface EvaluationContext {
  readonly target: SuiteTarget;
  readonly sent: SendResult;
  readonly entries: readonly SeenEntry[];
  readonly orders: ReadonlyMap<string, OrderSummary>;
  /** Event ids the saga logged as duplicates. */
  readonly duplicates: ReadonlySet<string>;
  readonly outboxLogs: readonly OutboxLog[];
  readonly store: DynamoDbEventStore;
  readonly summaries: DynamoDbOrderSummaryRepository;
  readonly dynamo: DynamoDBClient;
}

/** Order ids of a case that have a summary or any stored event. */
async function ordersTouched(c: BadInputCase, context: EvaluationContext): Promise<string[]> {
  const touched: string[] = [];
  for (const id of c.orderIds) {
    if (await context.summaries.get(id)) {
      touched.push(id);
      continue;
    }
    for (const streamId of orderStreamIds(id)) {
      const page = await context.store.read(streamId, { limit: 1 });
      if (page.events.length > 0) {
        touched.push(id);
        break;
      }
    }
  }
  return touched;
}

const queueList = (queues: Iterable<string>) => [...queues].map(shortQueue).join(', ');

/** The id of the EventBridge event a case sent: PutEvents gave it, or the case wrote it into its SQS body. */
function eventBridgeIdOf(c: BadInputCase, sent: SendResult): string | undefined {
  if (c.payload.edge === 'put-events') return sent.eventId;
  if (c.payload.edge !== 'sqs-body') return undefined;
  try {
    const id = (JSON.parse(c.payload.body) as { id?: unknown }).id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

/** Checks one case's outcome against its expectation. */
async function evaluate(c: BadInputCase, context: EvaluationContext): Promise<CaseResult> {
  const { sent, entries, target } = context;
  const expect: Expectation = effectiveExpectation(c, target.emulator);
  const gap = target.emulator ? c.emulator?.gap : undefined;
  const problems: string[] = [];
  let outcome = sent.accepted ? 'accepted' : 'rejected at the edge';
  let reason = sent.error ?? '';
  const inQueues = new Set(entries.map((e) => e.queue));
  const noEntries = () => {
    if (entries.length > 0) problems.push(`unexpected DLQ entries in ${queueList(inQueues)}`);
  };
  const noOrder = async () => {
    const touched = await ordersTouched(c, context);
    if (touched.length > 0) problems.push(`order state exists for ${touched.join(', ')}`);
  };
  switch (expect.kind) {
    case 'rejected':
      if (sent.accepted) problems.push('the edge accepted it');
      else if (!expect.error.test(sent.error ?? '')) problems.push(`error does not match ${expect.error}`);
      noEntries();
      await noOrder();
      break;
    case 'dead-lettered': {
      if (!sent.accepted) problems.push(`the edge refused it: ${sent.error}`);
      outcome = entries.length > 0 ? `dead-lettered in ${queueList(inQueues)}` : 'no DLQ entry';
      reason = entries.find((e) => e.queue === expect.queues[0])?.reason ?? entries[0]?.reason ?? '';
      for (const queue of expect.queues) {
        const inQueue = entries.filter((e) => e.queue === queue);
        if (inQueue.length === 0) problems.push(`nothing in the ${shortQueue(queue)}`);
        for (const e of inQueue) {
          if (!expect.reason.test(e.reason))
            problems.push(
              `${shortQueue(queue)} reason "${e.reason.slice(0, 160)}" does not match ${expect.reason}`,
            );
        }
      }
      for (const e of entries) {
        if (expect.queues.includes(e.queue)) continue;
        if (expect.optional?.includes(e.queue)) {
          if (!e.hasReason) problems.push(`${shortQueue(e.queue)} entry carries no reason`);
          continue;
        }
        problems.push(`unexpected entry in the ${shortQueue(e.queue)}`);
      }
      await noOrder();
      break;
    }
    case 'filtered':
    case 'ignored':
      if (!sent.accepted) problems.push(`the edge refused it: ${sent.error}`);
      outcome =
        entries.length > 0
          ? `dead-lettered in ${queueList(inQueues)}`
          : expect.kind === 'filtered'
            ? 'delivered to no queue'
            : 'no effect';
      noEntries();
      await noOrder();
      break;
    case 'processed': {
      if (!sent.accepted) problems.push(`the edge refused it: ${sent.error}`);
      const summary = context.orders.get(expect.orderId);
      outcome = summary ? `order ${summary.status}` : 'no order summary';
      reason = summary?.reason ?? '';
      if (summary?.status !== expect.status)
        problems.push(`order is ${summary?.status ?? 'absent'}, expected ${expect.status}`);
      if (expect.reason && !expect.reason.test(summary?.reason ?? ''))
        problems.push(`reason does not match ${expect.reason}`);
      for (const [field, value] of Object.entries(expect.verbatim)) {
        const stored = (summary as unknown as Record<string, unknown> | undefined)?.[field];
        if (stored !== value) problems.push(`${field} not stored verbatim: ${JSON.stringify(stored)}`);
      }
      if (expect.derivedEnvelope)
        problems.push(
          ...(await checkDerivedEnvelope(context.store, expect.orderId, eventBridgeIdOf(c, sent))),
        );
      noEntries();
      break;
    }
    case 'order-rejected':
    case 'duplicate': {
      if (!sent.accepted) problems.push(`the edge refused it: ${sent.error}`);
      const summary = context.orders.get(expect.orderId);
      const checked =
        expect.kind === 'order-rejected'
          ? await checkOrderRejected(expect, context.store, summary)
          : await checkDuplicate(expect, context.store, summary, context.duplicates);
      ({ outcome, reason } = checked);
      problems.push(...checked.problems);
      noEntries();
      break;
    }
    case 'outbox-refused': {
      if (!sent.accepted) problems.push(`the item could not be written: ${sent.error}`);
      const refusal = context.outboxLogs.find((l) => l.item.includes(c.marker));
      outcome = refusal
        ? 'refused by the outbox publisher (logged, reported as batch item failure)'
        : 'no refusal logged';
      reason = refusal?.reason ?? '';
      if (!refusal) problems.push('the outbox publisher logged no refusal naming the item');
      else if (!expect.reason.test(refusal.reason)) problems.push(`reason does not match ${expect.reason}`);
      noEntries();
      break;
    }
    case 'not-published': {
      if (!sent.accepted) problems.push(`the item could not be written: ${sent.error}`);
      const recorded = await context.dynamo.send(
        new GetItemCommand({
          TableName: output(target, OUTPUTS.recordedEventsTable),
          Key: { pk: { S: `EVENT#${expect.eventId}` } },
        }),
      );
      outcome = recorded.Item ? 'published to the bus' : 'not published';
      if (recorded.Item) problems.push('the outbox published it (the recorder saw it on the bus)');
      noEntries();
      break;
    }
  }
  if (c.first) problems.push(...(await checkFirstInput(c.first, context.store, context.orders)));
  if (c.stock) problems.push(...(await checkCaseStock(c.stock, context.store)));
  return {
    id: c.id,
    edge: c.edge,
    name: c.name,
    sent: c.sent,
    expected: describeExpectation(expect),
    outcome,
    reason: reason.replace(/\s+/g, ' ').slice(0, 300),
    ok: problems.length === 0,
    ...(gap === undefined ? {} : { gap }),
    problems,
  };
}

/** Names of the "nothing else affected" checks, in report order. */
export const SIDE_CHECKS = {
  goodOrder: 'a good order placed alongside completes',
  strayEntries: 'no DLQ entry of this run outside its cases',
  stock: 'stock of the run’s SKU moved only for the orders that were confirmed',
} as const;

/** The "nothing else affected" checks of a run. */
export function sideChecks(input: {
  readonly cases: readonly BadInputCase[];
  readonly entries: readonly SeenEntry[];
  readonly orders: ReadonlyMap<string, OrderSummary>;
  readonly goodOrderId: string;
  readonly stock: number;
  readonly expectedStock: number;
}): SideCheck[] {
  const good = input.orders.get(input.goodOrderId);
  const stray = input.entries.filter((e) => !input.cases.some((c) => c.marker === e.marker));
  return [
    {
      name: SIDE_CHECKS.goodOrder,
      ok: good?.status === 'CONFIRMED',
      detail: `${input.goodOrderId}: ${good?.status ?? 'no summary'}${good?.reason ? ` (${good.reason})` : ''}`,
    },
    {
      name: SIDE_CHECKS.strayEntries,
      ok: stray.length === 0,
      detail:
        stray.length === 0 ? 'none' : stray.map((e) => `${shortQueue(e.queue)} ${e.messageId}`).join(', '),
    },
    {
      name: SIDE_CHECKS.stock,
      ok: input.stock === input.expectedStock,
      detail: `available ${input.stock}, expected ${input.expectedStock}`,
    },
  ];
}

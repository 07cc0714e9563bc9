/**
 * The bad-input suite's checks of the intake's outcomes against the event store and the read model:
 * a refused command stored as `OrderRejected`, a command taken as a duplicate (the saga's log says so),
 * the envelope derived from bare data, what a first input led to, and a case's own stock.
 */
import { type CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  GetFunctionConfigurationCommand,
  type LambdaClient,
  paginateListEventSourceMappings,
} from '@aws-sdk/client-lambda';
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { OrderSummary } from '../../shared/contexts/orders/domain/order-summary.ts';
import { availableStock } from '../../shared/contexts/orders/use-cases/inventory.ts';
import { orderStreamIds } from '../../shared/contexts/orders/use-cases/order-history.ts';
import { CONSUMER_LOG_MESSAGES } from '../../shared/kit/consumer/runtime.ts';
import type { EventStore } from '../../shared/kit/event-store/port.ts';
import type { EventEnvelope } from '../../shared/kit/events/envelope.ts';
import type { CaseStock, Expectation, FirstInput } from './cases.ts';

type OrderRejected = Extract<Expectation, { kind: 'order-rejected' }>;
type Duplicate = Extract<Expectation, { kind: 'duplicate' }>;

/** What a check saw, for the report, and what was wrong. */
export interface Checked {
  readonly outcome: string;
  readonly reason: string;
  readonly problems: readonly string[];
}

/** Events of `type` in a stream, oldest first. */
export async function storedOfType(
  store: EventStore,
  streamId: string,
  type: string,
): Promise<EventEnvelope[]> {
  const found: EventEnvelope[] = [];
  for await (const stored of store.readAll(streamId))
    if (stored.event.type === type) found.push(stored.event);
  return found;
}

const sagaStream = (orderId: string) => orderStreamIds(orderId)[0] ?? `saga-order#${orderId}`;
const ids = (events: readonly EventEnvelope[]) => events.map((e) => e.id);

/** The order's one stored OrderPlaced must be `eventId`: a second command stored nothing of its own. */
async function placedOnce(store: EventStore, orderId: string, eventId: string): Promise<string[]> {
  const placed = ids(await storedOfType(store, sagaStream(orderId), 'OrderPlaced'));
  return placed.length === 1 && placed[0] === eventId
    ? []
    : [`stored OrderPlaced ${JSON.stringify(placed)}, expected only ${eventId}`];
}

/** The summary ends in `status`, as the customer who placed the order first. */
function summaryIs(summary: OrderSummary | undefined, status: string, customerId?: string): string[] {
  const problems: string[] = [];
  if (summary?.status !== status)
    problems.push(`order is ${summary?.status ?? 'absent'}, expected ${status}`);
  if (customerId !== undefined && summary?.customerId !== customerId)
    problems.push(`summary names customer ${summary?.customerId}, expected ${customerId}`);
  return problems;
}

/** A refused command: one OrderRejected for it in the order's stream, the order as first placed. */
export async function checkOrderRejected(
  expect: OrderRejected,
  store: EventStore,
  summary: OrderSummary | undefined,
): Promise<Checked> {
  const rejected = await storedOfType(store, sagaStream(expect.orderId), 'OrderRejected');
  const data = rejected[0]?.data as Record<string, unknown> | undefined;
  const reason = typeof data?.reason === 'string' ? data.reason : '';
  const problems = [
    ...(await placedOnce(store, expect.orderId, expect.placedEventId)),
    ...summaryIs(summary, expect.status, expect.customerId),
  ];
  if (rejected.length !== 1) problems.push(`${rejected.length} OrderRejected stored, expected 1`);
  if (data?.refusedEventId !== expect.refusedEventId)
    problems.push(`OrderRejected refuses ${String(data?.refusedEventId)}, expected ${expect.refusedEventId}`);
  if (data?.customerId !== expect.refusedCustomerId)
    problems.push(`OrderRejected names ${String(data?.customerId)}, expected ${expect.refusedCustomerId}`);
  if (!expect.reason.test(reason)) problems.push(`OrderRejected reason does not match ${expect.reason}`);
  if (!(summary?.refusals ?? []).some((r) => r.eventId === expect.refusedEventId))
    problems.push('the summary does not list the refusal');
  const outcome =
    rejected.length > 0 ? `OrderRejected stored; order ${summary?.status ?? 'absent'}` : 'no OrderRejected';
  return { outcome, reason, problems };
}

/** The same command under a new id: skipped (logged), nothing stored for it, one order. */
export async function checkDuplicate(
  expect: Duplicate,
  store: EventStore,
  summary: OrderSummary | undefined,
  loggedDuplicates: ReadonlySet<string>,
): Promise<Checked> {
  const rejected = await storedOfType(store, sagaStream(expect.orderId), 'OrderRejected');
  const logged = loggedDuplicates.has(expect.duplicateEventId);
  const problems = [
    ...(await placedOnce(store, expect.orderId, expect.placedEventId)),
    ...summaryIs(summary, expect.status),
  ];
  if (rejected.length > 0) problems.push(`${rejected.length} OrderRejected stored, expected none`);
  if (!logged) problems.push(`the saga logged no "${CONSUMER_LOG_MESSAGES.duplicate}" for it`);
  const outcome = logged
    ? `skipped as a duplicate; order ${summary?.status ?? 'absent'}`
    : 'not seen as a duplicate';
  return { outcome, reason: logged ? CONSUMER_LOG_MESSAGES.duplicate : '', problems };
}

/** Bare data: the stored OrderPlaced took the EventBridge event's id as its id and correlation id. */
export async function checkDerivedEnvelope(
  store: EventStore,
  orderId: string,
  eventBridgeId: string | undefined,
): Promise<string[]> {
  if (eventBridgeId === undefined) return ['the EventBridge event id is unknown'];
  const placed = await storedOfType(store, sagaStream(orderId), 'OrderPlaced');
  const derived = placed.length === 1 && placed[0]?.id === eventBridgeId;
  if (!derived) return [`stored OrderPlaced ${JSON.stringify(ids(placed))}, expected only ${eventBridgeId}`];
  return placed[0]?.correlationId === eventBridgeId
    ? []
    : [`stored OrderPlaced has correlation id ${placed[0]?.correlationId}, expected ${eventBridgeId}`];
}

/** What a first input led to, after the case's own input: still exactly one taken event, its order's end. */
export async function checkFirstInput(
  first: FirstInput,
  store: EventStore,
  orders: ReadonlyMap<string, OrderSummary>,
): Promise<string[]> {
  const { streamId, type } = first.taken;
  const taken = await storedOfType(store, streamId, type);
  const problems = taken.length === 1 ? [] : [`${streamId} holds ${taken.length} ${type}, expected 1`];
  if (first.order) {
    const status = orders.get(first.order.orderId)?.status;
    if (status !== first.order.status)
      problems.push(`first order is ${status ?? 'absent'}, expected ${first.order.status}`);
  }
  return problems;
}

/** The case's own SKU has exactly what must be left. */
export async function checkCaseStock(stock: CaseStock, store: EventStore): Promise<string[]> {
  const available = await availableStock(store, stock.sku);
  return available === stock.left ? [] : [`${stock.sku}: available ${available}, expected ${stock.left}`];
}

/** The log group of the Lambda function that reads `queueUrl` (found through its event source mapping). */
export async function consumerLogGroup(
  lambda: LambdaClient,
  sqs: SQSClient,
  queueUrl: string,
): Promise<string | undefined> {
  const attributes = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  const queueArn = attributes.Attributes?.QueueArn;
  for await (const page of paginateListEventSourceMappings({ client: lambda }, {})) {
    const mapping = page.EventSourceMappings?.find((m) => m.EventSourceArn === queueArn);
    if (!mapping?.FunctionArn) continue;
    const fn = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: mapping.FunctionArn }));
    return fn.LoggingConfig?.LogGroup ?? `/aws/lambda/${fn.FunctionName}`;
  }
  return undefined;
}

/**
 * The JSON log lines of `logGroup` since `since` (5 s earlier, for clock skew) that contain `marker`,
 * parsed; none while the group does not exist yet.
 */
export async function jsonLogLines(
  logs: CloudWatchLogsClient,
  logGroup: string | undefined,
  since: number,
  marker: string,
): Promise<Record<string, unknown>[]> {
  const found: Record<string, unknown>[] = [];
  if (logGroup === undefined) return found;
  let nextToken: string | undefined;
  try {
    do {
      const page = await logs.send(
        new FilterLogEventsCommand({ logGroupName: logGroup, startTime: since - 5_000, nextToken }),
      );
      for (const event of page.events ?? []) {
        const line = event.message ?? '';
        const start = line.indexOf('{');
        if (start < 0 || !line.includes(marker)) continue;
        try {
          found.push(JSON.parse(line.slice(start)) as Record<string, unknown>);
        } catch {
          // not a JSON log line
        }
      }
      nextToken = page.nextToken;
    } while (nextToken);
  } catch {
    // no log group yet
  }
  return found;
}

/** Event ids a consumer logged as skipped duplicates since `since`. */
export async function loggedDuplicates(
  logs: CloudWatchLogsClient,
  logGroup: string | undefined,
  since: number,
): Promise<Set<string>> {
  const lines = await jsonLogLines(logs, logGroup, since, CONSUMER_LOG_MESSAGES.duplicate);
  return new Set(
    lines
      .filter((l) => l.message === CONSUMER_LOG_MESSAGES.duplicate && typeof l.eventId === 'string')
      .map((l) => l.eventId as string),
  );
}

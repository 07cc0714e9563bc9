import { MAX_EVENT_BYTES } from '../../shared/kit/events/envelope.ts';
import type { PutEventsEntry } from '../../shared/kit/events/eventbridge.ts';
import { type BatchLimits, MAX_ENTRIES_PER_REQUEST, toBatches } from './batches.ts';
import {
  type DeliveryFailure,
  type PublishMessages,
  type PutEvents,
  publishMessagesOnce,
  putEventsOnce,
  type RetrySettings,
  type SendMessages,
  type SendOnce,
  sendMessagesOnce,
  sendWithRetries,
} from './senders.ts';
import { type OutboxItem, type OutboxStreamRecord, selectOutboxItems } from './stream-records.ts';

export type {
  PublishMessages,
  PutEvents,
  PutEventsResult,
  SendMessages,
  SendMessagesResult,
} from './senders.ts';

/**
 * Where stored events go. The bus gets the integration events; each consumer queue the stored events
 * its handlers take, straight from the outbox (no bus entry, no rule delivery).
 */
export interface OutboxRoutes {
  /** Types published to the bus. @default every publishable event */
  readonly bus?: ReadonlySet<string>;
  /** Per queue URL, the types sent to it. @default none */
  readonly queues?: ReadonlyMap<string, ReadonlySet<string>>;
  /** Per fan-out topic ARN, the types published to it. @default none */
  readonly topics?: ReadonlyMap<string, ReadonlySet<string>>;
  /**
   * Per fan-out topic ARN, the message attributes taken from each event's data (name → dotted path)
   * that its subscriptions filter on besides the type. @default none
   */
  readonly topicAttributes?: ReadonlyMap<string, Readonly<Record<string, string>>>;
}

/** Dependencies and settings of {@link publishStreamRecords}. */
export interface PublishDependencies extends RetrySettings {
  readonly putEvents: PutEvents;
  readonly busName: string;
  /** Needed when `routes.queues` names any queue. */
  readonly sendMessages?: SendMessages;
  /** Needed when `routes.topics` names any topic. */
  readonly publishMessages?: PublishMessages;
  readonly routes?: OutboxRoutes;
  readonly limits?: BatchLimits;
}

/** The record Lambda must retry from, and why. */
export interface OutboxFailure {
  readonly sequenceNumber: string;
  readonly reason: string;
  /** The stored item (`<pk> <sk>`) when the record itself is unreadable, so the log names it. */
  readonly item?: string;
}

/** Outcome of one invocation. */
export interface PublishOutcome {
  /** Ids of the envelopes every destination accepted, in stream order. */
  readonly published: readonly string[];
  /** Records that were not inserted commit items, events that stay in the store, events no route takes. */
  readonly skipped: number;
  /** The earliest record not published; Lambda retries the batch from it. */
  readonly failure?: OutboxFailure;
}

type Publishable = Extract<OutboxItem, { readonly entry: PutEventsEntry }>;

const BUS = 'bus';
const QUEUE = 'queue ';
const TOPIC = 'topic ';

/**
 * Delivers the events of a DynamoDB stream batch: integration events to the bus (PutEvents, ≤ 10
 * entries under the size limit per request), each event a consumer subscribes to straight to its
 * queue (SendMessageBatch, ≤ 10 messages) and each event a fan-out topic takes straight to the topic
 * (PublishBatch, ≤ 10 messages), sending only failed members again with jittered exponential
 * backoff. Destinations are served side by side, each in stream order; a destination stops at its
 * first batch still failing after `maxAttempts`. The earliest record not delivered everywhere (or an
 * unreadable item) is reported, so Lambda retries from it (bisecting, then the on-failure destination)
 * and nothing is dropped; deliveries after it may happen twice, which idempotent consumers absorb.
 */
export async function publishStreamRecords(
  records: readonly OutboxStreamRecord[],
  deps: PublishDependencies,
): Promise<PublishOutcome> {
  const selection = selectOutboxItems(records, deps.busName);
  const firstProblem = selection.items.findIndex((item) => 'problem' in item);
  const candidates = selection.items
    .slice(0, firstProblem === -1 ? selection.items.length : firstProblem)
    .filter(isPublishable);
  const destinations = routeItems(candidates, deps.routes);
  const routed = candidates.filter((item) =>
    [...destinations.values()].some((items) => items.includes(item)),
  );
  const skipped = selection.skipped + candidates.length - routed.length;
  const failures = new Map<Publishable, DeliveryFailure>();
  await Promise.all(
    [...destinations].map(async ([destination, items]) => {
      const sendOnce = senderFor(destination, deps);
      const batches = destination === BUS ? toBatches(items, deps.limits) : queueBatches(items);
      for (const [i, batch] of batches.entries()) {
        const failed = await sendWithRetries(batch, sendOnce, deps);
        for (const [item, failure] of failed) if (!failures.has(item)) failures.set(item, failure);
        if (failed.size === 0) continue;
        // Later batches of this destination wait for the retry from the failed record.
        for (const later of batches.slice(i + 1).flat()) {
          if (!failures.has(later)) failures.set(later, { reason: 'not sent', permanent: false });
        }
        return;
      }
    }),
  );
  const published = routed.filter((item) => !failures.has(item)).map((item) => item.eventId);
  const firstFailed = routed.find((item) => failures.has(item));
  if (firstFailed) {
    const reason = failures.get(firstFailed)?.reason ?? 'unknown';
    return { published, skipped, failure: { sequenceNumber: firstFailed.sequenceNumber, reason } };
  }
  const problem = selection.items[firstProblem];
  if (problem && 'problem' in problem) {
    const failure = { sequenceNumber: problem.sequenceNumber, reason: problem.problem, item: problem.item };
    return { published, skipped, failure };
  }
  return { published, skipped };
}

function isPublishable(item: OutboxItem): item is Publishable {
  return 'entry' in item;
}

/** Each destination (the bus, a queue URL or a topic ARN) with the events it takes, in stream order. */
function routeItems(items: readonly Publishable[], routes: OutboxRoutes = {}): Map<string, Publishable[]> {
  const destinations = new Map<string, Publishable[]>();
  const add = (destination: string, item: Publishable) =>
    destinations.set(destination, [...(destinations.get(destination) ?? []), item]);
  for (const item of items) {
    if (routes.bus === undefined || routes.bus.has(item.type)) add(BUS, item);
    for (const [queueUrl, types] of routes.queues ?? [])
      if (types.has(item.type)) add(QUEUE + queueUrl, item);
    for (const [topicArn, types] of routes.topics ?? [])
      if (types.has(item.type)) add(TOPIC + topicArn, item);
  }
  return destinations;
}

function senderFor(destination: string, deps: PublishDependencies): SendOnce<Publishable> {
  if (destination === BUS) return putEventsOnce(deps.putEvents);
  if (destination.startsWith(TOPIC)) {
    const topicArn = destination.slice(TOPIC.length);
    const { publishMessages } = deps;
    if (publishMessages === undefined)
      throw new Error(`outbox routes name topic ${topicArn} but no publisher`);
    return publishMessagesOnce(publishMessages, topicArn, deps.routes?.topicAttributes?.get(topicArn));
  }
  const queueUrl = destination.slice(QUEUE.length);
  const { sendMessages } = deps;
  if (sendMessages === undefined) throw new Error(`outbox routes name queue ${queueUrl} but no sender`);
  return sendMessagesOnce(sendMessages, queueUrl);
}

/** SendMessageBatch or PublishBatch requests: ≤ 10 messages whose bodies add up to ≤ 256 KB, in order. */
function queueBatches(items: readonly Publishable[]): Publishable[][] {
  const sized = items.map((item) => ({ item, entry: { Source: '', DetailType: '', Detail: item.body } }));
  return toBatches(sized, { maxEntries: MAX_ENTRIES_PER_REQUEST, maxBytes: MAX_EVENT_BYTES }).map((batch) =>
    batch.map(({ item }) => item),
  );
}

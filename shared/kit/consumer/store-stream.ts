import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import {
  EVENT_STORE_KEYS,
  type ItemImage,
  isCommitItem,
  storedEventsFromItem,
} from '../event-store/dynamodb-items.ts';
import {
  type Catalog,
  type Definitions,
  defaultEventFactoryDeps,
  type EventFactoryDeps,
} from '../events/catalog.ts';
import { markStored } from '../events/stored.ts';
import { errorFields, infoAsDebug, type LogPort } from '../observability/logger.ts';
import type { OutcomeMetrics, RecordOutcome } from '../observability/metrics.ts';
import { createHandlerContext } from './context.ts';
import { CONSUMER_LOG_MESSAGES } from './runtime.ts';
import type { AnyEventHandler, EventHandlers } from './types.ts';

/** Options of {@link createStoreStreamConsumer}; `D` is the consumer's catalog. */
export interface StoreStreamConsumerOptions<D extends Definitions = Definitions> {
  /** Names the consumer in logs. */
  readonly name: string;
  /** Parses and upcasts each stored event the consumer takes. */
  readonly catalog: Catalog<D>;
  /** The types it takes; every other event of the store (other contexts', internal ones) is passed over. */
  readonly handlers: EventHandlers<D>;
  readonly logger: LogPort;
  readonly metrics: OutcomeMetrics;
  /** Clock and ids of what handlers emit. @default wall clock, random UUIDs */
  readonly events?: EventFactoryDeps;
  /** Called before the first record of each batch (a batching handler forgets an interrupted batch). */
  readonly beforeBatch?: () => void;
  /**
   * Called once the records are through, before the answer: writes what the handlers gathered and
   * answers the carriers (the stream records' sequence numbers) whose effects could not be written.
   */
  readonly afterBatch?: () => Promise<readonly string[]>;
}

/** A Lambda handler for the event store's DynamoDB stream, with `ReportBatchItemFailures`. */
export type StoreStreamConsumer = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>;

type RecordResult = { readonly outcome: RecordOutcome | 'passed-over'; readonly failed: boolean };

/**
 * Builds the handler of a consumer that reads stored events straight from the event store's change
 * stream instead of from a queue the outbox feeds: a read model needs no message per event, no
 * receive and delete, and no check that a "stored" event is in the store, since every record is a
 * commit the store holds. Records are taken in stream order; each commit's events of the handled
 * types are parsed (upcast) by the catalog, marked stored as the outbox marks them, and handed to
 * their handler with the commit's sequence number as the carrier's id.
 *
 * The first record that fails (an item that does not parse, a handler's error, retryable or not) ends
 * the batch: it and the records after it are answered as the batch item failure, so Lambda retries
 * from there, bisects, and after the mapping's retries hands the records' coordinates to the
 * on-failure queue. Nothing is skipped silently: handlers must be idempotent (a retried commit's
 * events come again), as a read model folding by event id is.
 */
export function createStoreStreamConsumer<D extends Definitions>(
  typed: StoreStreamConsumerOptions<D>,
): StoreStreamConsumer {
  const options = typed as unknown as StoreStreamConsumerOptions;
  if (options.name.length === 0) throw new Error('createStoreStreamConsumer: name must not be empty');
  if (Object.keys(options.handlers).length === 0) {
    throw new Error('createStoreStreamConsumer: at least one handler is required');
  }
  return async (event) => {
    const startedAt = performance.now();
    options.beforeBatch?.();
    const counts = new Map<RecordResult['outcome'], number>();
    const order = event.Records.map((record) => sequenceOf(record));
    let firstFailed: string | undefined;
    for (const [index, record] of event.Records.entries()) {
      const result = await processRecord(options, record, order[index] as string);
      counts.set(result.outcome, (counts.get(result.outcome) ?? 0) + 1);
      if (result.failed) {
        firstFailed = order[index];
        break;
      }
    }
    const unwritten = new Set(await (options.afterBatch?.() ?? Promise.resolve([])));
    // Lambda resumes from the lowest sequence number answered: the earliest of the failures.
    const failedAt = order.find((sequence) => sequence === firstFailed || unwritten.has(sequence));
    for (const [outcome, n] of counts) if (outcome !== 'passed-over') options.metrics.count(outcome, n);
    options.metrics.flush();
    options.logger.info(CONSUMER_LOG_MESSAGES.batch, {
      consumer: options.name,
      records: event.Records.length,
      handled: counts.get('success') ?? 0,
      duplicates: counts.get('duplicate') ?? 0,
      passedOver: counts.get('passed-over') ?? 0,
      retried: counts.get('retry') ?? 0,
      unwritten: unwritten.size,
      durationMs: Math.round(performance.now() - startedAt),
    });
    return { batchItemFailures: failedAt === undefined ? [] : [{ itemIdentifier: failedAt }] };
  };
}

/** The record's sequence number: without one it cannot be answered, so the invocation fails (retried). */
function sequenceOf(record: DynamoDBRecord): string {
  const sequence = record.dynamodb?.SequenceNumber;
  if (sequence === undefined) throw new Error('DynamoDB stream record without SequenceNumber');
  return sequence;
}

async function processRecord(
  options: StoreStreamConsumerOptions,
  record: DynamoDBRecord,
  sequence: string,
): Promise<RecordResult> {
  const image = record.dynamodb?.NewImage as ItemImage | undefined;
  // Snapshots, idempotency records, updates and TTL deletes are not commits: nothing to take.
  if (record.eventName !== 'INSERT' || image === undefined || !isCommitItem(image)) {
    return { outcome: 'passed-over', failed: false };
  }
  let taken = 0;
  let duplicates = 0;
  try {
    for (const stored of storedEventsFromItem(image)) {
      const type = (stored.event as { type?: unknown }).type;
      const handler =
        typeof type === 'string' ? (options.handlers[type] as AnyEventHandler | undefined) : undefined;
      if (handler === undefined) continue;
      const marked = markStored(stored.event, stored.streamId, stored.streamVersion);
      const parsed = options.catalog.parse(marked, { pathPrefix: `events.${stored.streamVersion}` });
      const factory = options.events ?? defaultEventFactoryDeps;
      const context = createHandlerContext({
        consumer: options.name,
        record: { messageId: sequence },
        event: parsed,
        // What a handler says at INFO about one event is per-record detail: DEBUG (the batch line counts it).
        logger: infoAsDebug(options.logger),
        factory,
        catalog: options.catalog,
      });
      taken += 1;
      if ((await handler(parsed, context)) === 'duplicate') duplicates += 1;
    }
  } catch (error) {
    options.logger.warn(CONSUMER_LOG_MESSAGES.retry, {
      consumer: options.name,
      sequenceNumber: sequence,
      item: `${image[EVENT_STORE_KEYS.partitionKey]?.S ?? '?'} ${image[EVENT_STORE_KEYS.sortKey]?.S ?? '?'}`,
      ...errorFields(error),
    });
    return { outcome: 'retry', failed: true };
  }
  if (taken === 0) return { outcome: 'passed-over', failed: false };
  return { outcome: duplicates === taken ? 'duplicate' : 'success', failed: false };
}

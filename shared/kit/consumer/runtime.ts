import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { isRetryable, ValidationError } from '../errors/pipeline-error.ts';
import {
  type Catalog,
  type Definitions,
  defaultEventFactoryDeps,
  type EventFactoryDeps,
  type TypeOf,
} from '../events/catalog.ts';
import type { EventEnvelope } from '../events/envelope.ts';
import { type StoredEventCheck, storedPositionOf } from '../events/stored.ts';
import type { InputClaims } from '../idempotency/input-claims.ts';
import type { IdempotencyStore } from '../idempotency/port.ts';
import { runOnce } from '../idempotency/run-once.ts';
import { errorFields, infoAsDebug, type LogPort } from '../observability/logger.ts';
import type { OutcomeMetrics, RecordOutcome } from '../observability/metrics.ts';
import { protectEvent } from '../personal-data/protect.ts';
import type { SubjectKeys } from '../personal-data/subject-keys.ts';
import { parseSqsBody } from './body.ts';
import { createHandlerContext, recordLogKeys } from './context.ts';
import { sendToDeadLetter } from './dead-letter.ts';
import { EventIdReusedError, NotStoredError, UnhandledEventTypeError } from './errors.ts';
import { handleInput } from './handle-input.ts';
import { type BackoffPolicy, delayRetry } from './sqs-retry.ts';
import type { AnyEventHandler, EventHandlers, Handled, SqsPort } from './types.ts';

/**
 * Messages of the runtime's log lines. Outside readers (the fault campaign counts injected faults and
 * handled records in the logs, the bad-input suite looks for duplicates) match on these, so they live
 * in one place. Levels: one INFO line per batch (`batch`, its outcome counts); a record that went well
 * (`handled`, `duplicate`, and whatever its handler logs at INFO) only at DEBUG; a record that failed
 * at WARN (`retry`) or ERROR (sent to the DLQ).
 */
export const CONSUMER_LOG_MESSAGES = {
  batch: 'batch processed',
  handled: 'event handled',
  duplicate: 'duplicate event skipped',
  retry: 'record failed, will be retried',
} as const;

/** The batch handler {@link createSqsConsumer} builds, before any harness wraps it. */
export type BatchHandler = (batch: SQSEvent) => Promise<SQSBatchResponse>;

/** What a harness learns of the consumer it wraps. */
export interface HarnessScope {
  readonly name: string;
  readonly logger: LogPort;
}

/**
 * The seam a harness plugs into (dev builds' fault injection, shared/harness/faults.ts). It lives
 * outside the runtime so that prod bundles, built without any harness, carry none of its code.
 */
export interface ConsumerHarness {
  /**
   * Called with each record once its message is parsed, before its handler, inside the record's error
   * handling: what it throws fails the record as a handler's error would (retried when retryable).
   */
  readonly beforeRecord?: (record: SQSRecord, consumer: HarnessScope) => void;
  /** Wraps the batch handler, e.g. to stop an invocation midway. */
  readonly aroundBatch?: (handle: BatchHandler, consumer: HarnessScope) => BatchHandler;
}

/** Clients and settings of a consumer; the wiring file builds the production ones once per cold start. */
export interface ConsumerDeps {
  readonly sqs: SqsPort;
  /** The queue the records come from: failed records get their visibility changed here. */
  readonly queueUrl: string;
  /** That queue's DLQ: non-retryable records are sent here at once. */
  readonly dlqUrl: string;
  readonly logger: LogPort;
  readonly metrics: OutcomeMetrics;
  /** Clock and id generator of emitted events. @default wall clock, random UUIDs */
  readonly events?: EventFactoryDeps;
  /** Jitter source of the retry backoff. @default Math.random */
  readonly random?: () => number;
  /** @default 2 s base, 900 s cap */
  readonly backoff?: BackoffPolicy;
  /** Put around the runtime by dev builds (fault injection); see {@link ConsumerHarness}. @default none */
  readonly harness?: ConsumerHarness;
  /**
   * Checks a stored mark against the event store before the consumer acts on a marked event (with
   * `intake` set). @default none: the mark is trusted (tests, tools)
   */
  readonly storedCheck?: StoredEventCheck;
  /**
   * Claims the id of each event taken first-hand (an `intake` type without the stored mark) for its
   * content, so an id a producer reuses with other content is refused even when it names another
   * stream (another order). @default none: ids are recognised only in the stream the handler writes
   */
  readonly inputClaims?: InputClaims;
  /**
   * The first-hand types whose ids are claimed: events that producers send. A consumer's own messages
   * (the saga's step timers, whose ids it makes itself) need no claim. @default every `intake` type
   */
  readonly claimedTypes?: readonly string[];
  /**
   * Keys of the data subjects: an event taken first-hand (no stored mark) has its clear personal
   * fields encrypted before anything hashes, claims, stores or dead-letters it. @default none: events
   * are handled as they arrived (consumers that take no personal data first-hand)
   */
  readonly subjectKeys?: SubjectKeys;
}

/** Options of {@link createSqsConsumer}; `D` is the consumer's catalog. */
export interface SqsConsumerOptions<D extends Definitions = Definitions> extends ConsumerDeps {
  /** Names the consumer in logs and prefixes its idempotency keys (`<name>#<event id>`). */
  readonly name: string;
  /**
   * What the consumer reads and emits: every message is validated and upcast by it, and events of
   * other types are refused with the catalog's names. A context's own catalog, with the foreign
   * integration events it consumes.
   */
  readonly catalog: Catalog<D>;
  readonly handlers: EventHandlers<D>;
  /**
   * Run each record at most once per event id through this store: for consumers whose effect is
   * outside the event store. Store-appending consumers pass `context.idempotencyKey` to the append.
   */
  readonly idempotency?: IdempotencyStore;
  /**
   * The event types this consumer takes first-hand, before they are stored: it is their intake (their
   * one writer), e.g. the saga for `OrderPlaced`. When given, every other event must carry the outbox's
   * stored mark (`metadata.storedStream`), otherwise it is refused to the DLQ (`NOT_STORED`): consumers react
   * to what the event store accepted, never to what merely arrived. Omitted: no check (tests, tools).
   */
  readonly intake?: readonly TypeOf<D>[];
}

/** A Lambda handler for an SQS event source with `ReportBatchItemFailures`. */
export interface SqsConsumer {
  (event: SQSEvent): Promise<SQSBatchResponse>;
  readonly consumerName: string;
  /** The event types it handles: what its rule pattern / SNS filter policy must select. */
  readonly eventTypes: readonly string[];
}

/**
 * Builds the batch handler every SQS-fed Lambda uses. For each record, on its own:
 * parse (EventBridge event, bare envelope or either inside an SNS notification; validated and upcast by
 * the catalog) → handler →
 * - success or duplicate: the record is deleted (not in `batchItemFailures`);
 * - retryable error: reported as a batch item failure, visibility set to a jittered exponential
 *   backoff; after maxReceiveCount the queue's redrive policy moves it to the DLQ;
 * - non-retryable error (invalid message, unknown type, business rule): sent to the DLQ at once with
 *   the reason as message attributes and counted as handled; if that send fails, retried instead.
 * Records of a FIFO message group after a failed one are not processed (order within a group holds).
 */
export function createSqsConsumer<D extends Definitions>(typed: SqsConsumerOptions<D>): SqsConsumer {
  // Handlers are typed per catalog where they are written; from here on events are checked by value.
  const options = typed as unknown as SqsConsumerOptions;
  const eventTypes = Object.keys(options.handlers);
  if (options.name.length === 0) throw new ValidationError('must not be empty', 'name');
  if (eventTypes.length === 0) throw new ValidationError('at least one handler is required', 'handlers');
  const handle: BatchHandler = async (batch) => {
    const startedAt = performance.now();
    const outcomes = new Map<RecordOutcome, number>();
    const failures: SQSBatchResponse['batchItemFailures'] = [];
    const blockedGroups = new Set<string>();
    for (const record of batch.Records) {
      const group = record.attributes?.MessageGroupId;
      const blocked = group !== undefined && blockedGroups.has(group);
      const outcome = blocked ? 'retry' : await processRecord(options, record, eventTypes);
      options.metrics.count(outcome, 1);
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      if (outcome !== 'retry') continue;
      failures.push({ itemIdentifier: record.messageId });
      if (group !== undefined) blockedGroups.add(group);
    }
    logBatch(options, batch.Records.length, outcomes, performance.now() - startedAt);
    options.metrics.flush();
    return { batchItemFailures: failures };
  };
  const consumer = options.harness?.aroundBatch?.(handle, options) ?? handle;
  return Object.assign(consumer, { consumerName: options.name, eventTypes });
}

/**
 * The batch's one INFO line: how many records, and what became of them (counts that add up to
 * `records`): `refused` were dead-lettered for reusing an event id with other content (`id-reused`),
 * `deadLettered` are the other records sent to the DLQ at once.
 */
function logBatch(
  options: SqsConsumerOptions,
  records: number,
  outcomes: ReadonlyMap<RecordOutcome, number>,
  durationMs: number,
): void {
  const count = (outcome: RecordOutcome) => outcomes.get(outcome) ?? 0;
  options.logger.info(CONSUMER_LOG_MESSAGES.batch, {
    consumer: options.name,
    records,
    handled: count('success'),
    duplicates: count('duplicate'),
    refused: count('id-reused'),
    retried: count('retry'),
    deadLettered: count('dead-lettered'),
    durationMs: Math.round(durationMs),
  });
}

async function processRecord(
  options: SqsConsumerOptions,
  record: SQSRecord,
  eventTypes: readonly string[],
): Promise<RecordOutcome> {
  let event: EventEnvelope | undefined;
  try {
    event = parseSqsBody(options.catalog, record.body);
    if (options.subjectKeys !== undefined && storedPositionOf(event) === undefined) {
      event = await protectEvent(options.catalog, event, options.subjectKeys);
    }
    options.harness?.beforeRecord?.(record, options);
    const handled = await handleEvent(options, record, event, eventTypes);
    const keys = recordLogKeys(options.name, record, event);
    options.logger.debug(
      handled === 'duplicate' ? CONSUMER_LOG_MESSAGES.duplicate : CONSUMER_LOG_MESSAGES.handled,
      keys,
    );
    return handled === 'duplicate' ? 'duplicate' : 'success';
  } catch (error) {
    if (isRetryable(error)) return retryLater(options, record, error, event);
    const outcome = await deadLetter(options, record, error, event);
    return outcome === 'dead-lettered' && error instanceof EventIdReusedError ? 'id-reused' : outcome;
  }
}

async function handleEvent(
  options: SqsConsumerOptions,
  record: SQSRecord,
  event: EventEnvelope,
  eventTypes: readonly string[],
): Promise<Handled> {
  const handler = options.handlers[event.type] as AnyEventHandler | undefined;
  const { intake } = options;
  if (intake !== undefined && !intake.includes(event.type)) await assertStored(options, event, intake);
  if (handler === undefined) throw new UnhandledEventTypeError(options.name, event.type, eventTypes);
  const factory = options.events ?? defaultEventFactoryDeps;
  const { name: consumer } = options;
  // What a handler says at INFO about one record is per-record detail: DEBUG (the batch line counts it).
  const logger = infoAsDebug(options.logger);
  const context = createHandlerContext({
    consumer,
    record,
    event,
    logger,
    factory,
    catalog: options.catalog,
  });
  const run = (): Promise<Handled> =>
    handleInput({
      handler,
      context,
      inputClaims: options.inputClaims,
      claimedTypes: options.claimedTypes ?? options.intake ?? [],
      now: factory.now(),
    });
  if (options.idempotency === undefined) return run();
  const once = await runOnce(options.idempotency, context.idempotencyKey, run, { clock: factory.now });
  return once.replayed ? 'duplicate' : once.result;
}

/** Refuses an event without the stored mark, or whose mark the event store does not confirm. */
async function assertStored(
  options: SqsConsumerOptions,
  event: EventEnvelope,
  intake: readonly string[],
): Promise<void> {
  const position = storedPositionOf(event);
  if (position === undefined) throw new NotStoredError(options.name, event.type, intake);
  if (options.storedCheck === undefined || (await options.storedCheck(position, event))) return;
  throw new NotStoredError(options.name, event.type, intake, position);
}

async function retryLater(
  options: SqsConsumerOptions,
  record: SQSRecord,
  error: unknown,
  event: EventEnvelope | undefined,
): Promise<'retry'> {
  const retryInSeconds = await delayRetry(
    options.sqs,
    options.queueUrl,
    record,
    options.backoff,
    options.random,
  );
  options.logger.warn(CONSUMER_LOG_MESSAGES.retry, {
    ...recordLogKeys(options.name, record, event),
    ...errorFields(error),
    retryInSeconds,
  });
  return 'retry';
}

async function deadLetter(
  options: SqsConsumerOptions,
  record: SQSRecord,
  error: unknown,
  event: EventEnvelope | undefined,
): Promise<'dead-lettered' | 'retry'> {
  const keys = recordLogKeys(options.name, record, event);
  const failedAt = (options.events ?? defaultEventFactoryDeps).now();
  try {
    const target = { dlqUrl: options.dlqUrl, failedAt, sourceQueue: options.queueUrl };
    const reason = await sendToDeadLetter(options.sqs, record, error, target);
    // `message` is a key Powertools reserves (it would drop the reason): the text goes as `reason`.
    options.logger.error('record sent to the DLQ', {
      ...keys,
      code: reason.code,
      reason: reason.message,
      path: reason.path,
    });
    return 'dead-lettered';
  } catch (sendError) {
    options.logger.error('could not send to the DLQ, record will be retried', {
      ...keys,
      ...errorFields(error),
      dlqError: errorFields(sendError),
    });
    return retryLater(options, record, error, event);
  }
}

import type { SQSRecord } from 'aws-lambda';
import { ValidationError } from '../errors/pipeline-error.ts';
import { type Catalog, causedBy, type Definitions, type EventFactoryDeps } from '../events/catalog.ts';
import { contentHashOf } from '../events/content-hash.ts';
import type { EventEnvelope } from '../events/envelope.ts';
import { createInternalEvent } from '../events/internal.ts';
import { type LogPort, withKeys } from '../observability/logger.ts';
import { CAUSE_HASH_METADATA_KEY, causeHashOf } from './reuse.ts';
import type { HandlerContext } from './types.ts';

/**
 * What carried the input: an SQS record, or any other carrier with an id (an HTTP request's), which
 * counts as a first delivery.
 */
export type InputCarrier = Pick<SQSRecord, 'messageId'> & {
  readonly attributes?: Partial<SQSRecord['attributes']>;
};

/** Inputs of {@link createHandlerContext}. */
export interface ContextInput<D extends Definitions = Definitions> {
  readonly consumer: string;
  readonly record: InputCarrier;
  readonly event: EventEnvelope;
  readonly logger: LogPort;
  readonly factory: EventFactoryDeps;
  /** Builds (and validates) what the handler emits. */
  readonly catalog: Catalog<D>;
}

/** The idempotency key of one event in one consumer: `<consumer>#<event id>`. */
export function idempotencyKeyOf(consumer: string, eventId: string): string {
  return `${consumer}#${eventId}`;
}

/** SQS's ApproximateReceiveCount as a number (1 when absent or garbled). */
export function receiveCountOf(record: Pick<InputCarrier, 'attributes'>): number {
  const count = Number(record.attributes?.ApproximateReceiveCount ?? '1');
  return Number.isInteger(count) && count > 0 ? count : 1;
}

/** Log keys that tie every line of a record together. */
export function recordLogKeys(
  consumer: string,
  record: InputCarrier,
  event?: EventEnvelope,
): Record<string, unknown> {
  return {
    consumer,
    messageId: record.messageId,
    receiveCount: receiveCountOf(record),
    ...(event === undefined
      ? {}
      : { eventId: event.id, eventType: event.type, correlationId: event.correlationId }),
  };
}

/** Builds the {@link HandlerContext} of one record. */
export function createHandlerContext<D extends Definitions>(input: ContextInput<D>): HandlerContext<D> {
  const { consumer, record, event, factory } = input;
  // Emitted types are checked by value (`create` refuses a type the catalog lacks); `D` types the callers.
  const catalog = input.catalog as unknown as Catalog;
  const inputFingerprint = inputFingerprintOf(event);
  // Each emitted fact names the content of its cause, so a later input with the same id and other
  // content is told apart even where the domain answers "already decided" (see `refuseReusedId`).
  const metadata = { [CAUSE_HASH_METADATA_KEY]: causeHashOf(inputFingerprint) };
  const emit = <T extends string>(type: T, data: unknown) =>
    catalog.create(type, data, { ...causedBy(event), metadata }, factory);
  const context: HandlerContext = {
    consumer,
    inputId: event.id,
    input: event,
    messageId: record.messageId,
    receiveCount: receiveCountOf(record),
    idempotencyKey: idempotencyKeyOf(consumer, event.id),
    inputFingerprint,
    logger: withKeys(input.logger, recordLogKeys(consumer, record, event)),
    now: factory.now,
    emit,
    emitFact: (fact) => emit(fact.type, fact.data),
    emitInternal: (fact, source) =>
      createInternalEvent(catalog, fact.type, fact.data, { ...causedBy(event), source }, factory),
  };
  return context as unknown as HandlerContext<D>;
}

/** The content hash of an input; data too deeply nested to hash is refused like one too deep to parse. */
export function inputFingerprintOf(event: EventEnvelope): string {
  try {
    return contentHashOf(event);
  } catch (cause) {
    throw new ValidationError('event cannot be hashed (nested too deeply)', 'detail', cause);
  }
}

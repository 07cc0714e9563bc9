import type { ChangeMessageVisibilityCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { DataInputOf, Definitions, EnvelopeOf, FactOf, TypeOf } from '../events/catalog.ts';
import type { EventEnvelope } from '../events/envelope.ts';
import type { InternalFact } from '../events/facts.ts';
import type { LogPort } from '../observability/logger.ts';

/** The two SQS calls the runtime makes; `SQSClient` satisfies it, tests pass a recording fake. */
export interface SqsPort {
  send(command: SendMessageCommand | ChangeMessageVisibilityCommand): Promise<unknown>;
}

export type { InternalFact };

/**
 * What a handler gets besides the event: ids for idempotent writes, a clock, a logger that already
 * carries the record's correlation id, and factories for the events it emits. Emitted events are
 * caused by the event being handled: same `correlationId`, `causationId` = its id. `D` is the
 * consumer's catalog (its definitions), which types what it may emit.
 */
export interface HandlerContext<D extends Definitions = Definitions> {
  /** Name of the consumer, e.g. `inventory`; prefixes idempotency keys. */
  readonly consumer: string;
  readonly messageId: string;
  /** Id of the event being handled. */
  readonly inputId: string;
  /** The event being handled, as parsed (what an intake stores as it arrived). */
  readonly input: EventEnvelope;
  /** SQS ApproximateReceiveCount: 1 on the first delivery. */
  readonly receiveCount: number;
  /**
   * `<consumer>#<event id>`: pass it as the event-store append's `idempotencyKey`, so the state
   * change and "this event was handled" are one atomic write.
   */
  readonly idempotencyKey: string;
  /**
   * Content hash of the event (type, version, data; see `contentHashOf`): pass it as the append's
   * `idempotencyFingerprint` with {@link idempotencyKey}, so a redelivery is a duplicate and the same
   * id with other content is refused (`EVENT_ID_REUSED`).
   */
  readonly inputFingerprint: string;
  readonly logger: LogPort;
  now(): Date;
  /** A catalog event caused by the event being handled (validated, see `createEvent`). */
  emit<T extends TypeOf<D>>(type: T, data: DataInputOf<D, T>): EnvelopeOf<D, T>;
  /** {@link emit} for a pure decision's output. */
  emitFact(fact: FactOf<D>): EventEnvelope;
  /** An internal (never published) event caused by the event being handled. */
  emitInternal(fact: InternalFact, source: string): EventEnvelope;
}

/**
 * What a handler reports: `duplicate` when the event had already been handled (nothing was done);
 * returning nothing means it was handled now.
 */
export type Handled = 'handled' | 'duplicate';

/** Handles one event type; throw to fail the record (the error decides retry vs dead-letter). */
export type EventHandler<D extends Definitions, T extends TypeOf<D>> = (
  event: EnvelopeOf<D, T>,
  context: HandlerContext<D>,
) => Promise<Handled | undefined>;

/** Handlers by event type of catalog `D`. The keys are also what the consumer's queue subscribes to. */
export type EventHandlers<D extends Definitions = Definitions> = {
  readonly [T in TypeOf<D>]?: EventHandler<D, T>;
};

/** A handler that accepts any event; the runtime calls handlers through this type. */
export type AnyEventHandler = (event: EventEnvelope, context: HandlerContext) => Promise<Handled | undefined>;

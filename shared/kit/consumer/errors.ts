import { PipelineError } from '../errors/pipeline-error.ts';

/**
 * A catalog event reached a consumer that has no handler for it: a routing mistake (rule pattern or
 * SNS filter out of step with the handler map). Not retryable: it would arrive at the same handler map.
 */
export class UnhandledEventTypeError extends PipelineError<'UNHANDLED_EVENT_TYPE'> {
  readonly path = 'detail.type';

  constructor(consumer: string, type: string, handled: readonly string[]) {
    super(
      'UNHANDLED_EVENT_TYPE',
      `consumer ${consumer} has no handler for ${type}; it handles ${handled.join(', ')}`,
      { retryable: false },
    );
  }
}

/**
 * An event id this consumer handled before came back with other content (type, version or data).
 * Not a duplicate (skipping it would lose the second content without a trace) and not a new event
 * (acting on it would act twice on one id): refused to the DLQ with both content hashes, so the
 * producer's owner can see which two payloads share the id. Not retryable.
 */
export class EventIdReusedError extends PipelineError<'EVENT_ID_REUSED'> {
  readonly path = 'detail.id';
  readonly eventId: string;
  readonly storedHash: string;
  readonly hash: string;

  constructor(consumer: string, eventId: string, storedHash: string, hash: string) {
    super(
      'EVENT_ID_REUSED',
      `event id ${eventId} was handled by ${consumer} before with other content ` +
        `(${storedHash}); this message has ${hash}: ` +
        'a producer reused the id; give each distinct event its own id',
      { retryable: false },
    );
    this.eventId = eventId;
    this.storedHash = storedHash;
    this.hash = hash;
  }
}

/**
 * An event reached a consumer without having been stored: it came from a producer (or a hand-sent
 * message) rather than from the outbox. Consumers react only to what the event store accepted; only
 * the intake of a type (its one writer) takes it first-hand. Not retryable.
 */
export class NotStoredError extends PipelineError<'NOT_STORED'> {
  readonly path = 'detail.metadata.storedStream';

  constructor(
    consumer: string,
    type: string,
    intake: readonly string[],
    claimed?: { readonly streamId: string; readonly version: number },
  ) {
    const accepted =
      intake.length === 0 ? 'it takes nothing first-hand' : `it takes first-hand only ${intake.join(', ')}`;
    const how =
      claimed === undefined
        ? 'arrived without passing through the event store'
        : `claims to be stored at ${claimed.streamId} version ${claimed.version}, but the event store holds no such event there`;
    super(
      'NOT_STORED',
      `${type} ${how}; consumer ${consumer} reacts only to stored events, published by the outbox (${accepted})`,
      { retryable: false },
    );
  }
}

import type { EventEnvelope } from '../events/envelope.ts';

/**
 * Turns an event as it was stored into the shape current code expects (e.g. `OrderPlaced` v1 → v2).
 * Applied to every event on the read path, never on append; the identity function when none is given.
 */
export type Upcaster = (event: EventEnvelope) => EventEnvelope;

/** An event as the store holds it: the envelope plus its position in the stream. */
export interface StoredEvent {
  readonly streamId: string;
  /** 1-based position in the stream; contiguous, without gaps. */
  readonly streamVersion: number;
  /** ISO-8601 instant the store accepted the event (from the store's clock, not the producer's). */
  readonly recordedAt: string;
  readonly event: EventEnvelope;
}

/**
 * One stream's part of an append.
 *
 * `expectedVersion` is the stream version the caller decided on: the number of events it has seen.
 * `0` means "this stream must not exist yet"; there is no "any version" wildcard on purpose,
 * every write states what it was decided against.
 */
export interface StreamAppend {
  readonly streamId: string;
  readonly events: readonly EventEnvelope[];
  readonly expectedVersion: number;
}

/** Options shared by `append` and `appendMany`. */
export interface AppendOptions {
  /**
   * Makes the append safe to repeat: a second append with the same key writes nothing and returns the
   * first result. Keys are global to the store, so namespace them (e.g. `reserve-stock#<messageId>`).
   * Reusing a key for a different append throws {@link DuplicateError}.
   */
  readonly idempotencyKey?: string;
  /**
   * What the key stands for, compared when the key is used again: equal → the first result comes back;
   * different → {@link DuplicateError}. Consumers pass the content hash of the input they handle, so a
   * redelivery that decided differently (a later clock, a reloaded stream) is still recognised as the
   * same input, and an input id reused with other content is told apart from a duplicate.
   * @default a fingerprint of the append itself (streams, event types, versions and data)
   */
  readonly idempotencyFingerprint?: string;
}

/** Options of a single-stream `append`. */
export interface SingleAppendOptions extends AppendOptions {
  /** See {@link StreamAppend.expectedVersion}: `0` for a new stream. */
  readonly expectedVersion: number;
}

/** What one stream received from an append. */
export interface AppendResult {
  readonly streamId: string;
  /** Version of the first event written. */
  readonly fromVersion: number;
  /** Version of the last event written: the stream's new version. */
  readonly toVersion: number;
  readonly events: readonly StoredEvent[];
}

/** Options of a forward read. */
export interface ReadOptions {
  /** First stream version to return (inclusive). @default 1 */
  readonly fromVersion?: number;
  /**
   * Most events in one page. A page can hold fewer: stores also cut pages by size (DynamoDB at 1 MB).
   * @default 100
   */
  readonly limit?: number;
  /** `nextCursor` of the previous page; takes precedence over `fromVersion`. */
  readonly cursor?: string;
}

/** One page of a forward read. */
export interface ReadPage {
  readonly events: readonly StoredEvent[];
  /** Present when more events may follow; the page it leads to can be empty. */
  readonly nextCursor?: string;
}

/** A saved aggregate state and the stream version it reflects. */
export interface Snapshot<State = unknown> {
  readonly streamId: string;
  readonly version: number;
  readonly state: State;
  readonly savedAt: string;
}

/**
 * Port of the event store: append-only streams with optimistic concurrency, idempotent appends,
 * paged forward reads (upcast on the way out) and snapshots.
 *
 * Errors: {@link ConcurrencyError} when an `expectedVersion` is stale, {@link DuplicateError} when an
 * idempotency key is reused for a different append, `ValidationError` for a request no store accepts.
 */
export interface EventStore {
  /** Appends events to one stream at `expectedVersion + 1 …`, all or nothing. */
  append(
    streamId: string,
    events: readonly EventEnvelope[],
    options: SingleAppendOptions,
  ): Promise<AppendResult>;

  /** Appends to several streams in one atomic write; results come back in request order. */
  appendMany(appends: readonly StreamAppend[], options?: AppendOptions): Promise<AppendResult[]>;

  /** Reads one page forward. A stream that does not exist reads as empty. */
  read(streamId: string, options?: ReadOptions): Promise<ReadPage>;

  /** Every event from `fromVersion` (default 1) on, walking all pages. */
  readAll(streamId: string, fromVersion?: number): AsyncIterable<StoredEvent>;

  /** Saves `state` as of stream `version`. State must survive a JSON round trip. */
  saveSnapshot<State>(streamId: string, version: number, state: State): Promise<void>;

  /** The snapshot with the highest version, or `undefined`. */
  loadSnapshot<State = unknown>(streamId: string): Promise<Snapshot<State> | undefined>;
}

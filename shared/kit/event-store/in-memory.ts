import type { EventEnvelope } from '../events/envelope.ts';
import {
  appendFingerprint,
  type CommitInput,
  type CommitRange,
  encodeCursor,
  jsonCopy,
  readEveryPage,
  recogniseInput,
  resolveRead,
  type ValidAppend,
  validateAppends,
  validateSnapshotVersion,
  validateStreamId,
} from './core.ts';
import { ConcurrencyError } from './errors.ts';
import type {
  AppendOptions,
  AppendResult,
  EventStore,
  ReadOptions,
  ReadPage,
  SingleAppendOptions,
  Snapshot,
  StoredEvent,
  StreamAppend,
  Upcaster,
} from './port.ts';

/** Dependencies and limits of {@link InMemoryEventStore}; all optional. */
export interface InMemoryEventStoreOptions {
  /** Applied to every event read. @default identity */
  readonly upcast?: Upcaster;
  /** Source of `recordedAt` and `savedAt`. @default () => new Date() */
  readonly clock?: () => Date;
  /**
   * Pages are cut at this many bytes of serialized events, like DynamoDB's 1 MB query pages, so paging
   * code is exercised in unit tests too.
   * @default 1048576
   */
  readonly pageSizeBytes?: number;
}

/**
 * Event store held in process memory, with the same semantics as the DynamoDB adapter: contiguous
 * versions, optimistic concurrency, idempotent appends recognised from the stream's commits (the same
 * rule, {@link recogniseInput}), JSON round trips on the way in and out.
 * For unit tests and local tools; nothing survives the process.
 */
export class InMemoryEventStore implements EventStore {
  private readonly streams = new Map<string, StoredEvent[]>();
  private readonly snapshots = new Map<string, Snapshot>();
  /** Each stream's commits (one per append), with the input that wrote it. */
  private readonly commits = new Map<string, CommitRange[]>();
  private readonly upcast: Upcaster;
  private readonly clock: () => Date;
  private readonly pageSizeBytes: number;

  constructor(options: InMemoryEventStoreOptions = {}) {
    this.upcast = options.upcast ?? ((event) => event);
    this.clock = options.clock ?? (() => new Date());
    this.pageSizeBytes = options.pageSizeBytes ?? 1024 * 1024;
  }

  async append(
    streamId: string,
    events: readonly EventEnvelope[],
    options: SingleAppendOptions,
  ): Promise<AppendResult> {
    const { expectedVersion, ...rest } = options;
    const results = await this.appendMany([{ streamId, events, expectedVersion }], rest);
    return results[0] as AppendResult;
  }

  // No await between the checks and the writes: the whole append happens in one turn of the event loop,
  // which is what makes it atomic here.
  async appendMany(appends: readonly StreamAppend[], options: AppendOptions = {}): Promise<AppendResult[]> {
    const { idempotencyKey } = options;
    const valid = validateAppends(appends, idempotencyKey);
    const fingerprint = options.idempotencyFingerprint ?? appendFingerprint(valid);
    const input = idempotencyKey === undefined ? undefined : { key: idempotencyKey, fingerprint };
    if (input !== undefined) {
      const earlier = this.recognised(valid, input);
      if (earlier) return earlier;
    }
    for (const append of valid) {
      const actual = this.streams.get(append.streamId)?.length ?? 0;
      if (actual !== append.expectedVersion) {
        throw new ConcurrencyError(append.streamId, append.expectedVersion, actual);
      }
    }
    const now = this.clock().toISOString();
    return jsonCopy(valid.map((append) => this.write(append, now, input)));
  }

  async read(streamId: string, options: ReadOptions = {}): Promise<ReadPage> {
    const { from, limit } = resolveRead(streamId, options);
    const stream = this.streams.get(streamId) ?? [];
    const events: StoredEvent[] = [];
    let bytes = 0;
    for (const stored of stream.slice(from - 1, from - 1 + limit)) {
      bytes += Buffer.byteLength(JSON.stringify(stored));
      if (events.length > 0 && bytes > this.pageSizeBytes) break;
      events.push(stored);
    }
    const upcast = events.map((stored) => ({
      ...jsonCopy(stored),
      event: this.upcast(jsonCopy(stored.event)),
    }));
    const next = from + events.length;
    return next <= stream.length
      ? { events: upcast, nextCursor: encodeCursor(streamId, next) }
      : { events: upcast };
  }

  readAll(streamId: string, fromVersion = 1): AsyncIterable<StoredEvent> {
    return readEveryPage((options) => this.read(streamId, options), fromVersion);
  }

  async saveSnapshot<State>(streamId: string, version: number, state: State): Promise<void> {
    validateSnapshotVersion(streamId, version);
    const current = this.snapshots.get(streamId);
    if (current && current.version > version) return;
    const savedAt = this.clock().toISOString();
    this.snapshots.set(streamId, { streamId, version, state: jsonCopy(state), savedAt });
  }

  async loadSnapshot<State = unknown>(streamId: string): Promise<Snapshot<State> | undefined> {
    validateStreamId(streamId);
    const snapshot = this.snapshots.get(streamId);
    return snapshot && (jsonCopy(snapshot) as Snapshot<State>);
  }

  private write(append: ValidAppend, recordedAt: string, input: CommitInput | undefined): AppendResult {
    const stream = this.streams.get(append.streamId) ?? [];
    const stored = append.events.map((event, i) => ({
      streamId: append.streamId,
      streamVersion: append.expectedVersion + i + 1,
      recordedAt,
      event: jsonCopy(event),
    }));
    stream.push(...stored);
    this.streams.set(append.streamId, stream);
    const range = {
      fromVersion: append.expectedVersion + 1,
      toVersion: append.expectedVersion + stored.length,
    };
    this.commits.set(append.streamId, [
      ...(this.commits.get(append.streamId) ?? []),
      { ...range, ...(input === undefined ? {} : { input }) },
    ]);
    return { streamId: append.streamId, ...range, events: stored };
  }

  /**
   * The first append's results when one of its streams holds a commit of this input where a repeat
   * can meet it ({@link recogniseInput}); throws when the key was used for another input.
   */
  private recognised(appends: readonly ValidAppend[], input: CommitInput): AppendResult[] | undefined {
    const found = appends.some((append) =>
      recogniseInput(this.commits.get(append.streamId) ?? [], append.expectedVersion, input),
    );
    if (!found) return undefined;
    return appends.flatMap((append) => {
      const commit = (this.commits.get(append.streamId) ?? []).findLast((c) => c.input?.key === input.key);
      if (commit === undefined) return [];
      const { fromVersion, toVersion } = commit;
      const events = (this.streams.get(append.streamId) ?? []).slice(fromVersion - 1, toVersion);
      return [{ streamId: append.streamId, fromVersion, toVersion, events: jsonCopy(events) }];
    });
  }
}

import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  PutItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import type { EventEnvelope } from '../events/envelope.ts';
import {
  appendFingerprint,
  type CommitInput,
  encodeCursor,
  jsonCopy,
  MAX_APPEND_EVENTS,
  readEveryPage,
  recogniseInput,
  resolveRead,
  type ValidAppend,
  validateAppends,
  validateSnapshotVersion,
  validateStreamId,
} from './core.ts';
import { classifyCancellation } from './dynamodb-cancellation.ts';
import { correlationKeyOf } from './dynamodb-indexes.ts';
import {
  type CommitInfo,
  commitInfoOf,
  commitItems,
  EVENT_STORE_KEYS,
  EVENT_STORE_PREFIXES,
  type ItemImage,
  numberAttr,
  snapshotItem,
  storedEventsFromItem,
  stringAttr,
} from './dynamodb-items.ts';
import { KnownCommits } from './dynamodb-known-commits.ts';
import {
  commitAtOrBefore,
  commitsBetween,
  headVersion,
  latestItem,
  queryCommits,
  type TableRef,
} from './dynamodb-queries.ts';
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

/** Dependencies of {@link DynamoDbEventStore}; `client` and `tableName` are required. */
export interface DynamoDbEventStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** Source of `recordedAt` and `savedAt`. @default () => new Date() */
  readonly clock?: () => Date;
  /** Applied to every event read. @default identity */
  readonly upcast?: Upcaster;
  /**
   * The stream types listed in the stream catalog index (what a rebuild pages through); see
   * `cataloguedTypes`. @default every type
   */
  readonly catalogued?: (streamType: string) => boolean;
}

const { partitionKey: PK } = EVENT_STORE_KEYS;
const P = EVENT_STORE_PREFIXES;

/**
 * Event store on one DynamoDB table (item design in `dynamodb-items.ts`).
 *
 * One append to one stream is one conditional PutItem: the commit item holding the append's events,
 * keyed by its first version, written only if that key is free. Commits are contiguous, so the key
 * `expectedVersion + 1` is free exactly when the stream still ends at `expectedVersion`, provided a
 * commit ends there; that fact never changes once true, so it is checked once per stream position (from
 * what this instance read or wrote, else with one 1-RRU query). The input's idempotency key is stored
 * in the commit and recognised from the stream ({@link recogniseInput}). An append spanning several
 * streams is one TransactWriteItems of their commit items, nothing else. All reads are strongly
 * consistent, so a command handler sees its own writes.
 */
export class DynamoDbEventStore implements EventStore {
  private readonly table: TableRef;
  private readonly clock: () => Date;
  private readonly upcast: Upcaster;
  private readonly known = new KnownCommits();
  private readonly catalogued: ((streamType: string) => boolean) | undefined;

  constructor(options: DynamoDbEventStoreOptions) {
    this.table = { client: options.client, tableName: options.tableName };
    this.clock = options.clock ?? (() => new Date());
    this.upcast = options.upcast ?? ((event) => event);
    this.catalogued = options.catalogued;
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

  async appendMany(appends: readonly StreamAppend[], options: AppendOptions = {}): Promise<AppendResult[]> {
    const { idempotencyKey } = options;
    const valid = validateAppends(appends, idempotencyKey);
    const fingerprint = options.idempotencyFingerprint ?? appendFingerprint(valid);
    const input = idempotencyKey === undefined ? undefined : { key: idempotencyKey, fingerprint };
    const boundaries: (CommitInfo | undefined)[] = [];
    for (const append of valid) {
      const boundary = await this.commitEndingAt(append.streamId, append.expectedVersion);
      boundaries.push(boundary);
      // A redelivery right after its own write: the caller read that commit and decided again.
      if (input && boundary && recogniseInput([boundary], append.expectedVersion, input)) {
        return this.replay(valid, input);
      }
    }
    const recordedAt = this.clock().toISOString();
    const results = valid.map((append) => toResult(append, recordedAt));
    const items = results.map((result, i) =>
      commitItems(result.events, input, {
        previousCorrelation: boundaries[i]?.correlation,
        ...(this.catalogued ? { catalogued: this.catalogued } : {}),
      }),
    );
    const streamOfItem = items.flatMap((streamItems, i) => streamItems.map(() => i));
    const puts = items.flat().map((Item) => ({
      TableName: this.table.tableName,
      Item,
      ConditionExpression: `attribute_not_exists(${PK})`,
    }));
    try {
      if (puts.length === 1) await this.table.client.send(new PutItemCommand(puts[0] as (typeof puts)[0]));
      else
        await this.table.client.send(
          new TransactWriteItemsCommand({ TransactItems: puts.map((Put) => ({ Put })) }),
        );
    } catch (error) {
      return this.recover(error, valid, streamOfItem, input);
    }
    for (const [i, result] of results.entries()) {
      this.known.remember(result.streamId, rangeOf(result, input, items[i]?.at(-1)));
    }
    return jsonCopy(results);
  }

  async read(streamId: string, options: ReadOptions = {}): Promise<ReadPage> {
    const { from, limit } = resolveRead(streamId, options);
    const items: ItemImage[] = [];
    let firstKey = from;
    if (from > 1) {
      // The commit holding `from` starts at or before it: found from its end, 1 read unit.
      const holding = await commitAtOrBefore(this.table, streamId, from);
      if (holding === undefined) return { events: [] };
      const info = this.knowCommit(streamId, holding);
      if (info.toVersion < from) return { events: [] };
      items.push(holding);
      firstKey = info.fromVersion + 1;
    }
    const page = await queryCommits(this.table, streamId, { from: firstKey }, { limit });
    items.push(...page.items);
    const last = page.items.at(-1);
    if (last) this.knowCommit(streamId, last);
    const events = items.flatMap(storedEventsFromItem).filter((stored) => stored.streamVersion >= from);
    const taken = events.slice(0, limit).map((stored) => ({ ...stored, event: this.upcast(stored.event) }));
    const lastTaken = taken.at(-1);
    if (lastTaken === undefined || (events.length <= limit && page.lastKey === undefined)) {
      return { events: taken };
    }
    return { events: taken, nextCursor: encodeCursor(streamId, lastTaken.streamVersion + 1) };
  }

  readAll(streamId: string, fromVersion = 1): AsyncIterable<StoredEvent> {
    return readEveryPage((options) => this.read(streamId, options), fromVersion);
  }

  async saveSnapshot<State>(streamId: string, version: number, state: State): Promise<void> {
    validateSnapshotVersion(streamId, version);
    const Item = snapshotItem(streamId, version, state, this.clock().toISOString());
    await this.table.client.send(new PutItemCommand({ TableName: this.table.tableName, Item }));
  }

  async loadSnapshot<State = unknown>(streamId: string): Promise<Snapshot<State> | undefined> {
    validateStreamId(streamId);
    const item = await latestItem(this.table, streamId, P.snapshot);
    if (!item) return undefined;
    return {
      streamId,
      version: numberAttr(item, 'version'),
      state: JSON.parse(stringAttr(item, 'state')) as State,
      savedAt: stringAttr(item, 'savedAt'),
    };
  }

  /**
   * The commit that ends at `version` (undefined for 0, a stream not yet written). Anything else is a
   * {@link ConcurrencyError}: the stream ends before it (a version from nowhere, which would leave a
   * gap) or it falls inside a commit (the stream moved on; a write there would overlap).
   */
  private async commitEndingAt(streamId: string, version: number): Promise<CommitInfo | undefined> {
    if (version === 0) return undefined;
    const known = this.known.get(streamId);
    if (known?.toVersion === version) return known;
    const item = await commitAtOrBefore(this.table, streamId, version);
    const info = item === undefined ? undefined : this.knowCommit(streamId, item);
    if (info?.toVersion === version) return info;
    if (info === undefined || info.toVersion < version) {
      const detail = 'the stream ends before the expected version';
      throw new ConcurrencyError(streamId, version, info?.toVersion ?? 0, { detail });
    }
    const actual = await headVersion(this.table, streamId);
    throw new ConcurrencyError(streamId, version, actual, { detail: 'the stream moved past it' });
  }

  private knowCommit(streamId: string, item: ItemImage): CommitInfo {
    const info = commitInfoOf(item);
    this.known.remember(streamId, info);
    return info;
  }

  /**
   * A commit slot was taken. When the append carries an input, the commits written since the caller's
   * read may hold it (two deliveries of one input racing): then the first result comes back.
   * Otherwise the stream moved on: {@link ConcurrencyError} with the version it is at.
   */
  private async recover(
    error: unknown,
    appends: readonly ValidAppend[],
    streamOfItem: readonly number[],
    input: CommitInput | undefined,
  ): Promise<AppendResult[]> {
    let streamIndex = 0;
    let detail = 'a version being written exists';
    if (error instanceof TransactionCanceledException) {
      const outcome = classifyCancellation(error.CancellationReasons, streamOfItem);
      if (outcome.kind === 'other') throw error;
      if (outcome.kind === 'conflict') ({ streamIndex, detail } = outcome);
      else streamIndex = await this.firstStale(appends);
    } else if (!(error instanceof ConditionalCheckFailedException)) {
      throw error;
    }
    if (input !== undefined) {
      for (const append of appends) {
        const later = await commitsBetween(this.table, append.streamId, append.expectedVersion + 1);
        const infos = later.map((item) => this.knowCommit(append.streamId, item));
        if (recogniseInput(infos, append.expectedVersion, input)) return this.replay(appends, input);
      }
    }
    const stale = appends[streamIndex] ?? appends[0];
    if (stale === undefined) throw error;
    const actual = await headVersion(this.table, stale.streamId).catch(() => undefined);
    throw new ConcurrencyError(stale.streamId, stale.expectedVersion, actual, { cause: error, detail });
  }

  /** Without cancellation reasons, the first stream whose head is not where the caller expected it. */
  private async firstStale(appends: readonly ValidAppend[]): Promise<number> {
    for (const [i, append] of appends.entries()) {
      if ((await headVersion(this.table, append.streamId)) !== append.expectedVersion) return i;
    }
    return 0;
  }

  /** The first result of `input`: per stream, the events of the commit items it wrote. */
  private async replay(appends: readonly ValidAppend[], input: CommitInput): Promise<AppendResult[]> {
    const results = await Promise.all(
      appends.map(async (append) => {
        // An append holds at most MAX_APPEND_EVENTS events, so its items start no earlier than this.
        const from = Math.max(1, append.expectedVersion + 1 - MAX_APPEND_EVENTS);
        const items = await commitsBetween(this.table, append.streamId, from);
        const events = items.filter((item) => item.inputKey?.S === input.key).flatMap(storedEventsFromItem);
        const first = events[0];
        const last = events.at(-1);
        if (first === undefined || last === undefined) return undefined;
        const { streamId } = append;
        return { streamId, fromVersion: first.streamVersion, toVersion: last.streamVersion, events };
      }),
    );
    return results.filter((result) => result !== undefined);
  }
}

function toResult(append: ValidAppend, recordedAt: string): AppendResult {
  const events = append.events.map((event, i) => ({
    streamId: append.streamId,
    streamVersion: append.expectedVersion + i + 1,
    recordedAt,
    event,
  }));
  return {
    streamId: append.streamId,
    fromVersion: append.expectedVersion + 1,
    toVersion: append.expectedVersion + events.length,
    events,
  };
}

/** What the store knows of its own append: `lastItem`'s correlation is what the next append follows. */
function rangeOf(
  result: AppendResult,
  input: CommitInput | undefined,
  lastItem: Record<string, AttributeValue> | undefined,
): CommitInfo {
  const { fromVersion, toVersion } = result;
  const correlationIds = lastItem?.correlationIds?.SS ?? [];
  return {
    fromVersion,
    toVersion,
    ...(input === undefined ? {} : { input }),
    ...(correlationIds.length > 0 ? { correlation: correlationKeyOf(correlationIds) } : {}),
  };
}

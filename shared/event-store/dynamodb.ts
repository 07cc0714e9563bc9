import {
  type DynamoDBClient,
  PutItemCommand,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import type { EventEnvelope } from '../events/envelope.ts';
import {
  appendFingerprint,
  DEFAULT_IDEMPOTENCY_TTL_SECONDS,
  encodeCursor,
  epochSeconds,
  jsonCopy,
  MAX_STREAM_VERSION,
  readEveryPage,
  resolveRead,
  type ValidAppend,
  validateAppends,
  validateSnapshotVersion,
  validateStreamId,
} from './core.ts';
import { classifyCancellation, type TransactionSlot } from './dynamodb-cancellation.ts';
import {
  EVENT_STORE_KEYS,
  EVENT_STORE_PREFIXES,
  eventItem,
  eventKey,
  idempotencyItem,
  idempotencyRecordFromItem,
  numberAttr,
  snapshotItem,
  storedEventFromItem,
  stringAttr,
  versionFromSortKey,
} from './dynamodb-items.ts';
import {
  headVersion,
  latestItem,
  liveIdempotencyItem,
  queryEvents,
  readEventRange,
  type TableRef,
} from './dynamodb-queries.ts';
import { ConcurrencyError, DuplicateError } from './errors.ts';
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
  /** Source of `recordedAt`, `savedAt` and idempotency expiry. @default () => new Date() */
  readonly clock?: () => Date;
  /** How long an idempotency key is remembered (DynamoDB TTL on `expiresAt`). @default 15 days */
  readonly idempotencyTtlSeconds?: number;
  /** Applied to every event read. @default identity */
  readonly upcast?: Upcaster;
}

const { partitionKey: PK, sortKey: SK, ttlAttribute: TTL } = EVENT_STORE_KEYS;
const P = EVENT_STORE_PREFIXES;

/**
 * Event store on one DynamoDB table (key design in `dynamodb-items.ts`).
 *
 * Optimistic concurrency without a stream head item: every event put requires its own key to be
 * absent, and when `expectedVersion > 0` a ConditionCheck requires `E#<expectedVersion>` to exist.
 * Versions are written contiguously, so both together mean "the stream is exactly at expectedVersion".
 * Events, checks and the idempotency record go in one TransactWriteItems call (≤ 100 items, checked
 * up front). All reads are strongly consistent, so a command handler sees its own writes.
 */
export class DynamoDbEventStore implements EventStore {
  private readonly table: TableRef;
  private readonly clock: () => Date;
  private readonly ttlSeconds: number;
  private readonly upcast: Upcaster;

  constructor(options: DynamoDbEventStoreOptions) {
    this.table = { client: options.client, tableName: options.tableName };
    this.clock = options.clock ?? (() => new Date());
    this.ttlSeconds = options.idempotencyTtlSeconds ?? DEFAULT_IDEMPOTENCY_TTL_SECONDS;
    this.upcast = options.upcast ?? ((event) => event);
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
    const now = this.clock();
    const results = valid.map((append) => toResult(append, now.toISOString()));
    const slots: TransactionSlot[] = [];
    const items: TransactWriteItem[] = [];
    valid.forEach((append, streamIndex) => {
      if (append.expectedVersion > 0) {
        slots.push({ kind: 'versionCheck', streamIndex });
        items.push({ ConditionCheck: this.versionCheck(append) });
      }
      for (const stored of results[streamIndex]?.events ?? []) {
        slots.push({ kind: 'event', streamIndex });
        const put = { TableName: this.table.tableName, Item: eventItem(stored) };
        items.push({ Put: { ...put, ConditionExpression: `attribute_not_exists(${PK})` } });
      }
    });
    if (idempotencyKey !== undefined) {
      slots.push({ kind: 'idempotency' });
      items.push({ Put: this.idempotencyPut(idempotencyKey, fingerprint, results, now) });
    }
    try {
      await this.table.client.send(new TransactWriteItemsCommand({ TransactItems: items }));
      return jsonCopy(results);
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      return this.recoverFromCancellation(error, slots, valid, idempotencyKey, fingerprint);
    }
  }

  async read(streamId: string, options: ReadOptions = {}): Promise<ReadPage> {
    const { from, limit } = resolveRead(streamId, options);
    const page = await queryEvents(this.table, streamId, { from, to: MAX_STREAM_VERSION }, { limit });
    const events = page.items.map((item) => {
      const stored = storedEventFromItem(item);
      return { ...stored, event: this.upcast(stored.event) };
    });
    const lastKey = page.lastKey?.[SK]?.S;
    if (lastKey === undefined) return { events };
    return { events, nextCursor: encodeCursor(streamId, versionFromSortKey(lastKey) + 1) };
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

  private versionCheck(append: ValidAppend): NonNullable<TransactWriteItem['ConditionCheck']> {
    return {
      TableName: this.table.tableName,
      Key: eventKey(append.streamId, append.expectedVersion),
      ConditionExpression: `attribute_exists(${PK})`,
    };
  }

  // An expired record may linger until TTL deletes it (up to days): the condition treats it as absent.
  private idempotencyPut(
    key: string,
    fingerprint: string,
    results: readonly AppendResult[],
    now: Date,
  ): NonNullable<TransactWriteItem['Put']> {
    const ranges = results.map(({ streamId, fromVersion, toVersion }) => ({
      streamId,
      fromVersion,
      toVersion,
    }));
    const nowSeconds = epochSeconds(now);
    return {
      TableName: this.table.tableName,
      Item: idempotencyItem(key, { fingerprint, results: ranges }, now, nowSeconds + this.ttlSeconds),
      ConditionExpression: `attribute_not_exists(${PK}) OR ${TTL} <= :now`,
      ExpressionAttributeValues: { ':now': { N: String(nowSeconds) } },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    };
  }

  private async recoverFromCancellation(
    error: TransactionCanceledException,
    slots: readonly TransactionSlot[],
    appends: readonly ValidAppend[],
    idempotencyKey: string | undefined,
    fingerprint: string,
  ): Promise<AppendResult[]> {
    const outcome = classifyCancellation(error.CancellationReasons, slots);
    if (outcome.kind === 'other') throw error;
    if (idempotencyKey !== undefined && outcome.kind !== 'conflict') {
      const item = outcome.kind === 'idempotencyHit' ? outcome.item : undefined;
      const record = item ?? (await liveIdempotencyItem(this.table, idempotencyKey, this.clock()));
      if (record) return this.replay(idempotencyKey, idempotencyRecordFromItem(record), fingerprint);
    }
    const streamIndex = outcome.kind === 'conflict' ? outcome.streamIndex : await this.firstStale(appends);
    const stale = appends[streamIndex];
    if (!stale) throw error;
    const actual = await headVersion(this.table, stale.streamId).catch(() => undefined);
    const detail = outcome.kind === 'conflict' ? outcome.detail : 'transaction cancelled without reasons';
    throw new ConcurrencyError(stale.streamId, stale.expectedVersion, actual, { cause: error, detail });
  }

  /** Without cancellation reasons, the first stream whose head is not where the caller expected it. */
  private async firstStale(appends: readonly ValidAppend[]): Promise<number> {
    for (const [i, append] of appends.entries()) {
      if ((await headVersion(this.table, append.streamId)) !== append.expectedVersion) return i;
    }
    return -1;
  }

  private async replay(
    key: string,
    record: ReturnType<typeof idempotencyRecordFromItem>,
    fingerprint: string,
  ): Promise<AppendResult[]> {
    if (record.fingerprint !== fingerprint) {
      throw new DuplicateError(key, { stored: record.fingerprint, refused: fingerprint });
    }
    return Promise.all(
      record.results.map(async (range) => ({
        ...range,
        events: await readEventRange(this.table, range.streamId, range.fromVersion, range.toVersion),
      })),
    );
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

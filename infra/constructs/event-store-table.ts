import type { Duration } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, StreamViewType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { FilterCriteria, FilterRule, type IFunction, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EVENT_STORE_INDEXES } from '../../shared/kit/event-store/dynamodb-indexes.ts';
import { EVENT_STORE_KEYS, EVENT_STORE_PREFIXES } from '../../shared/kit/event-store/dynamodb-items.ts';
import type { StageSettings } from '../stages.ts';
import { dataKey, grantTableKey, skipIfAwsManagedKey, tableEncryption } from './data-key.ts';

/**
 * What `DynamoDbEventStore` and the input claims beside it call: strongly consistent Query reads,
 * PutItem (commits, snapshots, claims; each Put of a transaction), and GetItem (a claim read back when
 * a conditional put returned no old item). A transaction is authorized by the actions it contains;
 * there is no separate TransactWriteItems permission, and commits are conditional Puts, so no
 * ConditionCheckItem (the IAM check on the e2e run found it unused).
 */
export const EVENT_STORE_ACTIONS = ['dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:PutItem'] as const;

/** What `DynamoDbIdempotencyStore` calls on top: conditional PutItem claims, DeleteItem releases. */
export const IDEMPOTENCY_ACTIONS = ['dynamodb:PutItem', 'dynamodb:DeleteItem'] as const;

/** Readers a DynamoDB stream shard serves at once without throttling (DynamoDB Streams developer guide). */
export const MAX_STREAM_READERS = 2;

/** How a reader maps the event store's stream ({@link EventStoreTable.readStream}). */
export interface StreamReaderSettings {
  /** Records per invocation, 1 – 10,000. */
  readonly batchSize: number;
  /** Retries of a failing batch (after bisecting) before its coordinates go to `onFailure`. */
  readonly retryAttempts: number;
  /** Records older than this go to `onFailure` unhandled (1 minute – 7 days). */
  readonly maxRecordAge: Duration;
  /** How long Lambda gathers records before invoking. @default none */
  readonly maxBatchingWindow?: Duration;
  /** Where the coordinates of batches given up on go. */
  readonly onFailure: IQueue;
}

/** What a stream mapping takes, checked at synth (Lambda's limits); errors name the reader. */
function validateStreamReaderSettings(id: string, settings: StreamReaderSettings): void {
  const whole = (value: number, from: number, to: number) =>
    Number.isInteger(value) && value >= from && value <= to;
  if (!whole(settings.batchSize, 1, 10_000)) {
    throw new Error(`${id}: batchSize must be between 1 and 10000, got ${settings.batchSize}`);
  }
  if (!whole(settings.retryAttempts, 0, 10_000)) {
    throw new Error(`${id}: retryAttempts must be between 0 and 10000, got ${settings.retryAttempts}`);
  }
  const age = settings.maxRecordAge.toSeconds();
  if (age < 60 || age > 604_800) {
    throw new Error(`${id}: maxRecordAge must be between 1 minute and 7 days, got ${age} s`);
  }
  const window = settings.maxBatchingWindow?.toMilliseconds() ?? 0;
  if (window % 1000 !== 0 || !whole(window / 1000, 0, 300)) {
    throw new Error(`${id}: maxBatchingWindow must be whole seconds from 0 to 300`);
  }
}

/** Props of {@link EventStoreTable}. */
export interface EventStoreTableProps {
  /** Removal policy and deletion protection come from the stage. */
  readonly stage: StageSettings;
  /**
   * Encrypt with this customer-managed key instead of the AWS-managed DynamoDB key.
   * @default the stack's data key where the stage has one (prod), else AWS managed
   */
  readonly encryptionKey?: IKey;
}

/**
 * The event store's single table (key design in `shared/kit/event-store/dynamodb-items.ts`): string
 * `pk`/`sk` from `EVENT_STORE_KEYS`, on-demand, encrypted, point-in-time recovery, TTL on the
 * idempotency records' `expiresAt`, deletion protection by stage, and a NEW_IMAGE stream, which is
 * the outbox: every event item carries its whole envelope, so the publisher needs nothing else.
 * Two keys-only indexes for operator reads (`shared/kit/event-store/dynamodb-indexes.ts`): the stream
 * catalog always, the correlation index where the stage's `traceIndex` is on. No function is granted
 * either: only the `pipeline` CLI, with the operator's credentials, reads them.
 */
export class EventStoreTable extends Construct {
  readonly table: Table;
  /** The customer-managed key of the table (and its stream), if it has one. */
  readonly encryptionKey: IKey | undefined;
  private readonly streamReaders: string[] = [];

  constructor(scope: Construct, id: string, props: EventStoreTableProps) {
    super(scope, id);
    const { partitionKey, sortKey, ttlAttribute } = EVENT_STORE_KEYS;
    this.encryptionKey = props.encryptionKey ?? dataKey(this, props.stage);
    this.table = new Table(this, 'Table', {
      partitionKey: { name: partitionKey, type: AttributeType.STRING },
      sortKey: { name: sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      stream: StreamViewType.NEW_IMAGE,
      timeToLiveAttribute: ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      ...tableEncryption(this.encryptionKey),
      deletionProtection: props.stage.deletionProtection,
      removalPolicy: props.stage.removalPolicy,
    });
    if (!this.encryptionKey) skipIfAwsManagedKey(this.table, props.stage, 'table');
    const { byCorrelation, streamCatalog } = EVENT_STORE_INDEXES;
    this.table.addGlobalSecondaryIndex({
      indexName: streamCatalog.name,
      partitionKey: { name: streamCatalog.partitionKey, type: AttributeType.STRING },
      sortKey: { name: streamCatalog.sortKey, type: AttributeType.STRING },
      projectionType: ProjectionType.KEYS_ONLY,
    });
    if (props.stage.traceIndex) {
      this.table.addGlobalSecondaryIndex({
        indexName: byCorrelation.name,
        partitionKey: { name: byCorrelation.partitionKey, type: AttributeType.STRING },
        projectionType: ProjectionType.KEYS_ONLY,
      });
    }
  }

  /**
   * `actions` on the table itself. Not `table.grant`, which adds `<table>/index/*` once the table has
   * an index: no function reads the indexes.
   */
  /**
   * Maps the table's stream to `fn` on behalf of `reader`, as every reader of it is mapped: inserted
   * commits only ({@link commitInsertFilter}), from the oldest record still in the stream (events
   * appended before the mapping existed count too), failures answered per record, failing batches
   * bisected and retried, then their coordinates handed to `settings.onFailure`: nothing is dropped.
   */
  readStream(reader: Construct, fn: IFunction, settings: StreamReaderSettings): DynamoEventSource {
    validateStreamReaderSettings(reader.node.id, settings);
    this.addStreamReader(reader.node.path);
    const source = new DynamoEventSource(this.table, {
      startingPosition: StartingPosition.TRIM_HORIZON,
      batchSize: settings.batchSize,
      ...(settings.maxBatchingWindow === undefined ? {} : { maxBatchingWindow: settings.maxBatchingWindow }),
      bisectBatchOnError: true,
      retryAttempts: settings.retryAttempts,
      maxRecordAge: settings.maxRecordAge,
      reportBatchItemFailures: true,
      onFailure: new SqsDlq(settings.onFailure),
      filters: [commitInsertFilter()],
    });
    fn.addEventSource(source);
    return source;
  }

  /**
   * Counts a reader of the table's stream (a stream mapping). DynamoDB serves at most two readers per
   * shard without throttling them ({@link MAX_STREAM_READERS}): the outbox and one store-stream
   * consumer. A third is refused at synth rather than slowed down in production.
   */
  private addStreamReader(path: string): void {
    if (this.streamReaders.length >= MAX_STREAM_READERS) {
      throw new Error(
        `${path}: the event store's stream already has ${MAX_STREAM_READERS} readers (${this.streamReaders.join(', ')}); a third would be throttled. Feed it from the outbox (a queue) instead`,
      );
    }
    this.streamReaders.push(path);
  }

  private grantTable(grantee: IGrantable, actions: readonly string[]): Grant {
    return Grant.addToPrincipal({
      grantee,
      actions: [...actions],
      resourceArns: [this.table.tableArn],
    });
  }

  /** Lets `grantee` read and append events (and snapshots) with `DynamoDbEventStore`, nothing else. */
  grantEventStore(grantee: IGrantable): Grant {
    grantTableKey(this.encryptionKey, grantee, 'write');
    return this.grantTable(grantee, EVENT_STORE_ACTIONS);
  }

  /**
   * Lets `grantee` check a stored mark against the table (`dynamoDbStoredEventCheck`): Query only, for
   * the one commit item holding the marked version.
   */
  grantStoredEventCheck(grantee: IGrantable): Grant {
    grantTableKey(this.encryptionKey, grantee, 'read');
    return this.grantTable(grantee, ['dynamodb:Query']);
  }

  /** Lets `grantee` keep `DynamoDbIdempotencyStore` records in this table. */
  grantIdempotencyRecords(grantee: IGrantable): Grant {
    grantTableKey(this.encryptionKey, grantee, 'write');
    return this.grantTable(grantee, IDEMPOTENCY_ACTIONS);
  }

  /** Lets `grantee` update items in place (`dynamodb:UpdateItem`), nothing else. */
  grantItemUpdate(grantee: IGrantable): Grant {
    grantTableKey(this.encryptionKey, grantee, 'write');
    return this.grantTable(grantee, ['dynamodb:UpdateItem']);
  }

  /** ARN of the table's stream (always present: the table is created with one). */
  get streamArn(): string {
    const arn = this.table.tableStreamArn;
    if (!arn) throw new Error('event store table has no stream');
    return arn;
  }
}

/**
 * The stream mappings' filter: inserted commit items only (`pk` a stream, `sk` starting `E#`), so
 * snapshots, idempotency records, updates and TTL deletes never invoke the outbox or a store-stream
 * consumer. Their handlers check again: a mapping edited by hand, or a local cloud, may not filter.
 */
function commitInsertFilter(): Record<string, unknown> {
  const { partitionKey, sortKey } = EVENT_STORE_KEYS;
  return FilterCriteria.filter({
    eventName: FilterRule.isEqual('INSERT'),
    dynamodb: {
      Keys: {
        [partitionKey]: { S: FilterRule.beginsWith(EVENT_STORE_PREFIXES.stream) },
        [sortKey]: { S: FilterRule.beginsWith(EVENT_STORE_PREFIXES.event) },
      },
    },
  });
}

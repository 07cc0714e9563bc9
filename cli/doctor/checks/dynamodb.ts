import {
  type AttributeValue,
  GetItemCommand,
  PutItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { targetClientConfig } from '../../cloud/clients.ts';
import { createTable } from '../resources.ts';
import { type Check, type CheckContext, CheckFailed, CheckSkipped } from '../types.ts';

const S = (value: string): AttributeValue => ({ S: value });

export const dynamodbTransactions: Check = {
  id: 'ddb-transactions',
  title: 'DynamoDB TransactWriteItems: a failed condition cancels all, with reasons',
  breaks: 'event store appends half-succeed or conflicts go unrecognised: lost or duplicated events',
  async run(ctx) {
    const { dynamodb } = ctx.clients;
    const table = await createTable(ctx, 'table');
    await dynamodb.send(
      new PutItemCommand({ TableName: table.name, Item: { pk: S('idem'), first: S('yes') } }),
    );
    const cancelled = await appendWithStaleVersion(ctx, table.name);
    const codes = (cancelled.CancellationReasons ?? []).map((reason) => reason.Code ?? '?');
    if (codes.join() !== 'None,ConditionalCheckFailed,ConditionalCheckFailed') {
      throw new CheckFailed(
        `CancellationReasons are [${codes.join(', ')}]; expected [None, ConditionalCheckFailed, ConditionalCheckFailed]`,
      );
    }
    const read = (pk: string) =>
      dynamodb.send(new GetItemCommand({ TableName: table.name, Key: { pk: S(pk) }, ConsistentRead: true }));
    if ((await read('event#2')).Item) throw new CheckFailed('the Put of a cancelled transaction was written');
    if ((await read('idem')).Item?.first?.S !== 'yes') {
      throw new CheckFailed('the conditional Put of a cancelled transaction overwrote the existing item');
    }
    const oldItem = cancelled.CancellationReasons?.[2]?.Item?.first?.S === 'yes';
    return `cancelled with [${codes.join(', ')}], nothing written; ALL_OLD item ${oldItem ? 'returned' : 'not returned (the event store reads it instead)'}`;
  },
};

/**
 * Shaped like an event store append: the new event, the expected-version check (false: version 1 does
 * not exist), the idempotency record (exists already). Returns the cancellation it must cause.
 */
async function appendWithStaleVersion(
  ctx: CheckContext,
  tableName: string,
): Promise<TransactionCanceledException> {
  try {
    await ctx.clients.dynamodb.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          {
            Put: {
              TableName: tableName,
              Item: { pk: S('event#2') },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            ConditionCheck: {
              TableName: tableName,
              Key: { pk: S('event#1') },
              ConditionExpression: 'attribute_exists(pk)',
            },
          },
          {
            Put: {
              TableName: tableName,
              Item: { pk: S('idem'), first: S('no') },
              ConditionExpression: 'attribute_not_exists(pk)',
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            },
          },
        ],
      }),
    );
  } catch (error) {
    if (error instanceof TransactionCanceledException) return error;
    throw error;
  }
  throw new CheckFailed('the transaction succeeded although its ConditionCheck is false');
}

/** The subset of @aws-sdk/client-dynamodb-streams this check uses (loaded only if installed). */
interface StreamsSdk {
  DynamoDBStreamsClient: new (config: object) => { send(command: object): Promise<unknown>; destroy(): void };
  DescribeStreamCommand: new (input: { StreamArn: string }) => object;
  GetShardIteratorCommand: new (input: {
    StreamArn: string;
    ShardId: string;
    ShardIteratorType: string;
  }) => object;
  GetRecordsCommand: new (input: { ShardIterator: string; Limit?: number }) => object;
}

interface StreamRecord {
  eventName?: string;
  dynamodb?: { NewImage?: Record<string, AttributeValue>; StreamViewType?: string };
}

const STREAMS_PACKAGE = '@aws-sdk/client-dynamodb-streams';

async function loadStreamsSdk(): Promise<StreamsSdk> {
  // A variable specifier: the package is optional, so the type checker must not require it.
  const specifier: string = STREAMS_PACKAGE;
  try {
    return (await import(specifier)) as StreamsSdk;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new CheckSkipped(
        `${STREAMS_PACKAGE} is not installed; add it (npm install ${STREAMS_PACKAGE}) to run this check`,
      );
    }
    throw error;
  }
}

export const dynamodbStreams: Check = {
  id: 'ddb-streams',
  title: 'DynamoDB stream (NEW_IMAGE) delivers an INSERT with its new image',
  breaks: 'the outbox publisher never sees appended events: nothing reaches the bus from the event store',
  async run(ctx) {
    const sdk = await loadStreamsSdk();
    const table = await createTable(ctx, 'table', {
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
    });
    if (!table.streamArn)
      throw new CheckFailed('the table has no LatestStreamArn although a stream was requested');
    const key = ctx.name('item');
    await ctx.clients.dynamodb.send(
      new PutItemCommand({ TableName: table.name, Item: { pk: S(key), payload: S('outbox') } }),
    );
    const streams = new sdk.DynamoDBStreamsClient(targetClientConfig(ctx.target));
    try {
      const record = await findInsert(ctx, sdk, streams, table.streamArn, key);
      if (record.dynamodb?.NewImage?.payload?.S !== 'outbox') {
        throw new CheckFailed(
          `the INSERT record has no NewImage with the item: ${JSON.stringify(record.dynamodb)}`,
        );
      }
      return 'INSERT with NewImage read through DescribeStream/GetShardIterator/GetRecords';
    } finally {
      streams.destroy();
    }
  },
};

async function findInsert(
  ctx: CheckContext,
  sdk: StreamsSdk,
  streams: InstanceType<StreamsSdk['DynamoDBStreamsClient']>,
  streamArn: string,
  key: string,
): Promise<StreamRecord> {
  const iterators = new Map<string, string>();
  return ctx.poll(
    async () => {
      const described = (await streams.send(new sdk.DescribeStreamCommand({ StreamArn: streamArn }))) as {
        StreamDescription?: { Shards?: { ShardId?: string }[] };
      };
      for (const { ShardId } of described.StreamDescription?.Shards ?? []) {
        if (!ShardId || iterators.has(ShardId)) continue;
        const out = (await streams.send(
          new sdk.GetShardIteratorCommand({
            StreamArn: streamArn,
            ShardId,
            ShardIteratorType: 'TRIM_HORIZON',
          }),
        )) as { ShardIterator?: string };
        if (out.ShardIterator) iterators.set(ShardId, out.ShardIterator);
      }
      for (const [shard, iterator] of iterators) {
        const page = (await streams.send(
          new sdk.GetRecordsCommand({ ShardIterator: iterator, Limit: 100 }),
        )) as {
          Records?: StreamRecord[];
          NextShardIterator?: string;
        };
        if (page.NextShardIterator) iterators.set(shard, page.NextShardIterator);
        const insert = page.Records?.find(
          (r) => r.eventName === 'INSERT' && r.dynamodb?.NewImage?.pk?.S === key,
        );
        if (insert) return insert;
      }
      return undefined;
    },
    { what: 'the INSERT record on the table stream', timeoutMs: 30_000, intervalMs: 500 },
  );
}

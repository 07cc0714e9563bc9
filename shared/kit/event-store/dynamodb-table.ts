import {
  CreateTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { EVENT_STORE_INDEXES } from './dynamodb-indexes.ts';
import { EVENT_STORE_KEYS } from './dynamodb-items.ts';

/**
 * Creates an event store table with the SDK, the way the CDK construct declares it: string `pk`/`sk`,
 * on-demand billing, a NEW_IMAGE stream for the outbox, TTL on `expiresAt`, the keys-only stream
 * catalog and (unless `traceIndex: false`) correlation indexes. Waits until it is ACTIVE. For tests
 * and local tools; deployed tables come from CDK. An existing table is waited for, not recreated.
 */
export async function createEventStoreTable(
  client: DynamoDBClient,
  tableName: string,
  options: { readonly maxWaitSeconds?: number; readonly traceIndex?: boolean } = {},
): Promise<void> {
  const { partitionKey, sortKey, ttlAttribute } = EVENT_STORE_KEYS;
  const { byCorrelation, streamCatalog } = EVENT_STORE_INDEXES;
  const traceIndex = options.traceIndex ?? true;
  let created = true;
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [
          { AttributeName: partitionKey, AttributeType: 'S' },
          { AttributeName: sortKey, AttributeType: 'S' },
          { AttributeName: streamCatalog.partitionKey, AttributeType: 'S' },
          { AttributeName: streamCatalog.sortKey, AttributeType: 'S' },
          ...(traceIndex ? [{ AttributeName: byCorrelation.partitionKey, AttributeType: 'S' as const }] : []),
        ],
        KeySchema: [
          { AttributeName: partitionKey, KeyType: 'HASH' },
          { AttributeName: sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: streamCatalog.name,
            KeySchema: [
              { AttributeName: streamCatalog.partitionKey, KeyType: 'HASH' },
              { AttributeName: streamCatalog.sortKey, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'KEYS_ONLY' },
          },
          ...(traceIndex
            ? [
                {
                  IndexName: byCorrelation.name,
                  KeySchema: [{ AttributeName: byCorrelation.partitionKey, KeyType: 'HASH' as const }],
                  Projection: { ProjectionType: 'KEYS_ONLY' as const },
                },
              ]
            : []),
        ],
        BillingMode: 'PAY_PER_REQUEST',
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
    created = false;
  }
  await waitUntilTableExists(
    { client, maxWaitTime: options.maxWaitSeconds ?? 120, minDelay: 1, maxDelay: 5 },
    { TableName: tableName },
  );
  // Enabling TTL twice is a ValidationException on AWS, so only the call that created the table does it.
  if (!created) return;
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: ttlAttribute, Enabled: true },
    }),
  );
}

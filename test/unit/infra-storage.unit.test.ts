import { Match, Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { describe, expect, it } from 'vitest';
import { EventStoreTable } from '../../infra/constructs/event-store-table.ts';
import { stageSettings } from '../../infra/stages.ts';
import { EVENT_STORE_INDEXES } from '../../shared/kit/event-store/dynamodb-indexes.ts';
import { EVENT_STORE_KEYS } from '../../shared/kit/event-store/dynamodb-items.ts';
import { pipelineTemplate, testStack } from './infra-fixture.ts';

// Synthesized at import time: the first synthesis is slow, and test timeouts should not count it.
const templates = { dev: pipelineTemplate('dev'), prod: pipelineTemplate('prod') };
const eventStore = (stage: 'dev' | 'prod') =>
  Object.values(templates[stage].findResources('AWS::DynamoDB::Table')).find((table) =>
    JSON.stringify(table).includes('"AttributeName":"sk"'),
  );

describe('infra: event store table', () => {
  it('takes its keys and TTL attribute from EVENT_STORE_KEYS', () => {
    templates.dev.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: EVENT_STORE_KEYS.partitionKey, KeyType: 'HASH' },
        { AttributeName: EVENT_STORE_KEYS.sortKey, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: EVENT_STORE_KEYS.partitionKey, AttributeType: 'S' },
        { AttributeName: EVENT_STORE_KEYS.sortKey, AttributeType: 'S' },
      ]),
      TimeToLiveSpecification: { AttributeName: EVENT_STORE_KEYS.ttlAttribute, Enabled: true },
      BillingMode: 'PAY_PER_REQUEST',
    });
  });

  it('has point-in-time recovery, encryption and a NEW_IMAGE stream for the outbox', () => {
    expect(eventStore('dev')?.Properties).toMatchObject({
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
      StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
    });
  });

  it('is deletion-protected and retained in prod, deletable in dev', () => {
    expect(eventStore('dev')).toMatchObject({
      DeletionPolicy: 'Delete',
      Properties: { DeletionProtectionEnabled: false },
    });
    expect(eventStore('prod')).toMatchObject({
      DeletionPolicy: 'Retain',
      Properties: { DeletionProtectionEnabled: true },
    });
  });

  it('encrypts with a customer-managed key when given one', () => {
    // Arrange
    const stack = testStack();
    const key = new Key(stack, 'Key', { enableKeyRotation: true });

    // Act
    new EventStoreTable(stack, 'Store', { stage: stageSettings('dev'), encryptionKey: key });

    // Assert
    Template.fromStack(stack).hasResourceProperties('AWS::DynamoDB::Table', {
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() },
    });
  });

  it('encrypts and protects the walking-skeleton table the same way', () => {
    templates.dev.allResourcesProperties('AWS::DynamoDB::Table', {
      SSESpecification: { SSEEnabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });

  it('indexes streams by type (sharded) and commits by correlation id, keys only, from EVENT_STORE_INDEXES', () => {
    const { byCorrelation, streamCatalog } = EVENT_STORE_INDEXES;
    for (const stage of ['dev', 'prod'] as const) {
      expect(eventStore(stage)?.Properties?.GlobalSecondaryIndexes).toEqual([
        {
          IndexName: streamCatalog.name,
          KeySchema: [
            { AttributeName: streamCatalog.partitionKey, KeyType: 'HASH' },
            { AttributeName: streamCatalog.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
        {
          IndexName: byCorrelation.name,
          KeySchema: [{ AttributeName: byCorrelation.partitionKey, KeyType: 'HASH' }],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ]);
    }
  });

  it('leaves the correlation index out when the stage turns traceIndex off, and keeps the stream catalog', () => {
    const stack = testStack();

    new EventStoreTable(stack, 'Store', { stage: stageSettings('prod', { traceIndex: 'off' }) });

    const tables = Object.values(Template.fromStack(stack).findResources('AWS::DynamoDB::Table'));
    const indexes = tables[0]?.Properties?.GlobalSecondaryIndexes as { IndexName: string }[];
    expect(indexes.map((index) => index.IndexName)).toEqual([EVENT_STORE_INDEXES.streamCatalog.name]);
  });

  it('grants functions the table alone, never its indexes', () => {
    const stack = testStack();
    const store = new EventStoreTable(stack, 'Store', { stage: stageSettings('dev') });
    const role = new Role(stack, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });

    store.grantEventStore(role);
    store.grantStoredEventCheck(role);
    store.grantIdempotencyRecords(role);
    store.grantItemUpdate(role);

    const policies = JSON.stringify(Template.fromStack(stack).findResources('AWS::IAM::Policy'));
    expect(policies).toContain('dynamodb:Query');
    expect(policies).not.toContain('/index/');
  });
});

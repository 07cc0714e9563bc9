import { Match, Template } from 'aws-cdk-lib/assertions';
import { Key } from 'aws-cdk-lib/aws-kms';
import { describe, expect, it } from 'vitest';
import { EventStoreTable } from '../../infra/constructs/event-store-table.ts';
import { stageSettings } from '../../infra/stages.ts';
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
      AttributeDefinitions: [
        { AttributeName: EVENT_STORE_KEYS.partitionKey, AttributeType: 'S' },
        { AttributeName: EVENT_STORE_KEYS.sortKey, AttributeType: 'S' },
      ],
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
});

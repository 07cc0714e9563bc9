import { randomUUID } from 'node:crypto';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  GetItemCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DynamoDbSubjectKeys,
  KeyNotFoundError,
  SUBJECT_KEYS_PARTITION_KEY,
  SubjectForgottenError,
} from '../../shared/kit/personal-data/index.ts';
import { emulatorClientConfig } from '../support/aws.ts';

const client = new DynamoDBClient(emulatorClientConfig());
const tableName = `subject-keys-int-${randomUUID().slice(0, 8)}`;
const request = { requestedBy: 'int-test', at: new Date('2026-12-02T12:00:00Z') };

beforeAll(async () => {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [{ AttributeName: SUBJECT_KEYS_PARTITION_KEY, AttributeType: 'S' }],
      KeySchema: [{ AttributeName: SUBJECT_KEYS_PARTITION_KEY, KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await waitUntilTableExists({ client, maxWaitTime: 30 }, { TableName: tableName });
});

afterAll(async () => {
  await client.send(new DeleteTableCommand({ TableName: tableName }));
  client.destroy();
});

describe('DynamoDB subject keys', () => {
  it('creates one key per subject, and concurrent writers all get that same key', async () => {
    const keys = new DynamoDbSubjectKeys({ client, tableName });
    const subject = `cus-${randomUUID()}`;

    const states = await Promise.all([1, 2, 3, 4].map(() => keys.keyFor(subject)));
    const read = await keys.readKey(subject);

    const distinct = new Set(
      states.map((state) => (state.state === 'active' ? state.key.toString('hex') : 'none')),
    );
    expect(distinct).toEqual(new Set([read.toString('hex')]));
    expect(read).toHaveLength(32);
  });

  it('answers a subject without a key with KEY_NOT_FOUND', async () => {
    const keys = new DynamoDbSubjectKeys({ client, tableName });

    await expect(keys.readKey(`cus-${randomUUID()}`)).rejects.toBeInstanceOf(KeyNotFoundError);
  });

  it('deletes the key on forget, keeps only an audit tombstone, and says so when forgotten twice', async () => {
    const keys = new DynamoDbSubjectKeys({ client, tableName });
    const subject = `cus-${randomUUID()}`;
    await keys.keyFor(subject);

    const first = await keys.forget(subject, request);
    const second = await keys.forget(subject, { requestedBy: 'someone else', at: new Date() });
    const item = await client.send(
      new GetItemCommand({
        TableName: tableName,
        Key: { [SUBJECT_KEYS_PARTITION_KEY]: { S: subject } },
        ConsistentRead: true,
      }),
    );

    expect(first.outcome).toBe('erased');
    expect(second).toEqual({ subjectId: subject, outcome: 'already', forgottenAt: request.at.toISOString() });
    expect(Object.keys(item.Item ?? {}).sort()).toEqual(
      ['forgottenAt', 'requestedBy', SUBJECT_KEYS_PARTITION_KEY].sort(),
    );
    await expect(keys.readKey(subject)).rejects.toBeInstanceOf(SubjectForgottenError);
  });

  it('never creates a new key for a forgotten subject: writers see the tombstone', async () => {
    const keys = new DynamoDbSubjectKeys({ client, tableName });
    const subject = `cus-${randomUUID()}`;
    await keys.forget(subject, request);

    const state = await keys.keyFor(subject);

    expect(state).toEqual({ state: 'forgotten', forgottenAt: request.at.toISOString() });
  });
});

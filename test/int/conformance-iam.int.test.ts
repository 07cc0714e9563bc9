import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateRoleCommand, DeleteRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { createEventStoreTable } from '../../shared/kit/event-store/dynamodb-table.ts';
import { accountId, conformance } from './conformance.support.ts';
import { region, uniqueName } from './conformance-resources.support.ts';

/**
 * Whether the endpoint evaluates IAM. None of the emulators does as the tiers run them (MiniStack's
 * default AUTH off; its AUTH=true mode evaluates policies, but `cdk deploy` then cannot publish its
 * assets to the bootstrap bucket), so a missing grant would pass every e2e test and fail on AWS. The
 * grants are therefore pinned by Template assertions (test/unit/infra-*.unit.test.ts).
 */
const iam = new IAMClient({ region });
const sts = new STSClient({ region });
const admin = new DynamoDBClient({ region });
const tableName = uniqueName('iam-gap');
const roleName = uniqueName('no-permissions');

beforeAll(async () => {
  await createEventStoreTable(admin, tableName);
});

afterAll(async () => {
  await admin.send(new DeleteTableCommand({ TableName: tableName }));
  await iam.send(new DeleteRoleCommand({ RoleName: roleName })).catch(() => undefined);
});

describe('conformance: IAM', () => {
  conformance('a role with no policy at all is denied a DynamoDB write', {
    probe: async () => {
      // A role this account may assume that is granted nothing.
      const role = await iam.send(
        new CreateRoleCommand({
          RoleName: roleName,
          AssumeRolePolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { AWS: `arn:aws:iam::${await accountId()}:root` },
                Action: 'sts:AssumeRole',
              },
            ],
          }),
        }),
      );
      const assumed = await sts.send(
        new AssumeRoleCommand({ RoleArn: role.Role?.Arn, RoleSessionName: `cf-${randomUUID().slice(0, 8)}` }),
      );
      const credentials = assumed.Credentials;
      if (!credentials?.AccessKeyId || !credentials.SecretAccessKey)
        throw new Error('AssumeRole gave no credentials');
      const asRole = new DynamoDBClient({
        region,
        credentials: {
          accessKeyId: credentials.AccessKeyId,
          secretAccessKey: credentials.SecretAccessKey,
          sessionToken: credentials.SessionToken,
        },
      });
      try {
        await asRole.send(
          new PutItemCommand({
            TableName: tableName,
            Item: { pk: { S: 'iam-probe' }, sk: { S: 'x' } },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return 'written';
      } catch (error) {
        return error instanceof Error ? error.name : String(error);
      } finally {
        asRole.destroy();
      }
    },
    aws: (outcome) => expect(outcome).toBe('AccessDeniedException'),
    gaps: [
      {
        id: 'iam-not-evaluated',
        instead: 'no IAM policy is evaluated: a role granted nothing may write',
        seen: (outcome) => outcome === 'written',
        workaround:
          'each function’s grants are pinned by template assertions and checked against the calls the e2e tier records',
      },
    ],
  });
});

import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateRoleCommand, DeleteRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventStoreTable } from '../../shared/kit/event-store/dynamodb-table.ts';
import { region, uniqueName } from './emulator-gaps.support.ts';

/**
 * The pipeline's least-privilege claims (each function may call exactly what its handler calls, on
 * its own resources) cannot be proven on the local cloud: as the CLI runs it (MiniStack's default,
 * AUTH off) no IAM policy is evaluated, so a missing grant would pass every e2e test and fail on AWS.
 * The grants are therefore pinned by Template assertions (test/unit/infra-*.unit.test.ts).
 * MiniStack's AUTH=true mode does evaluate policies, but `cdk deploy` then cannot publish its assets
 * to the bootstrap bucket ("exists, but we don't have access to it"), so the stack cannot be deployed.
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

describe('local emulator vs AWS: IAM', () => {
  it('emulator gap: a role with no policy at all may still write to a DynamoDB table', async () => {
    // Arrange: a role that may be assumed by this account and is granted nothing.
    const role = await iam.send(
      new CreateRoleCommand({
        RoleName: roleName,
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: 'arn:aws:iam::000000000000:root' },
              Action: 'sts:AssumeRole',
            },
          ],
        }),
      }),
    );
    const assumed = await sts.send(
      new AssumeRoleCommand({ RoleArn: role.Role?.Arn, RoleSessionName: `gap-${randomUUID().slice(0, 8)}` }),
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

    // Act: AWS answers AccessDeniedException (no identity policy allows dynamodb:PutItem).
    const put = asRole.send(
      new PutItemCommand({
        TableName: tableName,
        Item: { pk: { S: 'iam-gap' }, sk: { S: 'x' } },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );

    // Assert: the emulator lets it through.
    await expect(put).resolves.toMatchObject({ $metadata: { httpStatusCode: 200 } });
    asRole.destroy();
  });
});

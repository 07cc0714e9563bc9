import { ArnFormat, Stack } from 'aws-cdk-lib';
import { TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Grant, type IGrantable, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { type IKey, Key } from 'aws-cdk-lib/aws-kms';
import type { IConstruct } from 'constructs';
import type { StageSettings } from '../stages.ts';
import { skipCheckov } from './checkov.ts';

/** Construct id of the stack's data key, a direct child of the stack. */
export const DATA_KEY_ID = 'DataKey';

/**
 * The stack's customer-managed key for data at rest (the event store, the read models, the
 * functions' log groups) when the stage asks for one (`dataKey: 'customer-managed'`, prod), else
 * undefined: those resources then keep their AWS-managed or AWS-owned keys. One key for the stack,
 * created on first use: $1 a month whatever uses it (the cost bench counts it with the other keys).
 * Its policy lets CloudWatch Logs of this account and region use it for log groups only; DynamoDB
 * uses it on behalf of the principals granted on it (`grantTableKey`).
 */
export function dataKey(scope: IConstruct, stage: StageSettings): IKey | undefined {
  if (stage.dataKey !== 'customer-managed') return undefined;
  const stack = Stack.of(scope);
  const existing = stack.node.tryFindChild(DATA_KEY_ID);
  if (existing) return existing as Key;
  const key = new Key(stack, DATA_KEY_ID, {
    description: `Encrypts the event store, read models and function logs of ${stack.stackName}`,
    enableKeyRotation: true,
    removalPolicy: stage.removalPolicy,
  });
  // In a key policy "*" means this key. The encryption context CloudWatch Logs sends names the log
  // group, so the key serves this account's log groups in this region and nothing else of Logs.
  key.addToResourcePolicy(
    new PolicyStatement({
      sid: 'CloudWatchLogsOfThisAccount',
      principals: [new ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
            service: 'logs',
            resource: 'log-group',
            resourceName: '*',
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        },
      },
    }),
  );
  return key;
}

/**
 * A DynamoDB table's encryption props: the stack's data key where the stage has one, else the
 * AWS-managed key (then call {@link skipIfAwsManagedKey} on the table).
 */
export function tableEncryption(key: IKey | undefined): {
  encryption: TableEncryption;
  encryptionKey?: IKey;
} {
  return key
    ? { encryption: TableEncryption.CUSTOMER_MANAGED, encryptionKey: key }
    : { encryption: TableEncryption.AWS_MANAGED };
}

/**
 * What a principal needs on a table's customer-managed key, and only through DynamoDB
 * (`kms:ViaService`): Decrypt and DescribeKey to read, Encrypt and GenerateDataKey too when it writes,
 * like the CDK's own table grants but named exactly (they grant the `ReEncrypt*` and
 * `GenerateDataKey*` families; no caller here changes a table's key). Nothing when there is no key.
 */
export function grantTableKey(
  key: IKey | undefined,
  grantee: IGrantable,
  access: 'read' | 'write',
): Grant | undefined {
  if (!key) return undefined;
  const read = ['kms:Decrypt', 'kms:DescribeKey'];
  const write = ['kms:Encrypt', 'kms:GenerateDataKey'];
  return Grant.addToPrincipal({
    grantee,
    actions: [...read, ...(access === 'write' ? write : [])],
    resourceArns: [key.keyArn],
    conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${Stack.of(key).region}.amazonaws.com` } },
  });
}

/** Checkov's customer-managed-key checks, skipped where a stage keeps AWS-managed keys (dev). */
export const AWS_MANAGED_KEY_CHECKS = {
  table: 'CKV_AWS_119',
  logGroup: 'CKV_AWS_158',
} as const;

/**
 * Skips checkov's customer-managed-key check on `resource` when the stage has no data key: the data
 * stays encrypted at rest (AWS-managed or AWS-owned key), the stage saves the key's $1 a month and
 * its requests, and the local cloud runs it without KMS. Prod uses the data key and skips nothing.
 */
export function skipIfAwsManagedKey(
  resource: IConstruct,
  stage: StageSettings,
  kind: keyof typeof AWS_MANAGED_KEY_CHECKS,
): void {
  if (stage.dataKey === 'customer-managed') return;
  skipCheckov(resource, [
    {
      id: AWS_MANAGED_KEY_CHECKS[kind],
      comment: `Stage ${stage.name} keeps data at rest under AWS-managed keys (StageSettings.dataKey); prod encrypts it with the stack's customer-managed data key.`,
    },
  ]);
}

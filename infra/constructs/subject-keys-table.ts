import { AttributeType, BillingMode, Table } from 'aws-cdk-lib/aws-dynamodb';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { SUBJECT_KEYS_PARTITION_KEY } from '../../shared/kit/personal-data/dynamodb-subject-keys.ts';
import type { StageSettings } from '../stages.ts';
import { dataKey, grantTableKey, skipIfAwsManagedKey, tableEncryption } from './data-key.ts';

/** What a function that encrypts personal fields calls: read a key, create a missing one (conditional). */
export const SUBJECT_KEY_ENCRYPT_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem'] as const;
/** What a function that needs clear values calls: read a key. */
export const SUBJECT_KEY_DECRYPT_ACTIONS = ['dynamodb:GetItem'] as const;
/** The variable naming the keys table, set only on the functions granted it. */
export const SUBJECT_KEYS_ENV = 'SUBJECT_KEYS_TABLE';

/** How a function uses the subjects' keys: `encrypt` (intakes), `decrypt` (senders of clear values). */
export type SubjectKeyAccess = 'encrypt' | 'decrypt';

/**
 * The keys table of crypto-shredding (docs/personal-data.md): one item per data subject, its 256-bit
 * data key or, after `pipeline forget`, the tombstone recording the erasure. Encrypted at rest with the
 * stack's customer-managed data key where the stage has one (prod), point-in-time recovery like every
 * table of the stack (35 days: see the docs for what that retains after an erasure), on-demand,
 * deletion protection by stage. Only the functions a definition marks `personalData` are granted,
 * item actions only; deleting a key (the tombstone put) is the operator's, through the CLI.
 */
export class SubjectKeysTable extends Construct {
  readonly table: Table;
  readonly encryptionKey: IKey | undefined;

  constructor(scope: Construct, id: string, props: { readonly stage: StageSettings }) {
    super(scope, id);
    this.encryptionKey = dataKey(this, props.stage);
    this.table = new Table(this, 'Table', {
      partitionKey: { name: SUBJECT_KEYS_PARTITION_KEY, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      ...tableEncryption(this.encryptionKey),
      deletionProtection: props.stage.deletionProtection,
      removalPolicy: props.stage.removalPolicy,
    });
    if (!this.encryptionKey) skipIfAwsManagedKey(this.table, props.stage, 'table');
  }

  /** Exactly the item actions `access` needs on this table, and its key through DynamoDB only. */
  grant(grantee: IGrantable, access: SubjectKeyAccess): void {
    const actions = access === 'encrypt' ? SUBJECT_KEY_ENCRYPT_ACTIONS : SUBJECT_KEY_DECRYPT_ACTIONS;
    this.table.grant(grantee, ...actions);
    grantTableKey(this.encryptionKey, grantee, access === 'encrypt' ? 'write' : 'read');
  }
}

import { AttributeType, BillingMode, ProjectionType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { ContextTableDefinition, TableItemAction } from '../../shared/kit/context.ts';
import type { StageSettings } from '../stages.ts';
import { dataKey, grantTableKey, skipIfAwsManagedKey, tableEncryption } from './data-key.ts';

/** Item actions that only read (a grant of these alone needs only Decrypt on the table's key). */
const READ_ONLY_ACTIONS: ReadonlySet<TableItemAction> = new Set(['GetItem', 'Query']);

/** Props of {@link ContextTable}. */
export interface ContextTableProps {
  readonly definition: ContextTableDefinition;
  /** Removal policy and deletion protection come from the stage. */
  readonly stage: StageSettings;
}

/**
 * A table a context owns (a read model), as its definition declares it: string keys, on-demand,
 * encrypted, point-in-time recovery, deletion protection and removal by stage, keys-only indexes. Its
 * own table rather than items in the event store's: it is disposable (a rebuild deletes and replays
 * it), has its own access patterns (its indexes), needs no stream (so what it holds never reaches the
 * outbox), and a consumer is granted item actions on it alone.
 */
export class ContextTable extends Construct {
  readonly table: Table;
  /** The table's customer-managed key (the stack's data key), where the stage has one. */
  readonly encryptionKey: IKey | undefined;

  constructor(scope: Construct, id: string, props: ContextTableProps) {
    super(scope, id);
    const { definition } = props;
    this.encryptionKey = dataKey(this, props.stage);
    this.table = new Table(this, 'Table', {
      partitionKey: { name: definition.partitionKey, type: AttributeType.STRING },
      ...(definition.sortKey === undefined
        ? {}
        : { sortKey: { name: definition.sortKey, type: AttributeType.STRING } }),
      billingMode: BillingMode.PAY_PER_REQUEST,
      ...tableEncryption(this.encryptionKey),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: props.stage.deletionProtection,
      removalPolicy: props.stage.removalPolicy,
    });
    skipIfAwsManagedKey(this.table, props.stage, 'table');
    for (const index of definition.indexes ?? []) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        ...(index.sortKey === undefined
          ? {}
          : { sortKey: { name: index.sortKey, type: AttributeType.STRING } }),
        // Keys only: each write that moves an item in the index is one write unit, not a copy of the
        // item; listings fetch the items by key.
        projectionType: ProjectionType.KEYS_ONLY,
      });
    }
  }

  /** Exactly these item actions, on the table only. */
  grantItems(grantee: IGrantable, actions: readonly TableItemAction[]): Grant {
    const writes = actions.some((action) => !READ_ONLY_ACTIONS.has(action));
    grantTableKey(this.encryptionKey, grantee, writes ? 'write' : 'read');
    // Not `table.grant`, which adds `<table>/index/*`: no grant here reads an index.
    return Grant.addToPrincipal({
      grantee,
      actions: actions.map((action) => `dynamodb:${action}`),
      resourceArns: [this.table.tableArn],
    });
  }
}

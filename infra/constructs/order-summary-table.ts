import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ORDER_SUMMARY_KEYS } from '../../shared/contexts/orders/adapters/dynamodb-order-summaries.ts';
import type { StageSettings } from '../stages.ts';

/** Props of {@link OrderSummaryTable}. */
export interface OrderSummaryTableProps {
  /** Removal policy and deletion protection come from the stage. */
  readonly stage: StageSettings;
}

/**
 * The order summary read model (key design in `shared/contexts/orders/adapters/dynamodb-order-summaries.ts`): one item
 * per order, plus the `byStatus` index for listings. Its own table rather than items in the event
 * store's: it is disposable (a rebuild deletes and replays it), has its own access pattern (the status
 * index), needs no stream (so projections never reach the outbox), and the projector is granted this
 * table only, never the event store. On-demand, encrypted, point-in-time recovery.
 */
export class OrderSummaryTable extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string, props: OrderSummaryTableProps) {
    super(scope, id);
    const K = ORDER_SUMMARY_KEYS;
    this.table = new Table(this, 'Table', {
      partitionKey: { name: K.partitionKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: props.stage.deletionProtection,
      removalPolicy: props.stage.removalPolicy,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: K.statusIndex,
      partitionKey: { name: K.statusAttribute, type: AttributeType.STRING },
      sortKey: { name: K.updatedAtAttribute, type: AttributeType.STRING },
      // Keys only: each projector write moves the order in the index (a delete and a put); a keys-only
      // entry is one write unit, a copy of the summary its size. Listings fetch summaries by key.
      projectionType: ProjectionType.KEYS_ONLY,
    });
  }

  /** What the projector does: consistent GetItem and conditional PutItem of summaries, on the table only. */
  grantProjection(grantee: IGrantable): Grant {
    // Not `table.grant`, which adds `<table>/index/*`: the projector never reads the index.
    return Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
      resourceArns: [this.table.tableArn],
    });
  }
}

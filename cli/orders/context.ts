import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { OUTPUTS } from '../../infra/stacks/outputs.ts';
import { DynamoDbOrderSummaryRepository } from '../../shared/contexts/orders/adapters/dynamodb-order-summaries.ts';
import { ordersCatalog } from '../../shared/contexts/orders/events/catalog.ts';
import { DynamoDbEventStore } from '../../shared/kit/event-store/dynamodb.ts';
import { storedEventUpcaster } from '../../shared/kit/events/internal.ts';
import { DynamoDbSubjectKeys } from '../../shared/kit/personal-data/dynamodb-subject-keys.ts';
import type { SubjectKeys } from '../../shared/kit/personal-data/subject-keys.ts';
import { clientsFor } from '../cloud/clients.ts';
import { requiredOutput, type StackContext } from '../ops/stack-context.ts';

/** What the order commands work with on a deployed stack: the bus, the event store, the read model. */
export interface OrdersContext {
  readonly stackName: string;
  readonly busName: string;
  readonly events: EventBridgeClient;
  readonly dynamo: DynamoDBClient;
  readonly eventStoreTable: string;
  readonly store: DynamoDbEventStore;
  readonly summaries: DynamoDbOrderSummaryRepository;
  /** The customers' keys, to encrypt what the CLI puts on the bus; absent on a stack that predates them. */
  readonly subjectKeys: SubjectKeys | undefined;
}

/** Clients and adapters on the stack's resources, named by its outputs. */
export function ordersContext(stack: StackContext): OrdersContext {
  const clients = clientsFor(stack.target);
  const dynamo = clients.dynamodb;
  const eventStoreTable = requiredOutput(stack, OUTPUTS.eventStoreTable);
  const keysTable = stack.outputs[OUTPUTS.subjectKeysTable];
  return {
    stackName: stack.stackName,
    busName: requiredOutput(stack, OUTPUTS.busName),
    events: clients.events,
    dynamo,
    eventStoreTable,
    store: new DynamoDbEventStore({
      client: dynamo,
      tableName: eventStoreTable,
      upcast: storedEventUpcaster(ordersCatalog),
    }),
    summaries: new DynamoDbOrderSummaryRepository({
      client: dynamo,
      tableName: requiredOutput(stack, OUTPUTS.orderSummaryTable),
    }),
    subjectKeys: keysTable ? new DynamoDbSubjectKeys({ client: dynamo, tableName: keysTable }) : undefined,
  };
}

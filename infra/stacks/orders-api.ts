import { Duration } from 'aws-cdk-lib';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { ORDERS_API_ROUTES } from '../../shared/contexts/orders/use-cases/api.ts';
import type { ApiSettings } from '../api-settings.ts';
import type { BoundedContext } from '../constructs/bounded-context.ts';
import type { EventStoreTable } from '../constructs/event-store-table.ts';
import { HttpFrontDoor } from '../constructs/http-front-door.ts';
import { QueueConsumer } from '../constructs/queue-consumer.ts';
import { SUBJECT_KEYS_ENV, type SubjectKeysTable } from '../constructs/subject-keys-table.ts';
import type { StageSettings } from '../stages.ts';

/** What the orders API is wired to. */
export interface OrdersApiProps {
  readonly stage: StageSettings;
  readonly api: ApiSettings;
  readonly eventStore: EventStoreTable;
  /** The orders context: its saga (queue, timers) and its read model table. */
  readonly orders: BoundedContext;
  readonly alarmTopic: ITopic;
  /** The customers' keys: the API encrypts an order's contact before storing it, as the saga's intake does. */
  readonly subjectKeys: SubjectKeysTable;
}

/**
 * The orders HTTP API: its function writes as the saga's intake (the event store's append and read,
 * and the saga's timers, as the saga consumer has them) and reads the order summary table (GetItem).
 * The wait (`Prefer: wait=10`) plus the write fit well inside the function's 15 s.
 */
export function ordersHttpApi(scope: Construct, props: OrdersApiProps): HttpFrontDoor {
  const { orders, stage } = props;
  const saga = orders.consumers.saga;
  const timers = orders.timers.saga;
  const summaries = orders.tables['order-summary'];
  if (!(saga instanceof QueueConsumer) || !timers || !summaries)
    throw new Error('orders API: the orders context lacks its saga (queue-fed) or read model');
  const door = new HttpFrontDoor(scope, 'OrdersApi', {
    stage,
    api: props.api,
    alarmTopic: props.alarmTopic,
    entry: 'functions/api/handler.ts',
    serviceName: 'orders-api',
    routes: ORDERS_API_ROUTES,
    timeout: Duration.seconds(15),
    environment: {
      TABLE_NAME: props.eventStore.table.tableName,
      SUMMARY_TABLE_NAME: summaries.table.tableName,
      QUEUE_URL: saga.queue.queueUrl,
      // The saga's own step timeout: the first transition it decides here arms the same deadline.
      SAGA_STEP_TIMEOUT_MS: String(stage.sagaStepTimeout.toMilliseconds()),
      API_MAX_WAIT_SECONDS: '10',
      [SUBJECT_KEYS_ENV]: props.subjectKeys.table.tableName,
    },
  });
  props.eventStore.grantEventStore(door.function);
  // It starts sagas and never ends one: it arms first-step timers and never withdraws any.
  timers.grantTimers(door.function, { withdraw: false });
  summaries.grantItems(door.function, ['GetItem']);
  props.subjectKeys.grant(door.function, 'encrypt');
  return door;
}

import { Duration } from 'aws-cdk-lib';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ordersCatalog } from '../../shared/contexts/orders/events/catalog.ts';
import { ORDER_INTEGRATION_EVENT_TYPES } from '../../shared/contexts/orders/use-cases/intake.ts';
import {
  OUTBOX_QUEUE_ROUTES,
  SAGA_INTAKE_RULE_TYPES,
} from '../../shared/contexts/orders/use-cases/subscriptions.ts';
import type { DeployedContext } from '../constructs/bounded-context.ts';
import { BusConsumer } from '../constructs/bus-consumer.ts';
import type { DashboardConsumer } from '../constructs/dashboard.ts';
import type { EventStoreTable } from '../constructs/event-store-table.ts';
import type { FanOutTopic } from '../constructs/fan-out-topic.ts';
import { OrderSummaryTable } from '../constructs/order-summary-table.ts';
import { BATCHING, QueueConsumer } from '../constructs/queue-consumer.ts';
import type { RuleTargets } from '../constructs/rule-targets.ts';
import type { StageSettings } from '../stages.ts';
import { CHANNEL_TIMEOUT, NOTIFICATION_CHANNELS, type NotificationChannel } from './notification-channels.ts';

/** Props of {@link OrderProcessing}. */
export interface OrderProcessingProps {
  readonly stage: StageSettings;
  readonly alarmTopic: ITopic;
  readonly bus: IEventBus;
  readonly ruleTargets: RuleTargets;
  readonly eventStore: EventStoreTable;
  /** The notifications topic; its per-channel queues get their consumers here. */
  readonly notifications: FanOutTopic;
}

/** Records per payment invocation: each may wait out one provider call. */
const PAYMENT_BATCH_SIZE = 5;
/** Time a payment invocation needs besides provider calls (event store reads and the append). */
const PAYMENT_MARGIN = Duration.seconds(10);
/** Consecutive provider failures that open the circuit in one execution environment. */
const PAYMENT_CIRCUIT_FAILURES = 5;
/**
 * Timeout of the projector and the notifier: they gather batches (`BATCHING.gathered`, 25 records) of
 * a few tens of milliseconds each (the projector writes once per order per batch). Kept short because
 * a batch that crashed is redelivered only after the queue's visibility timeout (6 × this + window,
 * 91 s): the read model lags by that much after a crash.
 */
const GATHERED_TIMEOUT = Duration.seconds(15);

/**
 * Composition of the order saga's consumers (stack-level wiring, no logic):
 * - saga: its intake (OrderPlaced) from the bus → rule → queue (+DLQ) → Lambda; its replies, like
 *   every stored event a consumer here takes, from the outbox straight to its queue (`outboxRoutes`);
 * - inventory, payment: outbox → queue (+DLQ) → Lambda, appending to the event store;
 * - projector: outbox → queue → Lambda → the order summary table (read model);
 * - notifier: order outcomes from the outbox → SNS notifications topic, with the message attributes
 *   the channel subscriptions filter on; email / sms / push consumers drain the topic's channel queues.
 * The saga, inventory and payment are on every order's critical path and take their records at once
 * (`BATCHING.immediate`; payment in smaller batches); the projector, notifier and channel consumers
 * are not, and gather up to 25 records for up to 1 s (`BATCHING.gathered`).
 * Every function gets only what its handler calls: event store actions on the event store table,
 * ChangeMessageVisibility on its queue and SendMessage on its DLQ (QueueConsumer), and its own extras.
 */
export class OrderProcessing extends Construct implements DeployedContext {
  readonly contextName = ordersCatalog.name;
  /** Order outcomes (and the intake's OrderPlaced) for other contexts and outside consumers. */
  readonly integrationEvents: readonly string[] = ORDER_INTEGRATION_EVENT_TYPES;
  readonly saga: BusConsumer;
  readonly inventory: QueueConsumer;
  readonly payment: QueueConsumer;
  readonly projector: QueueConsumer;
  readonly notifier: QueueConsumer;
  readonly channels: Readonly<Record<NotificationChannel, QueueConsumer>>;
  readonly summaries: OrderSummaryTable;

  constructor(scope: Construct, id: string, props: OrderProcessingProps) {
    super(scope, id);
    const { stage, eventStore } = props;
    const common = {
      stage,
      alarmTopic: props.alarmTopic,
      bus: props.bus,
      ruleTargets: props.ruleTargets,
    };
    const retry = { RETRY_BASE_SECONDS: String(stage.retryBase.toSeconds()) };
    const store = { TABLE_NAME: eventStore.table.tableName, ...retry };

    this.saga = new BusConsumer(this, 'Saga', {
      ...common,
      catalog: ordersCatalog,
      entry: 'functions/saga/handler.ts',
      serviceName: 'order-saga',
      // Its replies come from the outbox straight to its queue (`outboxRoutes`); the bus brings intake.
      intakeTypes: SAGA_INTAKE_RULE_TYPES,
      environment: { ...store, SAGA_STEP_TIMEOUT_MS: String(stage.sagaStepTimeout.toMilliseconds()) },
      maxReceiveCount: 5,
      ...BATCHING.immediate,
    });
    eventStore.grantEventStore(this.saga.function);
    // Step timers are delayed messages to its own queue (a standard queue: FIFO ignores per-message delay).
    this.saga.queue.grant(this.saga.function, 'sqs:SendMessage');

    this.inventory = new QueueConsumer(this, 'Inventory', {
      stage,
      alarmTopic: props.alarmTopic,
      entry: 'functions/inventory/handler.ts',
      serviceName: 'inventory',
      environment: store,
      maxReceiveCount: 5,
      ...BATCHING.immediate,
    });
    eventStore.grantEventStore(this.inventory.function);

    this.payment = this.createPayment(props, store);
    this.summaries = new OrderSummaryTable(this, 'OrderSummaries', { stage });
    this.projector = this.createProjector(props, this.summaries, retry);

    this.notifier = new QueueConsumer(this, 'Notifier', {
      stage,
      alarmTopic: props.alarmTopic,
      entry: 'functions/notifier/handler.ts',
      serviceName: 'notifier',
      environment: { TOPIC_ARN: props.notifications.topic.topicArn, ...retry },
      ...BATCHING.gathered,
      timeout: GATHERED_TIMEOUT,
    });
    props.notifications.grantPublish(this.notifier.function);

    this.channels = this.createChannels(props, store);
  }

  private createPayment(props: OrderProcessingProps, store: Record<string, string>): QueueConsumer {
    const { stage } = props;
    const callTimeout = stage.paymentCallTimeout;
    // A batch may wait out one provider call per record; the function must outlive all of them.
    const timeout = Duration.seconds(
      PAYMENT_BATCH_SIZE * callTimeout.toSeconds() + PAYMENT_MARGIN.toSeconds(),
    );
    const payment = new QueueConsumer(this, 'Payment', {
      stage,
      alarmTopic: props.alarmTopic,
      entry: 'functions/payment/handler.ts',
      serviceName: 'payment',
      // On the critical path: no batching window.
      batchSize: PAYMENT_BATCH_SIZE,
      timeout,
      // Provider outages retry with backoff until the saga's step timeout compensates.
      maxReceiveCount: 6,
      environment: {
        ...store,
        PAYMENT_CALL_TIMEOUT_MS: String(callTimeout.toMilliseconds()),
        CIRCUIT_FAILURE_THRESHOLD: String(PAYMENT_CIRCUIT_FAILURES),
        CIRCUIT_COOL_DOWN_MS: String(stage.paymentCircuitCoolDown.toMilliseconds()),
      },
    });
    props.eventStore.grantEventStore(payment.function);
    // The simulated provider's attempt counter (UpdateItem ADD) lives in the same table.
    props.eventStore.table.grant(payment.function, 'dynamodb:UpdateItem');
    return payment;
  }

  private createProjector(
    props: OrderProcessingProps,
    summaries: OrderSummaryTable,
    retry: Record<string, string>,
  ): QueueConsumer {
    const projector = new QueueConsumer(this, 'Projector', {
      stage: props.stage,
      alarmTopic: props.alarmTopic,
      entry: 'functions/projector/handler.ts',
      serviceName: 'order-projector',
      environment: {
        TABLE_NAME: summaries.table.tableName,
        EVENT_STORE_TABLE: props.eventStore.table.tableName,
        ...retry,
      },
      maxReceiveCount: 5,
      ...BATCHING.gathered,
      timeout: GATHERED_TIMEOUT,
    });
    summaries.grantProjection(projector.function);
    // It folds only events the store confirms holding (a query for the commit item holding the version its stored mark names).
    props.eventStore.grantStoredEventCheck(projector.function);
    return projector;
  }

  private createChannels(
    props: OrderProcessingProps,
    store: Record<string, string>,
  ): Record<NotificationChannel, QueueConsumer> {
    const channels = {} as Record<NotificationChannel, QueueConsumer>;
    for (const { name } of NOTIFICATION_CHANNELS) {
      const subscription = props.notifications.subscribers[name];
      if (!subscription) throw new Error(`notifications topic has no subscriber "${name}"`);
      const consumer = new QueueConsumer(this, `${name.charAt(0).toUpperCase()}${name.slice(1)}Channel`, {
        stage: props.stage,
        alarmTopic: props.alarmTopic,
        entry: 'functions/notification-channel/handler.ts',
        serviceName: `notify-${name}`,
        queue: subscription.queue,
        ...BATCHING.gathered,
        timeout: CHANNEL_TIMEOUT,
        environment: { ...store, CHANNEL: name },
      });
      props.eventStore.grantEventStore(consumer.function);
      props.eventStore.grantIdempotencyRecords(consumer.function);
      channels[name] = consumer;
    }
    return channels;
  }

  /**
   * What the outbox delivers straight to each consumer's queue: the stored events its handlers take
   * (`OUTBOX_QUEUE_ROUTES`). With `ORDER_INTEGRATION_EVENT_TYPES` on the bus, that is every route.
   */
  outboxRoutes(): { queue: IQueue; types: readonly string[] }[] {
    return [
      { queue: this.saga.queue, types: OUTBOX_QUEUE_ROUTES.saga },
      { queue: this.inventory.queue, types: OUTBOX_QUEUE_ROUTES.inventory },
      { queue: this.payment.queue, types: OUTBOX_QUEUE_ROUTES.payment },
      { queue: this.projector.queue, types: OUTBOX_QUEUE_ROUTES.projector },
      { queue: this.notifier.queue, types: OUTBOX_QUEUE_ROUTES.notifier },
    ];
  }

  /** Rows of the pipeline dashboard, one per consumer. */
  dashboardConsumers(): DashboardConsumer[] {
    const row = (name: string, consumer: QueueConsumer): DashboardConsumer => ({
      name,
      queue: consumer.queue,
      deadLetterQueue: consumer.deadLetterQueue,
      function: consumer.function,
    });
    return [
      row('saga', this.saga),
      row('inventory', this.inventory),
      row('payment', this.payment),
      row('projector', this.projector),
      row('notifier', this.notifier),
      ...NOTIFICATION_CHANNELS.map(({ name }) => row(`${name} notifications`, this.channels[name])),
    ];
  }
}

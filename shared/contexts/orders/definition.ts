import type { ContextConsumerDefinition, ContextDefinition } from '../../kit/context.ts';
import { streamTypeOf } from '../../kit/event-store/dynamodb-indexes.ts';
import { ORDER_SUMMARY_KEYS } from './adapters/dynamodb-order-summaries.ts';
import { ordersCatalog } from './events/catalog.ts';
import { NOTIFICATION_CHANNELS } from './events/common.ts';
import { ORDER_CONSUMER_TYPES, SAGA_INTAKE_RULE_TYPES } from './routes.ts';
import { ORDER_INTAKE_TYPES, ORDER_INTEGRATION_EVENT_TYPES } from './use-cases/intake.ts';
import { ORDER_SAGA_STREAM_PREFIX } from './use-cases/order-history.ts';

/**
 * The notifications topic's subscriptions: one queue per channel, each drained by its own channel
 * consumer (a slow SMS gateway never delays email). Each receives the order outcomes of the customers
 * who chose its channel: the outbox sets the `channels` attribute from the contact's choice and each
 * subscription filters on its own, so an email-only order costs the sms and push channels nothing (no
 * receive, delete or invocation to pass it over). The channel consumer still applies the choice, for
 * an outcome that carries no attribute (published by hand, or an older version).
 */
export const NOTIFICATION_SUBSCRIPTIONS = NOTIFICATION_CHANNELS.map((name) => ({
  name,
  types: ORDER_CONSUMER_TYPES.notificationChannel,
  where: { channels: [name] },
}));

/**
 * Timeout of the projector: it gathers batches (5 s of commits) of a few tens of milliseconds
 * each (the projector writes once per order per batch). Kept short because the stream's shard waits
 * while a batch runs, and a batch that crashed is retried only once this has passed.
 */
const GATHERED_TIMEOUT_SECONDS = 15;

/** A channel consumer gathers batches of 25 records, about a second per record (10 s for 10 was). */
const CHANNEL_TIMEOUT_SECONDS = 30;

/** One consumer per notification channel, on that channel's subscription queue. */
const channelConsumers: ContextConsumerDefinition[] = NOTIFICATION_CHANNELS.map((channel) => ({
  name: channel,
  entry: 'functions/notification-channel/handler.ts',
  serviceName: `notify-${channel}`,
  fromTopic: { topic: 'notifications', subscription: channel },
  batching: 'gathered',
  timeoutSeconds: CHANNEL_TIMEOUT_SECONDS,
  // The subscription queues' redrive, as before they were drained from a definition.
  maxReceiveCount: 3,
  environment: { CHANNEL: channel },
  // Reads the customer's preferences and records the delivery (`NotificationSent`) in the store,
  // once per order, channel and outcome (idempotency records next to the events).
  grants: ['eventStore', 'idempotencyRecords'],
  // Decrypts the one address it sends to; a forgotten customer is skipped with the reason.
  personalData: 'decrypt',
}));

/**
 * The orders context as deployed: an orchestrated saga with its participants, a read model and a
 * notification fan-out.
 * - saga: its intake (`OrderPlaced`) from the bus, its replies (every stored event its handlers take)
 *   from the outbox, its step timers as delayed messages to its own standard queue. Its intake rule
 *   takes every unstored order event, so a producer's misdirected event is refused to the DLQ with
 *   the reason rather than silently unmatched.
 * - inventory, payment: from the outbox, appending to the event store. Payment waits out at most one
 *   provider call per record, so it takes 5 records a batch and its timeout covers a full batch of
 *   calls; provider outages retry with backoff (6 receives) until the saga's step timeout
 *   compensates. The simulated provider's attempt counter (UpdateItem ADD) lives in the store's table.
 * - projector: folds every stored order event into the order summary table (the read model), reading
 *   the event store's change stream itself (no queue); granted that table's items only.
 * - notifications: the outbox publishes the stored order outcomes to the notifications topic itself,
 *   with the message attributes the channel subscriptions filter on (PublishBatch; an EventBridge →
 *   SNS target could not set them, and a forwarding consumer cost a queue hop per outcome); email /
 *   sms / push consumers drain the topic's channel queues.
 * The saga, inventory and payment are on every order's critical path (`immediate`); the projector
 * and channels are not (`gathered`). Its metrics stay in the `OrderPipeline` namespace under
 * their service names, and its outputs unprefixed (`SagaQueueUrl`, `OrderSummaryTableName`), the names
 * the dashboard, the CLI, the tests and the benches have always read.
 */
export const ordersContext: ContextDefinition = {
  name: ordersCatalog.name,
  catalog: ordersCatalog,
  integrationEvents: ORDER_INTEGRATION_EVENT_TYPES,
  metricsNamespace: 'OrderPipeline',
  outputPrefix: '',
  // `orders rebuild` lists the order saga streams; inventory, payment and notification streams are
  // read through their order, never listed.
  catalogedStreamTypes: [streamTypeOf(ORDER_SAGA_STREAM_PREFIX)],
  tables: [
    {
      // Key design in `adapters/dynamodb-order-summaries.ts`: one item per order, `byStatus` for listings.
      name: 'order-summary',
      partitionKey: ORDER_SUMMARY_KEYS.partitionKey,
      indexes: [
        {
          name: ORDER_SUMMARY_KEYS.statusIndex,
          partitionKey: ORDER_SUMMARY_KEYS.statusAttribute,
          sortKey: ORDER_SUMMARY_KEYS.updatedAtAttribute,
        },
      ],
    },
  ],
  // The outbox publishes the order outcomes to the topic itself: no forwarding consumer in between.
  topics: [
    {
      name: 'notifications',
      subscriptions: NOTIFICATION_SUBSCRIPTIONS,
      fromOutbox: true,
      attributes: { channels: 'contact.channels' },
    },
  ],
  consumers: [
    {
      name: 'saga',
      entry: 'functions/saga/handler.ts',
      serviceName: 'order-saga',
      intake: ORDER_INTAKE_TYPES,
      refuseUnstored: SAGA_INTAKE_RULE_TYPES,
      stored: ORDER_CONSUMER_TYPES.saga,
      timers: true,
      stageEnvironment: { SAGA_STEP_TIMEOUT_MS: 'sagaStepTimeout' },
      // Its intake encrypts a producer's clear contact under the customer's key before storing it.
      personalData: 'encrypt',
    },
    {
      name: 'inventory',
      entry: 'functions/inventory/handler.ts',
      serviceName: 'inventory',
      stored: ORDER_CONSUMER_TYPES.inventory,
    },
    {
      name: 'payment',
      entry: 'functions/payment/handler.ts',
      serviceName: 'payment',
      stored: ORDER_CONSUMER_TYPES.payment,
      batchSize: 5,
      // Besides the provider calls: event store reads and the append.
      timeoutPerRecord: { perRecord: 'paymentCallTimeout', marginSeconds: 10 },
      maxReceiveCount: 6,
      environment: { CIRCUIT_FAILURE_THRESHOLD: '5' },
      stageEnvironment: {
        PAYMENT_CALL_TIMEOUT_MS: 'paymentCallTimeout',
        CIRCUIT_COOL_DOWN_MS: 'paymentCircuitCoolDown',
      },
      grants: ['eventStore', 'eventStoreUpdate'],
    },
    {
      name: 'projector',
      entry: 'functions/projector/handler.ts',
      serviceName: 'order-projector',
      stored: ORDER_CONSUMER_TYPES.projector,
      // Straight from the store's change stream: what it folds is what the store holds, and the outbox
      // sends it nothing (it was most of the outbox's messages, each a send, a receive and a delete).
      fromStoreStream: true,
      batching: 'gathered',
      // An order's events that land in one batch are folded into one summary write (a put moves the
      // order in the status index too: ~2.5 write units). With 1 s an order's few events straddled
      // windows (2.2 puts per order at 1/s); 5 s gathers most orders whole, and the summary lags the
      // store by up to that much (the API's Prefer: wait answers from the store, not from here).
      gatherSeconds: 5,
      timeoutSeconds: GATHERED_TIMEOUT_SECONDS,
      // Consistent GetItem and conditional PutItem of summaries; it never reads the index.
      grants: [{ table: 'order-summary', env: 'TABLE_NAME', actions: ['GetItem', 'PutItem'] }],
    },
    ...channelConsumers,
  ],
};

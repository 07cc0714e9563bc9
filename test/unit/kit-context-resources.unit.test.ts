import { describe, expect, it } from 'vitest';
import { ordersContext } from '../../shared/contexts/orders/definition.ts';
import {
  type ContextConsumerDefinition,
  type ContextDefinition,
  contextOutputNames,
  outboxTopicTypes,
  validateContextDefinition,
} from '../../shared/kit/context.ts';
import { shopCatalog } from '../fakes/test-context.ts';

const entry = 'functions/onboarding/accounts.ts';

/**
 * The shop context with what a context may own and run beyond queues: a read-model table, a receipts
 * topic whose one subscription a consumer drains, a checkout saga with timers and refused unstored
 * events, and a payment consumer with a per-record timeout, stage durations and named grants.
 */
function shopContext(
  consumers: Partial<
    Record<'checkout' | 'payment' | 'carts' | 'mailer' | 'printer', ContextConsumerDefinition>
  > = {},
  overrides: Partial<ContextDefinition> = {},
): ContextDefinition {
  const defaults: Record<string, ContextConsumerDefinition> = {
    checkout: {
      name: 'checkout',
      entry,
      intake: ['CartCheckedOut'],
      refuseUnstored: ['ItemAdded'],
      stored: ['StockReserved', 'PaymentTaken'],
      timers: true,
      stageEnvironment: { STEP_TIMEOUT_MS: 'sagaStepTimeout' },
    },
    payment: {
      name: 'payment',
      entry,
      stored: ['PaymentRequested'],
      batchSize: 5,
      timeoutPerRecord: { perRecord: 'paymentCallTimeout', marginSeconds: 10 },
      maxReceiveCount: 6,
      grants: ['eventStore', 'eventStoreUpdate'],
    },
    carts: {
      name: 'carts',
      entry,
      stored: ['ItemAdded', 'ItemRemoved'],
      batching: 'gathered',
      grants: [{ table: 'carts', env: 'CARTS_TABLE', actions: ['GetItem', 'PutItem'] }, 'storedEventCheck'],
      eventStoreEnv: 'EVENT_STORE_TABLE',
    },
    mailer: {
      name: 'mailer',
      entry,
      stored: ['CheckoutCompleted'],
      grants: [{ publish: 'receipts', env: 'TOPIC_ARN' }],
    },
    printer: {
      name: 'printer',
      entry,
      fromTopic: { topic: 'receipts', subscription: 'paper' },
      grants: ['eventStore', 'idempotencyRecords'],
    },
  };
  return {
    name: 'shop',
    catalog: shopCatalog,
    integrationEvents: ['CartCheckedOut'],
    tables: [
      { name: 'carts', partitionKey: 'cartId', indexes: [{ name: 'byStatus', partitionKey: 'status' }] },
    ],
    topics: [{ name: 'receipts', subscriptions: [{ name: 'paper', types: ['CheckoutCompleted'] }] }],
    consumers: Object.values({ ...defaults, ...consumers }),
    ...overrides,
  };
}

/** A consumer of the shop context with some fields changed. */
function changed(
  name: 'checkout' | 'payment' | 'carts' | 'mailer' | 'printer',
  change: Partial<ContextConsumerDefinition>,
): ContextDefinition {
  const base = shopContext().consumers.find((consumer) => consumer.name === name);
  return shopContext({ [name]: { ...base, ...change } as ContextConsumerDefinition });
}

describe('validateContextDefinition: tables, topics, grants and run settings', () => {
  it('accepts a context with a table, a topic and consumers that use them', () => {
    expect(() => validateContextDefinition(shopContext())).not.toThrow();
  });

  it('names every output a context has: its queues and DLQs, tables and topics, under its prefix', () => {
    expect(contextOutputNames(shopContext())).toEqual([
      'ShopCheckoutQueueUrl',
      'ShopCheckoutDlqUrl',
      'ShopPaymentQueueUrl',
      'ShopPaymentDlqUrl',
      'ShopCartsQueueUrl',
      'ShopCartsDlqUrl',
      'ShopMailerQueueUrl',
      'ShopMailerDlqUrl',
      'ShopPrinterQueueUrl',
      'ShopPrinterDlqUrl',
      'ShopCartsTableName',
      'ShopReceiptsTopicArn',
    ]);
    expect(contextOutputNames(shopContext({}, { outputPrefix: '' }))).toContain('CartsTableName');
  });

  it.each([
    ['shop', 'outputPrefix must be empty or PascalCase letters and digits, got shop'],
    ['Shop-1', 'outputPrefix must be empty or PascalCase letters and digits, got Shop-1'],
  ])('refuses the output prefix %j', (outputPrefix, message) => {
    expect(() => validateContextDefinition(shopContext({}, { outputPrefix }))).toThrow(`shop.${message}`);
  });

  it.each([
    ['cart#1', 'catalogedStreamTypes: cart#1 is not a stream type (no #, comma or space)'],
    ['cart,order', 'catalogedStreamTypes: cart,order is not a stream type (no #, comma or space)'],
    ['', 'catalogedStreamTypes:  is not a stream type (no #, comma or space)'],
  ])('refuses the catalogued stream type %j', (type, message) => {
    expect(() => validateContextDefinition(shopContext({}, { catalogedStreamTypes: [type] }))).toThrow(
      `shop.${message}`,
    );
    expect(() =>
      validateContextDefinition(shopContext({}, { catalogedStreamTypes: ['cart'] })),
    ).not.toThrow();
  });

  it.each([
    [{ batchSize: 11 }, 'batchSize must be a whole number from 1 to 10 (immediate), got 11'],
    [{ batchSize: 0 }, 'batchSize must be a whole number from 1 to 10 (immediate), got 0'],
    [{ maxReceiveCount: 0 }, 'maxReceiveCount must be a whole number from 1 to 1000, got 0'],
    [{ maxReceiveCount: 2.5 }, 'maxReceiveCount must be a whole number from 1 to 1000, got 2.5'],
    [{ timeoutSeconds: 30 }, 'timeoutSeconds and timeoutPerRecord both set: give one'],
    [
      { timeoutPerRecord: { perRecord: 'paymentCallTimeout', marginSeconds: -1 } },
      'timeoutPerRecord.marginSeconds must be a whole number of seconds from 0 to 900, got -1',
    ],
    [
      { timeoutPerRecord: { perRecord: 'call-timeout', marginSeconds: 10 } },
      'timeoutPerRecord.perRecord: call-timeout is not a stage setting name (lowerCamelCase)',
    ],
    [{ serviceName: 'Payment' }, 'serviceName must be lower-case kebab, got Payment'],
  ] as const)('refuses the run setting %j, naming the field', (change, message) => {
    const definition = changed('payment', change as Partial<ContextConsumerDefinition>);
    expect(() => validateContextDefinition(definition)).toThrow(`shop.consumers.payment: ${message}`);
  });

  it('takes up to 10,000 records a batch when the consumer gathers them', () => {
    expect(() => validateContextDefinition(changed('carts', { batchSize: 100 }))).not.toThrow();
    expect(() => validateContextDefinition(changed('carts', { batchSize: 10_001 }))).toThrow(
      'shop.consumers.carts: batchSize must be a whole number from 1 to 10000 (gathered), got 10001',
    );
  });

  it('refuses two consumers under one service name, which would add up in the metrics', () => {
    const definition = changed('carts', { serviceName: 'shop-payment' });
    expect(() => validateContextDefinition(definition)).toThrow(
      "shop.consumers.carts: serviceName shop-payment is already payment's",
    );
  });

  it.each([
    [{ grants: ['eventStore', 'eventStoreWrite'] }, 'grants: eventStoreWrite is not a grant'],
    [{ grants: ['eventStore', 'eventStore'] }, 'grants: "eventStore" is granted twice'],
    [
      { grants: [{ publish: 'invoices', env: 'TOPIC_ARN' }] },
      "grants: publish invoices is not one of the context's topics",
    ],
    [
      { grants: [{ table: 'orders', env: 'TABLE', actions: ['GetItem'] }] },
      "grants: table orders is not one of the context's tables",
    ],
    [{ grants: [{ table: 'carts', env: 'CARTS', actions: [] }] }, 'grants: table carts grants no action'],
    [
      { grants: [{ table: 'carts', env: 'CARTS', actions: ['Scan'] }] },
      'grants: table carts: Scan is not an item action',
    ],
    [
      { grants: [{ publish: 'receipts', env: 'topicArn' }] },
      'grants.publish receipts: topicArn is not an environment variable name',
    ],
    [{ eventStoreEnv: 'STORE', grants: [] }, 'eventStoreEnv is set but it has no event store grant'],
  ] as const)('refuses the grants %j, naming the field', (change, message) => {
    const definition = changed('payment', change as unknown as Partial<ContextConsumerDefinition>);
    expect(() => validateContextDefinition(definition)).toThrow(`shop.consumers.payment: ${message}`);
  });

  it('refuses a variable set twice or one the kit sets for every consumer', () => {
    expect(() => validateContextDefinition(changed('carts', { environment: { CARTS_TABLE: 'x' } }))).toThrow(
      'shop.consumers.carts: grants.table carts: CARTS_TABLE is already set by environment',
    );
    expect(() => validateContextDefinition(changed('carts', { eventStoreEnv: 'CARTS_TABLE' }))).toThrow(
      'shop.consumers.carts: eventStoreEnv: CARTS_TABLE is already set by grants.table carts',
    );
    expect(() => validateContextDefinition(changed('payment', { environment: { QUEUE_URL: 'x' } }))).toThrow(
      'shop.consumers.payment: environment: QUEUE_URL is set by the kit for every consumer',
    );
    expect(() =>
      validateContextDefinition(
        changed('checkout', { stageEnvironment: { STEP_TIMEOUT_MS: 'Step Timeout' } }),
      ),
    ).toThrow(
      'shop.consumers.checkout: stageEnvironment.STEP_TIMEOUT_MS: Step Timeout is not a stage setting name (lowerCamelCase)',
    );
  });

  it('refuses timers on an ordered (FIFO) queue, which ignores per-message delay', () => {
    const definition = changed('checkout', {
      intake: undefined,
      refuseUnstored: undefined,
      ordered: true,
    });
    expect(() => validateContextDefinition(definition)).toThrow(
      'shop.consumers.checkout: timers need a standard queue: an ordered consumer has none',
    );
  });

  it('refuses unstored events to refuse without an intake rule to bring them', () => {
    const definition = changed('checkout', { intake: undefined });
    expect(() => validateContextDefinition(definition)).toThrow(
      'shop.consumers.checkout: refuseUnstored needs an intake: they arrive through its intake rule',
    );
  });

  it('refuses a topic consumer that names an unknown topic or subscription, or takes more than it', () => {
    expect(() =>
      validateContextDefinition(
        changed('printer', { fromTopic: { topic: 'letters', subscription: 'paper' } }),
      ),
    ).toThrow("shop.consumers.printer: fromTopic.topic letters is not one of the context's topics");
    expect(() =>
      validateContextDefinition(
        changed('printer', { fromTopic: { topic: 'receipts', subscription: 'ink' } }),
      ),
    ).toThrow('shop.consumers.printer: fromTopic.subscription ink is not a subscription of receipts');
    expect(() => validateContextDefinition(changed('printer', { stored: ['ItemAdded'] }))).toThrow(
      'shop.consumers.printer: a fromTopic consumer takes only its subscription',
    );
    expect(() => validateContextDefinition(changed('printer', { timers: true }))).toThrow(
      'shop.consumers.printer: timers are sent to its own queue: a fromTopic consumer has none',
    );
  });

  it('refuses a subscription no consumer drains, or one two consumers drain', () => {
    const { printer: _drainer, ...others } = Object.fromEntries(
      shopContext().consumers.map((consumer) => [consumer.name, consumer]),
    );
    const undrained: ContextDefinition = { ...shopContext(), consumers: Object.values(others) };
    expect(() => validateContextDefinition(undrained)).toThrow(
      'shop.topics.receipts.subscriptions.paper: no consumer drains it (fromTopic)',
    );
    const twice: ContextDefinition = {
      ...shopContext(),
      consumers: [
        ...shopContext().consumers,
        { name: 'copier', entry, fromTopic: { topic: 'receipts', subscription: 'paper' } },
      ],
    };
    expect(() => validateContextDefinition(twice)).toThrow(
      'shop.consumers.copier: fromTopic receipts/paper is already drained by printer',
    );
  });

  it.each([
    [
      { tables: [{ name: 'Carts', partitionKey: 'cartId' }] },
      'shop.tables.Carts: name must be lower-case kebab',
    ],
    [
      {
        tables: [
          { name: 'carts', partitionKey: 'cartId' },
          { name: 'carts', partitionKey: 'id' },
        ],
      },
      'shop.tables.carts: defined twice',
    ],
    [
      { tables: [{ name: 'carts', partitionKey: '' }] },
      'shop.tables.carts: partitionKey must name an attribute',
    ],
    [
      { tables: [{ name: 'carts', partitionKey: 'cartId', indexes: [{ name: 'by', partitionKey: 's' }] }] },
      'shop.tables.carts: indexes.by: name must be 3-255 of A-Z a-z 0-9 _ . -',
    ],
    [
      { topics: [{ name: 'receipts', subscriptions: [] }] },
      'shop.topics.receipts: at least one subscription is required',
    ],
    [
      { topics: [{ name: 'receipts', subscriptions: [{ name: 'paper', types: ['Receipt'] }] }] },
      'shop.topics.receipts.subscriptions.paper.types: Receipt is not in the catalog',
    ],
    [
      { topics: [{ name: 'receipts', subscriptions: [{ name: 'Paper', types: ['CheckoutCompleted'] }] }] },
      'shop.topics.receipts.subscriptions.Paper: name must be lower-case kebab, at most 31 characters',
    ],
    [
      // The mailer publishes to receipts: with the outbox publishing too, each receipt would go twice.
      {
        topics: [
          {
            name: 'receipts',
            fromOutbox: true,
            subscriptions: [{ name: 'paper', types: ['CheckoutCompleted'] }],
          },
        ],
      },
      'shop.topics.receipts: fed by the outbox (fromOutbox), so mailer must not publish to it',
    ],
  ] as const)('refuses the resources %j, naming the field', (overrides, message) => {
    const definition = shopContext({}, overrides as unknown as Partial<ContextDefinition>);
    expect(() => validateContextDefinition(definition)).toThrow(message);
  });
});

describe('validateContextDefinition: attributes a topic filters on', () => {
  /** The shop with its receipts topic fed by the outbox (the mailer no longer publishes to it). */
  const fedByOutbox = (topic: Record<string, unknown>, where?: Record<string, readonly string[]>) =>
    shopContext(
      { mailer: { name: 'mailer', entry: 'functions/onboarding/welcome.ts', stored: ['CheckoutCompleted'] } },
      {
        topics: [
          {
            name: 'receipts',
            fromOutbox: true,
            subscriptions: [{ name: 'paper', types: ['CheckoutCompleted'], ...(where ? { where } : {}) }],
            ...topic,
          },
        ],
      },
    );

  it('accepts an attribute from a string of the data that a subscription filters on', () => {
    expect(() =>
      validateContextDefinition(fedByOutbox({ attributes: { cart: 'cartId' } }, { cart: ['cart-1'] })),
    ).not.toThrow();
  });

  it('refuses an attribute from a personal field, since attributes travel in clear', () => {
    const [notifications] = ordersContext.topics ?? [];
    const exposing = {
      ...ordersContext,
      topics: [{ ...notifications, attributes: { channels: 'contact.channels', email: 'contact.email' } }],
    } as ContextDefinition;
    expect(() => validateContextDefinition(exposing)).toThrow(
      'orders.topics.notifications.attributes.email: contact.email of OrderConfirmed is personal data',
    );
    expect(() => validateContextDefinition(ordersContext)).not.toThrow();
  });

  it.each([
    [
      { attributes: { cart: 'cartId' } },
      { till: ['a'] },
      "paper.where.till: not one of the topic's attributes",
    ],
    [{ attributes: { cart: 'cartId' } }, { cart: [] }, 'paper.where.cart: list at least one non-empty value'],
    [{ attributes: { type: 'cartId' } }, undefined, 'attributes.type: a message attribute name'],
    [{ attributes: { cart: 'cart id' } }, undefined, 'cart id is not a dotted path'],
    [{ attributes: { cart: 'total' } }, undefined, "total of CheckoutCompleted's example is not a string"],
    [{ attributes: { cart: 'items.sku' } }, undefined, "items.sku of CheckoutCompleted's example is not"],
    [
      { fromOutbox: false, attributes: { cart: 'cartId' } },
      undefined,
      'attributes: only the outbox sets them (fromOutbox)',
    ],
  ] as const)('refuses the topic %j with the filter %j: %s', (topic, where, message) => {
    expect(() => validateContextDefinition(fedByOutbox(topic, where))).toThrow(message);
  });
});

describe('outboxTopicTypes: what the outbox publishes to a topic it feeds', () => {
  it('is every type its subscriptions take, once, and nothing for a topic a consumer publishes to', () => {
    const subscriptions = [
      { name: 'paper', types: ['CheckoutCompleted'] },
      { name: 'mail', types: ['CheckoutCompleted', 'CartCheckedOut'] },
    ];
    expect(outboxTopicTypes({ name: 'receipts', fromOutbox: true, subscriptions })).toEqual([
      'CheckoutCompleted',
      'CartCheckedOut',
    ]);
    expect(outboxTopicTypes({ name: 'receipts', subscriptions })).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import {
  type ContextConsumerDefinition,
  type ContextDefinition,
  validateContextDefinition,
} from '../../shared/kit/context.ts';
import { defineCatalog } from '../../shared/kit/events/catalog.ts';
import { CartCheckedOut, ItemAdded, shopCatalog } from '../fakes/test-context.ts';

const cart: ContextConsumerDefinition = {
  name: 'cart',
  entry: 'functions/onboarding/accounts.ts',
  intake: ['ItemAdded', 'ItemRemoved'],
};
const checkout: ContextConsumerDefinition = {
  name: 'checkout',
  entry: 'functions/onboarding/welcome.ts',
  stored: ['ItemAdded', 'ItemRemoved'],
  ordered: true,
};
const receipts: ContextConsumerDefinition = {
  name: 'receipts',
  entry: 'functions/onboarding/settings.ts',
  fromBus: ['CartCheckedOut'],
};

/** A valid shop context; each test changes one thing. */
function shopContext(overrides: Partial<ContextDefinition> = {}): ContextDefinition {
  return {
    name: 'shop',
    catalog: shopCatalog,
    integrationEvents: ['CartCheckedOut'],
    consumers: [cart, checkout, receipts],
    ...overrides,
  };
}

/** The shop context with one more consumer. */
function withConsumer(consumer: ContextConsumerDefinition): ContextDefinition {
  return shopContext({ consumers: [cart, consumer] });
}

describe('validateContextDefinition', () => {
  it('accepts a context with intake, stored, fromBus and ordered consumers of its own catalog', () => {
    // Act
    const validate = () => validateContextDefinition(shopContext());

    // Assert
    expect(validate).not.toThrow();
  });

  it('accepts foreign integration events its catalog includes in a fromBus consumer', () => {
    // Arrange
    const billing = defineCatalog('billing', [], { foreign: [CartCheckedOut] });
    const definition: ContextDefinition = {
      name: 'billing',
      catalog: billing,
      integrationEvents: [],
      consumers: [
        { name: 'invoices', entry: 'functions/onboarding/accounts.ts', fromBus: ['CartCheckedOut'] },
      ],
    };

    // Act
    const validate = () => validateContextDefinition(definition);

    // Assert
    expect(validate).not.toThrow();
  });

  it('refuses a context name that is not the name of its catalog', () => {
    // Act
    const validate = () => validateContextDefinition(shopContext({ name: 'cart' }));

    // Assert
    expect(validate).toThrow('cart: its catalog is named shop');
  });

  it.each(['Shop', 'shop_cart', '9shop', ''])('refuses the non-kebab context name %j', (name) => {
    // Act
    const validate = () => validateContextDefinition(shopContext({ name }));

    // Assert
    expect(validate).toThrow(`context name must be lower-case kebab: ${name}`);
  });

  it('refuses an integration event the catalog does not hold', () => {
    // Act
    const validate = () =>
      validateContextDefinition(shopContext({ integrationEvents: ['CartCheckedOut', 'OrderPlaced'] }));

    // Assert
    expect(validate).toThrow('shop.integrationEvents: OrderPlaced is not in the catalog');
  });

  it.each([
    ['stored', { stored: ['ItemAdded', 'ItemAded'] }],
    ['intake', { intake: ['ItemAded'] }],
    ['fromBus', { fromBus: ['ItemAded'] }],
  ] as const)('refuses an unknown type in a consumer %s list, naming the field', (field, types) => {
    // Arrange
    const consumer: ContextConsumerDefinition = {
      name: 'audit',
      entry: 'functions/onboarding/accounts.ts',
      ...types,
    };

    // Act
    const validate = () => validateContextDefinition(withConsumer(consumer));

    // Assert
    expect(validate).toThrow(`shop.consumers.audit.${field}: ItemAded is not in the catalog`);
  });

  it('refuses a consumer that takes no event type, with or without empty lists', () => {
    // Arrange
    const bare: ContextConsumerDefinition = { name: 'idle', entry: 'functions/onboarding/accounts.ts' };
    const empty: ContextConsumerDefinition = { ...bare, stored: [], intake: [], fromBus: [] };

    // Act
    const validateBare = () => validateContextDefinition(withConsumer(bare));
    const validateEmpty = () => validateContextDefinition(withConsumer(empty));

    // Assert
    expect(validateBare).toThrow('shop.consumers.idle: takes no event type');
    expect(validateEmpty).toThrow('shop.consumers.idle: takes no event type');
  });

  it('refuses a context without consumers', () => {
    // Act
    const validate = () => validateContextDefinition(shopContext({ consumers: [] }));

    // Assert
    expect(validate).toThrow('shop: at least one consumer is required');
  });

  it('refuses two consumers of the same name', () => {
    // Arrange
    const twin: ContextConsumerDefinition = { ...receipts, fromBus: undefined, stored: ['CartCheckedOut'] };

    // Act
    const validate = () => validateContextDefinition(shopContext({ consumers: [cart, receipts, twin] }));

    // Assert
    expect(validate).toThrow('shop.consumers.receipts: defined twice');
  });

  it.each(['Cart', 'cart_projector', '2cart', 'cart projector'])(
    'refuses the non-kebab consumer name %j',
    (name) => {
      // Act
      const validate = () => validateContextDefinition(withConsumer({ ...receipts, name }));

      // Assert
      expect(validate).toThrow(`shop.consumers.${name}: name must be lower-case kebab`);
    },
  );

  it.each([
    ['intake', { intake: ['ItemAdded'] }],
    ['fromBus', { fromBus: ['CartCheckedOut'] }],
  ] as const)('refuses an ordered consumer fed by the bus through %s', (_field, types) => {
    // Arrange
    const consumer: ContextConsumerDefinition = {
      name: 'ledger',
      entry: 'functions/onboarding/profiles.ts',
      stored: ['ItemRemoved'],
      ordered: true,
      ...types,
    };

    // Act
    const validate = () => validateContextDefinition(withConsumer(consumer));

    // Assert
    expect(validate).toThrow('shop.consumers.ledger: an ordered (FIFO) consumer is fed by the outbox only');
  });

  it('accepts an ordered consumer fed by the outbox alone', () => {
    // Arrange
    const consumer: ContextConsumerDefinition = {
      name: 'ledger',
      entry: 'functions/onboarding/profiles.ts',
      stored: [ItemAdded.type, 'ItemRemoved'],
      ordered: true,
    };

    // Act
    const validate = () => validateContextDefinition(withConsumer(consumer));

    // Assert
    expect(validate).not.toThrow();
  });
});

describe('validateContextDefinition: definitions that would deploy wrongly', () => {
  const base = (consumers: readonly ContextConsumerDefinition[]): ContextDefinition => ({
    name: 'shop',
    catalog: shopCatalog,
    integrationEvents: ['CartCheckedOut'],
    consumers,
  });
  const entry = 'functions/onboarding/accounts.ts';

  it('refuses two consumers whose names meet in one construct id', () => {
    const validate = () =>
      validateContextDefinition(
        base([
          { name: 'cart-1', entry, stored: ['ItemAdded'] },
          { name: 'cart1', entry, stored: ['ItemRemoved'] },
        ]),
      );
    expect(validate).toThrow('shop.consumers.cart1: defined twice (or named like cart-1: both are Cart1)');
  });

  it('refuses a name with a trailing or doubled hyphen', () => {
    expect(() => validateContextDefinition(base([{ name: 'cart-', entry, stored: ['ItemAdded'] }]))).toThrow(
      /lower-case kebab/,
    );
    expect(() => validateContextDefinition(base([{ name: 'a--b', entry, stored: ['ItemAdded'] }]))).toThrow(
      /lower-case kebab/,
    );
  });

  it('refuses a second intake for one command: one writer at the door', () => {
    const validate = () =>
      validateContextDefinition(
        base([
          { name: 'cart', entry, intake: ['ItemAdded'] },
          { name: 'audit', entry, intake: ['ItemAdded'] },
        ]),
      );
    expect(validate).toThrow(
      'shop.consumers.audit: ItemAdded already has an intake (cart): one writer per command',
    );
  });

  it('refuses a type taken both stored and from the bus, which would arrive twice', () => {
    const validate = () =>
      validateContextDefinition(
        base([{ name: 'receipts', entry, stored: ['CartCheckedOut'], fromBus: ['CartCheckedOut'] }]),
      );
    expect(validate).toThrow('shop.consumers.receipts: CartCheckedOut both stored and fromBus');
  });

  it('refuses a bus rule for an own event the outbox never puts on the bus', () => {
    const validate = () =>
      validateContextDefinition(base([{ name: 'receipts', entry, fromBus: ['ItemAdded'] }]));
    expect(validate).toThrow(/fromBus ItemAdded is this context's own event but not an integration event/);
  });

  it('refuses an ordered consumer with a batching window, a bad timeout or an entry outside functions/', () => {
    expect(() =>
      validateContextDefinition(
        base([{ name: 'ledger', entry, stored: ['ItemAdded'], ordered: true, batching: 'gathered' }]),
      ),
    ).toThrow(/takes no batching window/);
    expect(() =>
      validateContextDefinition(
        base([{ name: 'ledger', entry, stored: ['ItemAdded'], timeoutSeconds: 0.5 }]),
      ),
    ).toThrow(/timeoutSeconds must be a whole number of seconds from 1 to 900, got 0.5/);
    expect(() =>
      validateContextDefinition(base([{ name: 'ledger', entry: 'src/ledger.ts', stored: ['ItemAdded'] }])),
    ).toThrow(/entry must be functions\/<folder>\/<file>.ts/);
  });

  it('gives a gathered consumer its own window, from 1 to 300 s, and refuses one to an immediate consumer', () => {
    const view = { name: 'cart-view', entry, stored: ['ItemAdded'], batching: 'gathered' } as const;
    expect(() => validateContextDefinition(base([{ ...view, gatherSeconds: 5 }]))).not.toThrow();
    expect(() => validateContextDefinition(base([{ ...view, gatherSeconds: 301 }]))).toThrow(
      'gatherSeconds must be a whole number from 1 to 300, got 301',
    );
    expect(() => validateContextDefinition(base([{ ...view, gatherSeconds: 0.5 }]))).toThrow(/got 0.5/);
    expect(() =>
      validateContextDefinition(base([{ ...view, batching: 'immediate', gatherSeconds: 5 }])),
    ).toThrow("gatherSeconds is the window of batching: 'gathered'");
  });

  it('accepts a read model that takes stored events from the store stream, and refuses it anything else', () => {
    const view = { name: 'cart-view', entry, stored: ['ItemAdded'], fromStoreStream: true } as const;
    expect(() => validateContextDefinition(base([view]))).not.toThrow();
    expect(() =>
      validateContextDefinition(base([{ ...view, stored: [], fromBus: ['CartCheckedOut'] }])),
    ).toThrow('shop.consumers.cart-view: fromStoreStream takes stored events: list them in stored');
    expect(() => validateContextDefinition(base([{ ...view, intake: ['ItemRemoved'] }]))).toThrow(
      /fromStoreStream reads the store only/,
    );
    expect(() => validateContextDefinition(base([{ ...view, timers: true }]))).toThrow(/has none/);
    expect(() => validateContextDefinition(base([{ ...view, maxReceiveCount: 3 }]))).toThrow(
      /maxReceiveCount is a queue setting/,
    );
  });
});

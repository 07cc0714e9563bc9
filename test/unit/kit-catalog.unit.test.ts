import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { ValidationError } from '../../shared/kit/errors/pipeline-error.ts';
import { defineCatalog, mergeCatalogs } from '../../shared/kit/events/catalog.ts';
import { defineEvent, previousVersion } from '../../shared/kit/events/define.ts';
import { SAGA_TIMER_TYPE, SagaStepTimedOut } from '../../shared/kit/saga/timer-event.ts';
import {
  CartCheckedOut,
  ItemAdded,
  ItemRemoved,
  SHOP_CORRELATION_ID,
  shopCatalog,
  shopEvent,
} from '../fakes/test-context.ts';

/** Runs `act` and returns what it threw (the test fails if it throws nothing). */
function thrownBy(act: () => unknown): unknown {
  try {
    act();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

/** Runs `act` and returns the ValidationError it threw. */
function validationErrorOf(act: () => unknown): ValidationError {
  const error = thrownBy(act);
  expect(error).toBeInstanceOf(ValidationError);
  return error as ValidationError;
}

/** The shop's types in catalog order: the cart's, the checkout saga's, then the kit's saga timer. */
const SHOP_TYPES = [
  'ItemAdded',
  'ItemRemoved',
  'CartCheckedOut',
  'StockReservationRequested',
  'StockReserved',
  'StockReservationFailed',
  'StockReleaseRequested',
  'StockReleased',
  'PaymentRequested',
  'PaymentTaken',
  'PaymentRefused',
  'RefundRequested',
  'PaymentRefunded',
  'ReceiptSent',
  'CheckoutCompleted',
  'CheckoutCancelled',
  'CheckoutRejected',
  SAGA_TIMER_TYPE,
];

/** A plain copy of a valid ItemAdded envelope, to corrupt one field at a time. */
function rawItemAdded(): Record<string, unknown> {
  return structuredClone(shopEvent('ItemAdded', { cartId: 'cart-7', sku: 'SKU-1', qty: 1 })) as Record<
    string,
    unknown
  >;
}

const billingSchema = z.object({ invoiceId: z.string().min(1), cartId: z.string().min(1) });
const InvoiceIssued = defineEvent({
  type: 'InvoiceIssued',
  source: 'billing.invoices',
  description: 'An invoice was issued for a checked-out cart.',
  version: 1,
  schema: billingSchema,
  example: { invoiceId: 'inv-1', cartId: 'cart-1' },
});

describe('defineCatalog', () => {
  it('builds a catalog whose types are its definitions in order, the saga timer included', () => {
    // Act
    const { name, types } = shopCatalog;

    // Assert
    expect(name).toBe('shop');
    expect(types).toEqual(SHOP_TYPES);
    // The kit's one timer definition (each timer envelope carries its saga's source instead).
    expect(shopCatalog.definitionOf(SAGA_TIMER_TYPE).source).toBe('pipeline.saga');
  });

  it('refuses an owned event whose source lies outside the catalog name prefix', () => {
    // Arrange
    const foreignSource = defineEvent({
      type: 'CouponApplied',
      source: 'shopping.cart',
      description: 'A coupon was applied.',
      version: 1,
      schema: z.object({ code: z.string() }),
      example: { code: 'X' },
    });

    // Act
    const define = () => defineCatalog('shop', [ItemAdded, foreignSource]);

    // Assert
    expect(define).toThrow('CouponApplied: source shopping.cart must start with shop.');
  });

  it('refuses a source that is the bare catalog name without a service', () => {
    // Arrange
    const bare = defineEvent({
      type: 'CartOpened',
      source: 'shop',
      description: 'A cart was opened.',
      version: 1,
      schema: z.object({ cartId: z.string() }),
      example: { cartId: 'c' },
    });

    // Act
    const define = () => defineCatalog('shop', [bare]);

    // Assert
    expect(define).toThrow(/source shop must start with shop\./);
  });

  it('refuses a type defined twice, among its own events or between own and foreign ones', () => {
    // Act
    const ownTwice = () => defineCatalog('shop', [ItemAdded, ItemRemoved, ItemAdded]);
    const ownAndForeign = () => defineCatalog('shop', [ItemAdded], { foreign: [ItemAdded] });

    // Assert
    expect(ownTwice).toThrow('event type ItemAdded is defined twice');
    expect(ownAndForeign).toThrow('event type ItemAdded is defined twice');
  });

  it.each(['Shop', 'shop_cart', '1shop', 'shop.cart', ''])(
    'refuses the non-kebab catalog name %j',
    (name) => {
      // Act
      const define = () => defineCatalog(name, []);

      // Assert
      expect(define).toThrow(/must be lower-case kebab/);
    },
  );

  it('accepts a foreign definition whatever its source, as its owner defines it', () => {
    // Act
    const billing = defineCatalog('billing', [InvoiceIssued], { foreign: [CartCheckedOut] });

    // Assert
    expect(billing.types).toEqual(['InvoiceIssued', 'CartCheckedOut']);
    expect(billing.definitionOf('CartCheckedOut')).toBe(CartCheckedOut);
  });
});

describe('Catalog.parse', () => {
  it('returns a valid event unchanged at its newest version', () => {
    // Arrange
    const raw = rawItemAdded();

    // Act
    const event = shopCatalog.parse(raw);

    // Assert
    expect(event).toEqual(raw);
    expect(event.type).toBe('ItemAdded');
  });

  it('names the data field that fails its schema, under the path prefix when one is given', () => {
    // Arrange
    const raw = rawItemAdded();
    (raw.data as Record<string, unknown>).qty = 0;

    // Act
    const bare = validationErrorOf(() => shopCatalog.parse(raw));
    const prefixed = validationErrorOf(() => shopCatalog.parse(raw, { pathPrefix: 'detail' }));

    // Assert
    expect(bare.path).toBe('data.qty');
    expect(bare.message).toMatch(/^data\.qty: /);
    expect(prefixed.path).toBe('detail.data.qty');
    expect(bare.retryable).toBe(false);
  });

  it('refuses a fractional quantity, naming data.qty', () => {
    // Arrange
    const raw = rawItemAdded();
    (raw.data as Record<string, unknown>).qty = 1.5;

    // Act
    const error = validationErrorOf(() => shopCatalog.parse(raw));

    // Assert
    expect(error.path).toBe('data.qty');
  });

  it('names the envelope field that is missing', () => {
    // Arrange
    const raw = rawItemAdded();
    delete raw.correlationId;

    // Act
    const error = validationErrorOf(() => shopCatalog.parse(raw));

    // Assert
    expect(error.path).toBe('correlationId');
  });

  it('suggests the nearest type name for a misspelled type', () => {
    // Arrange
    const raw = { ...rawItemAdded(), type: 'ItemAded' };

    // Act
    const error = validationErrorOf(() => shopCatalog.parse(raw, { pathPrefix: 'detail' }));

    // Assert
    expect(error.path).toBe('detail.type');
    expect(error.message).toBe("detail.type: unknown event type 'ItemAded'; did you mean ItemAdded?");
  });

  it('lists the known types when no name is near the unknown one', () => {
    // Arrange
    const raw = { ...rawItemAdded(), type: 'OrderPlaced' };

    // Act
    const error = validationErrorOf(() => shopCatalog.parse(raw));

    // Assert
    expect(error.path).toBe('type');
    expect(error.message).toContain(`known types: ${SHOP_TYPES.join(', ')}`);
  });

  it('lists the known versions for a version the type never had', () => {
    // Arrange
    const raw = { ...rawItemAdded(), version: 2 };

    // Act
    const error = validationErrorOf(() => shopCatalog.parse(raw));

    // Assert
    expect(error.path).toBe('version');
    expect(error.message).toBe('version: unknown version 2 of ItemAdded; known versions: 1');
  });

  it('refuses a value that is not a JSON object', () => {
    // Act
    const error = validationErrorOf(() => shopCatalog.parse([rawItemAdded()], { pathPrefix: 'detail' }));

    // Assert
    expect(error.path).toBe('detail');
    expect(error.message).toMatch(/must be a JSON object/);
  });
});

describe('Catalog.parse with older versions', () => {
  const v2Schema = z.object({
    cartId: z.string().min(1),
    sku: z.string().min(1),
    qty: z.number().int().min(1),
  });
  const ItemAddedV2 = defineEvent({
    type: 'ItemAdded',
    source: 'shop.cart',
    description: 'An item was put in a cart, with its quantity.',
    version: 2,
    schema: v2Schema,
    example: { cartId: 'cart-1', sku: 'SKU-1', qty: 3 },
    previous: [
      previousVersion(v2Schema, {
        version: 1,
        description: 'One item per event.',
        schema: z.object({ cartId: z.string().min(1), sku: z.string().min(1) }),
        example: { cartId: 'cart-1', sku: 'SKU-1' },
        upcast: ({ cartId, sku }) => ({ cartId, sku, qty: 1 }),
      }),
    ],
  });
  const versioned = defineCatalog('shop', [ItemAddedV2]);

  it('upcasts a stored v1 event to the newest version', () => {
    // Arrange
    const raw = { ...rawItemAdded(), version: 1, data: { cartId: 'cart-7', sku: 'SKU-1' } };

    // Act
    const event = versioned.parse(raw);

    // Assert
    expect(event.version).toBe(2);
    expect(event.data).toEqual({ cartId: 'cart-7', sku: 'SKU-1', qty: 1 });
  });

  it('lists every known version for an unknown one', () => {
    // Arrange
    const raw = { ...rawItemAdded(), version: 3 };

    // Act
    const error = validationErrorOf(() => versioned.parse(raw));

    // Assert
    expect(error.message).toBe('version: unknown version 3 of ItemAdded; known versions: 1, 2');
  });

  it('describes one row per version, oldest first, only the newest marked latest', () => {
    // Act
    const rows = versioned.describe();
    const versions = versioned.versions();

    // Assert
    expect(rows).toEqual([
      {
        type: 'ItemAdded',
        version: 1,
        latest: false,
        source: 'shop.cart',
        description: 'One item per event.',
      },
      {
        type: 'ItemAdded',
        version: 2,
        latest: true,
        source: 'shop.cart',
        description: 'An item was put in a cart, with its quantity.',
      },
    ]);
    expect(versions.map(({ example }) => example)).toEqual([
      { cartId: 'cart-1', sku: 'SKU-1' },
      { cartId: 'cart-1', sku: 'SKU-1', qty: 3 },
    ]);
    expect(versions[1]?.schema).toBe(v2Schema);
  });
});

describe('Catalog.create', () => {
  it('builds a newest-version envelope owned by the defining service, with the fixed test correlation', () => {
    // Arrange
    const deps = { now: () => new Date('2026-01-02T03:04:05.000Z'), newId: () => 'evt-1' };

    // Act
    const event = shopEvent('CartCheckedOut', { cartId: 'cart-1', total: 12.5 }, {}, deps);

    // Assert
    expect(event).toEqual({
      id: 'evt-1',
      type: 'CartCheckedOut',
      version: 1,
      source: 'shop.checkout',
      time: '2026-01-02T03:04:05.000Z',
      correlationId: SHOP_CORRELATION_ID,
      data: { cartId: 'cart-1', total: 12.5 },
    });
  });

  it('refuses a type the catalog lacks, suggesting the nearest', () => {
    // Act
    const error = validationErrorOf(() =>
      shopCatalog.create('ItemRemovd' as 'ItemRemoved', { cartId: 'c', sku: 's' }, { correlationId: 'c' }),
    );

    // Assert
    expect(error.path).toBe('type');
    expect(error.message).toBe("type: unknown event type 'ItemRemovd'; did you mean ItemRemoved?");
  });

  it('refuses data that fails the type schema, naming the field', () => {
    // Act
    const error = validationErrorOf(() =>
      shopEvent('ItemAdded', { cartId: 'cart-1', sku: 'SKU-1', qty: -1 }),
    );

    // Assert
    expect(error.path).toBe('data.qty');
  });

  it('refuses data missing a required field, naming the field', () => {
    // Act
    const error = validationErrorOf(() =>
      shopEvent('ItemRemoved', { cartId: 'cart-1' } as { cartId: string; sku: string }),
    );

    // Assert
    expect(error.path).toBe('data.sku');
  });

  it('builds a valid event from every example of the catalog', () => {
    // Act
    const events = shopCatalog.types.map((type) => shopCatalog.example(type));

    // Assert
    expect(events.map((event) => shopCatalog.parse(event).type)).toEqual(shopCatalog.types);
  });
});

describe('mergeCatalogs', () => {
  it('merges two catalogs into one that parses the events of both', () => {
    // Arrange
    const billing = defineCatalog('billing', [InvoiceIssued]);
    const invoice = billing.create(
      'InvoiceIssued',
      { invoiceId: 'inv-9', cartId: 'cart-1' },
      {
        correlationId: 'c',
      },
    );

    // Act
    const merged = mergeCatalogs([shopCatalog, billing]);

    // Assert
    expect(merged.name).toBe('shop+billing');
    expect(merged.types).toEqual([...shopCatalog.types, 'InvoiceIssued']);
    expect(merged.parse(invoice).type).toBe('InvoiceIssued');
    expect(merged.parse(shopEvent('ItemRemoved', { cartId: 'c', sku: 's' })).type).toBe('ItemRemoved');
  });

  it('refuses the same type name defined differently by two catalogs', () => {
    // Arrange
    const returns = defineCatalog('returns', [
      defineEvent({
        type: 'ItemAdded',
        source: 'returns.desk',
        description: 'An item was added to a return.',
        version: 1,
        schema: z.object({ returnId: z.string() }),
        example: { returnId: 'r-1' },
      }),
    ]);

    // Act
    const merge = () => mergeCatalogs([shopCatalog, returns]);

    // Assert
    expect(merge).toThrow('event type ItemAdded is defined differently by two catalogs');
  });

  it('refuses an equal-looking but separately built definition of the same type', () => {
    // Arrange
    const copy = defineEvent({ ...CartCheckedOut });
    const billing = defineCatalog('billing', [InvoiceIssued], { foreign: [copy] });

    // Act
    const merge = () => mergeCatalogs([shopCatalog, billing]);

    // Assert
    expect(merge).toThrow(/CartCheckedOut is defined differently/);
  });

  it('accepts the same definition object shared by two catalogs as a foreign event', () => {
    // Arrange
    const billing = defineCatalog('billing', [InvoiceIssued], { foreign: [CartCheckedOut] });

    // Act
    const merged = mergeCatalogs([shopCatalog, billing]);

    // Assert
    expect(merged.types.filter((type) => type === 'CartCheckedOut')).toHaveLength(1);
    expect(merged.definitionOf('CartCheckedOut')).toBe(CartCheckedOut);
    expect(merged.types).toContain('InvoiceIssued');
  });
});

describe('Catalog.versions and describe', () => {
  it('gives one latest row per event of the shop catalog, with its owner and description', () => {
    // Act
    const rows = shopCatalog.describe();

    // Assert: PaymentRequested alone has an older version, listed just before its newest
    expect(rows).toHaveLength(SHOP_TYPES.length + 1);
    expect(rows.filter((row) => row.latest).map((row) => row.type)).toEqual(SHOP_TYPES);
    expect(rows.map(({ type, version, latest, source }) => [type, version, latest, source])).toEqual([
      ['ItemAdded', 1, true, 'shop.cart'],
      ['ItemRemoved', 1, true, 'shop.cart'],
      ['CartCheckedOut', 1, true, 'shop.checkout'],
      ['StockReservationRequested', 1, true, 'shop.saga'],
      ['StockReserved', 1, true, 'shop.stock'],
      ['StockReservationFailed', 1, true, 'shop.stock'],
      ['StockReleaseRequested', 1, true, 'shop.saga'],
      ['StockReleased', 1, true, 'shop.stock'],
      ['PaymentRequested', 1, false, 'shop.saga'],
      ['PaymentRequested', 2, true, 'shop.saga'],
      ['PaymentTaken', 1, true, 'shop.payment'],
      ['PaymentRefused', 1, true, 'shop.payment'],
      ['RefundRequested', 1, true, 'shop.saga'],
      ['PaymentRefunded', 1, true, 'shop.payment'],
      ['ReceiptSent', 1, true, 'shop.receipts'],
      ['CheckoutCompleted', 1, true, 'shop.saga'],
      ['CheckoutCancelled', 1, true, 'shop.saga'],
      ['CheckoutRejected', 1, true, 'shop.saga'],
      [SAGA_TIMER_TYPE, 1, true, 'pipeline.saga'],
    ]);
    expect(rows[0]).toEqual({
      type: 'ItemAdded',
      version: 1,
      latest: true,
      source: 'shop.cart',
      description: ItemAdded.description,
    });
  });

  it('pairs every version with a schema that accepts its example', () => {
    // Act
    const results = shopCatalog.versions().map(({ schema, example }) => z.safeParse(schema, example).success);

    // Assert
    expect(results).toEqual(Array.from({ length: SHOP_TYPES.length + 1 }, () => true));
  });
});

describe('the saga timer shared by contexts', () => {
  it('lets two catalogs that both hold the kit timer merge, the timer defined once', () => {
    // Arrange
    const other = defineCatalog('billing', [], { foreign: [SagaStepTimedOut] });

    // Act
    const merged = mergeCatalogs([shopCatalog, other]);

    // Assert
    expect(merged.definitionOf(SAGA_TIMER_TYPE)).toBe(SagaStepTimedOut);
    expect(merged.types.filter((type) => type === SAGA_TIMER_TYPE)).toHaveLength(1);
  });
});

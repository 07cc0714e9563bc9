import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../shared/kit/errors/pipeline-error.ts';
import {
  cdkEventPattern,
  dataValueAt,
  eventBridgePattern,
  snsDataAttributes,
  snsFilterPolicy,
  snsMessageAttributes,
} from '../../shared/kit/events/patterns.ts';
import { type ShopEventType, shopCatalog } from '../fakes/test-context.ts';

describe('eventBridgePattern', () => {
  it('derives the sources of the given types from the catalog', () => {
    // Act
    const pattern = eventBridgePattern({
      catalog: shopCatalog,
      types: ['StockReservationFailed', 'PaymentRefused', 'StockReservationFailed'],
    });

    // Assert: sources sorted, types in the given order without repeats
    expect(pattern).toEqual({
      source: ['shop.payment', 'shop.stock'],
      'detail-type': ['StockReservationFailed', 'PaymentRefused'],
    });
  });

  it('uses explicit sources and filters on data under detail.data', () => {
    // Act
    const pattern = eventBridgePattern({
      catalog: shopCatalog,
      types: ['StockReserved'],
      sources: ['shop.stock'],
      data: {
        cartId: ['cart-1', 'cart-2'],
        lines: { sku: [{ prefix: 'SKU-' }], qty: [{ numeric: ['>', 10] }] },
      },
    });

    // Assert
    expect(pattern.source).toEqual(['shop.stock']);
    expect(pattern.detail).toEqual({
      data: {
        cartId: ['cart-1', 'cart-2'],
        lines: { sku: [{ prefix: 'SKU-' }], qty: [{ numeric: ['>', 10] }] },
      },
    });
  });

  it('selects stored events, or events not yet stored from any source, by the outbox mark', () => {
    // Act
    const stored = eventBridgePattern({ catalog: shopCatalog, types: ['StockReserved'], stored: true });
    const intake = eventBridgePattern({
      catalog: shopCatalog,
      types: ['CartCheckedOut'],
      stored: false,
      sources: 'any',
    });

    // Assert
    expect(stored).toEqual({
      source: ['shop.stock'],
      'detail-type': ['StockReserved'],
      detail: { metadata: { storedStream: [{ exists: true }] } },
    });
    expect(intake).toEqual({
      'detail-type': ['CartCheckedOut'],
      detail: { metadata: { storedStream: [{ exists: false }] } },
    });
  });

  it('turns a misspelled type into a compile error, and a runtime error for casts', () => {
    // Act
    const act = () =>
      // @ts-expect-error 'CartCheckedOot' is not a shop event type
      eventBridgePattern({ catalog: shopCatalog, types: ['CartCheckedOot'] });

    // Assert
    expect(act).toThrow(ValidationError);
    expect(act).toThrow(/types\.0: unknown event type 'CartCheckedOot'; did you mean CartCheckedOut/);
  });

  it('turns a misspelled data field into a compile error', () => {
    // Act
    const pattern = eventBridgePattern({
      catalog: shopCatalog,
      types: ['StockReserved'],
      // @ts-expect-error 'cartNumber' is not a field of StockReserved data
      data: { cartNumber: ['cart-1'] },
    });

    // Assert
    expect(pattern.detail).toBeDefined();
  });

  it('turns a misspelled field inside an array of objects into a compile error', () => {
    // Act
    const pattern = eventBridgePattern({
      catalog: shopCatalog,
      types: ['StockReserved'],
      // @ts-expect-error 'quantity' is not a field of a StockReserved line
      data: { lines: { quantity: [{ numeric: ['>', 1] }] } },
    });

    // Assert
    expect(pattern.detail).toBeDefined();
  });

  it('refuses an empty list of types, which EventBridge would reject', () => {
    // Arrange
    const types: ShopEventType[] = [];

    // Act
    const act = () => eventBridgePattern({ catalog: shopCatalog, types });

    // Assert
    expect(act).toThrow(/types: at least one event type/);
  });

  it('offers the same pattern in the shape of the CDK EventPattern', () => {
    // Act
    const pattern = cdkEventPattern({
      catalog: shopCatalog,
      types: ['CheckoutCompleted', 'CheckoutCancelled'],
    });

    // Assert
    expect(pattern).toEqual({
      source: ['shop.saga'],
      detailType: ['CheckoutCompleted', 'CheckoutCancelled'],
    });
  });
});

describe('snsFilterPolicy', () => {
  it('filters on the type message attribute', () => {
    // Act
    const policy = snsFilterPolicy({
      catalog: shopCatalog,
      types: ['CheckoutCompleted', 'CheckoutCancelled'],
    });

    // Assert
    expect(policy).toEqual({ type: ['CheckoutCompleted', 'CheckoutCancelled'] });
  });

  it('adds a source condition only when sources are given', () => {
    // Act
    const policy = snsFilterPolicy({
      catalog: shopCatalog,
      types: ['ReceiptSent'],
      sources: ['shop.receipts'],
    });

    // Assert
    expect(policy).toEqual({ type: ['ReceiptSent'], source: ['shop.receipts'] });
  });

  it('matches the attributes that snsMessageAttributes publishes', () => {
    // Arrange
    const envelope = shopCatalog.example('CheckoutCancelled');
    const policy = snsFilterPolicy({ catalog: shopCatalog, types: ['CheckoutCancelled'] });

    // Act
    const attributes = snsMessageAttributes(envelope);

    // Assert
    expect(attributes).toEqual({
      type: { DataType: 'String', StringValue: 'CheckoutCancelled' },
      source: { DataType: 'String', StringValue: 'shop.saga' },
      version: { DataType: 'Number', StringValue: '1' },
    });
    expect(policy.type).toContain(attributes.type.StringValue);
  });

  it('publishes the version of a newer event as its version attribute', () => {
    // Arrange
    const envelope = shopCatalog.example('PaymentRequested');

    // Act
    const attributes = snsMessageAttributes(envelope);

    // Assert
    expect(attributes.version).toEqual({ DataType: 'Number', StringValue: '2' });
  });
});

describe('dataValueAt and snsDataAttributes: message attributes from event data', () => {
  it('reads a dotted path of own properties only, and nothing where the path ends early', () => {
    const data = { contact: { channels: ['email'] }, total: 5 };
    expect(dataValueAt(data, 'contact.channels')).toEqual(['email']);
    expect(dataValueAt(data, 'contact.missing')).toBeUndefined();
    expect(dataValueAt(data, 'total.value')).toBeUndefined();
    // Inherited members are not data.
    expect(dataValueAt(data, 'contact.toString')).toBeUndefined();
  });

  it('sets a string as String, distinct strings as String.Array, and leaves out anything else', () => {
    const data = { region: 'eu', channels: ['sms', 'sms', 'push'], total: 5, mixed: ['a', 1] };
    expect(
      snsDataAttributes(data, { region: 'region', channels: 'channels', total: 'total', mixed: 'mixed' }),
    ).toEqual({
      region: { DataType: 'String', StringValue: 'eu' },
      channels: { DataType: 'String.Array', StringValue: '["sms","push"]' },
    });
  });
});

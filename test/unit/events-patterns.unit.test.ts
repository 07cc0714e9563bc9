import { describe, expect, it } from 'vitest';
import type { EventType } from '../../shared/contexts/orders/events/catalog.ts';
import { exampleEvent, ordersCatalog } from '../../shared/contexts/orders/events/catalog.ts';
import { ValidationError } from '../../shared/kit/errors/pipeline-error.ts';
import {
  cdkEventPattern,
  eventBridgePattern,
  snsFilterPolicy,
  snsMessageAttributes,
} from '../../shared/kit/events/patterns.ts';

describe('eventBridgePattern', () => {
  it('derives the sources of the given types from the catalog', () => {
    // Act
    const pattern = eventBridgePattern({
      catalog: ordersCatalog,
      types: ['PaymentDeclined', 'InventoryReservationFailed', 'PaymentDeclined'],
    });

    // Assert
    expect(pattern).toEqual({
      source: ['orders.inventory', 'orders.payment'],
      'detail-type': ['PaymentDeclined', 'InventoryReservationFailed'],
    });
  });

  it('uses explicit sources and filters on data under detail.data', () => {
    // Act
    const pattern = eventBridgePattern({
      catalog: ordersCatalog,
      types: ['OrderPlaced'],
      sources: ['orders.api'],
      data: { currency: ['EUR'], total: [{ numeric: ['>', 100] }], items: { sku: [{ prefix: 'BOOK-' }] } },
    });

    // Assert
    expect(pattern.detail).toEqual({
      data: { currency: ['EUR'], total: [{ numeric: ['>', 100] }], items: { sku: [{ prefix: 'BOOK-' }] } },
    });
  });

  it('selects stored events, or events not yet stored from any source, by the outbox mark', () => {
    // Act
    const stored = eventBridgePattern({ catalog: ordersCatalog, types: ['InventoryReserved'], stored: true });
    const intake = eventBridgePattern({
      catalog: ordersCatalog,
      types: ['OrderPlaced'],
      stored: false,
      sources: 'any',
    });

    // Assert
    expect(stored).toEqual({
      source: ['orders.inventory'],
      'detail-type': ['InventoryReserved'],
      detail: { metadata: { storedStream: [{ exists: true }] } },
    });
    expect(intake).toEqual({
      'detail-type': ['OrderPlaced'],
      detail: { metadata: { storedStream: [{ exists: false }] } },
    });
  });

  it('turns a misspelled type into a compile error, and a runtime error for casts', () => {
    // Act
    const act = () =>
      // @ts-expect-error 'OrderPlacd' is not an EventType
      eventBridgePattern({ catalog: ordersCatalog, types: ['OrderPlacd'] });

    // Assert
    expect(act).toThrow(ValidationError);
    expect(act).toThrow(/types\.0: unknown event type 'OrderPlacd'; did you mean OrderPlaced/);
  });

  it('turns a misspelled data field into a compile error', () => {
    // Act
    const pattern = eventBridgePattern({
      catalog: ordersCatalog,
      types: ['OrderPlaced'],
      // @ts-expect-error 'currencyCode' is not a field of OrderPlaced data
      data: { currencyCode: ['EUR'] },
    });

    // Assert
    expect(pattern.detail).toBeDefined();
  });

  it('refuses an empty list of types, which EventBridge would reject', () => {
    // Arrange
    const types: EventType[] = [];

    // Act
    const act = () => eventBridgePattern({ catalog: ordersCatalog, types });

    // Assert
    expect(act).toThrow(/types: at least one event type/);
  });

  it('offers the same pattern in the shape of the CDK EventPattern', () => {
    // Act
    const pattern = cdkEventPattern({ catalog: ordersCatalog, types: ['OrderConfirmed', 'OrderCancelled'] });

    // Assert
    expect(pattern).toEqual({ source: ['orders.saga'], detailType: ['OrderConfirmed', 'OrderCancelled'] });
  });
});

describe('snsFilterPolicy', () => {
  it('filters on the type message attribute', () => {
    // Act
    const policy = snsFilterPolicy({ catalog: ordersCatalog, types: ['OrderConfirmed', 'OrderCancelled'] });

    // Assert
    expect(policy).toEqual({ type: ['OrderConfirmed', 'OrderCancelled'] });
  });

  it('adds a source condition only when sources are given', () => {
    // Act
    const policy = snsFilterPolicy({
      catalog: ordersCatalog,
      types: ['NotificationSent'],
      sources: ['orders.notifications'],
    });

    // Assert
    expect(policy).toEqual({ type: ['NotificationSent'], source: ['orders.notifications'] });
  });

  it('matches the attributes that snsMessageAttributes publishes', () => {
    // Arrange
    const envelope = exampleEvent('OrderCancelled');
    const policy = snsFilterPolicy({ catalog: ordersCatalog, types: ['OrderCancelled'] });

    // Act
    const attributes = snsMessageAttributes(envelope);

    // Assert
    expect(attributes).toEqual({
      type: { DataType: 'String', StringValue: 'OrderCancelled' },
      source: { DataType: 'String', StringValue: 'orders.saga' },
      version: { DataType: 'Number', StringValue: '1' },
    });
    expect(policy.type).toContain(attributes.type.StringValue);
  });
});

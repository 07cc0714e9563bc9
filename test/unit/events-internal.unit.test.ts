import { describe, expect, it } from 'vitest';
import {
  createInternalEvent,
  isInternalEvent,
  isPublishable,
  storedEventUpcaster,
} from '../../shared/kit/events/internal.ts';
import { shopCatalog, shopEvent } from '../fakes/test-context.ts';

describe('internal events', () => {
  it('marks an internal event so the outbox does not publish it', () => {
    // Act
    const event = createInternalEvent(
      shopCatalog,
      'ShelfCounted',
      { sku: 'SKU-RED-MUG', qty: 4 },
      { correlationId: 'c', source: 'shop.stock' },
    );

    // Assert
    expect(event.metadata).toEqual({ internal: true });
    expect(isInternalEvent(event)).toBe(true);
    expect(isPublishable(shopCatalog, event)).toBe(false);
  });

  it('publishes catalog events only', () => {
    // Arrange
    const catalog = shopCatalog.example('ItemAdded');

    // Act
    const unknown = { ...catalog, type: 'SomethingElse' };

    // Assert
    expect(isPublishable(shopCatalog, catalog)).toBe(true);
    expect(isPublishable(shopCatalog, unknown)).toBe(false);
  });

  it('refuses a catalog type as an internal event', () => {
    // Act
    const create = () =>
      createInternalEvent(shopCatalog, 'ItemAdded', {}, { correlationId: 'c', source: 'shop.cart' });

    // Assert
    expect(create).toThrow('catalog event');
  });

  it('upcasts stored catalog events on read and leaves internal ones as written', () => {
    // Arrange
    const v2 = shopEvent('PaymentRequested', { cartId: 'cart-1', amount: 19.8, currency: 'USD' });
    const { currency: _currency, ...v1Data } = v2.data;
    const v1 = { ...v2, version: 1, data: v1Data };
    const internal = createInternalEvent(
      shopCatalog,
      'ShelfRestocked',
      { sku: 'SKU-RED-MUG', qty: 10 },
      { correlationId: 'c', source: 'shop.stock' },
    );

    // Act
    const upcast = storedEventUpcaster(shopCatalog)(v1);
    const untouched = storedEventUpcaster(shopCatalog)(internal);

    // Assert
    expect(upcast).toMatchObject({
      id: v2.id,
      version: 2,
      data: { cartId: 'cart-1', amount: 19.8, currency: 'EUR' },
    });
    expect(untouched).toBe(internal);
  });
});

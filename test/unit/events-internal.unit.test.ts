import { describe, expect, it } from 'vitest';
import { exampleEvent, ordersCatalog } from '../../shared/contexts/orders/events/catalog.ts';
import {
  createInternalEvent,
  isInternalEvent,
  isPublishable,
  storedEventUpcaster,
} from '../../shared/kit/events/internal.ts';

describe('internal events', () => {
  it('marks an internal event so the outbox does not publish it', () => {
    // Act
    const event = createInternalEvent(
      ordersCatalog,
      'StockReserved',
      { sku: 'A', qty: 1 },
      { correlationId: 'c', source: 'orders.inventory' },
    );

    // Assert
    expect(event.metadata).toEqual({ internal: true });
    expect(isInternalEvent(event)).toBe(true);
    expect(isPublishable(ordersCatalog, event)).toBe(false);
  });

  it('publishes catalog events only', () => {
    // Arrange
    const catalog = exampleEvent('OrderPlaced');

    // Act
    const unknown = { ...catalog, type: 'SomethingElse' };

    // Assert
    expect(isPublishable(ordersCatalog, catalog)).toBe(true);
    expect(isPublishable(ordersCatalog, unknown)).toBe(false);
  });

  it('refuses a catalog type as an internal event', () => {
    // Act
    const create = () =>
      createInternalEvent(ordersCatalog, 'OrderPlaced', {}, { correlationId: 'c', source: 'orders.saga' });

    // Assert
    expect(create).toThrow('catalog event');
  });

  it('upcasts stored catalog events on read and leaves internal ones as written', () => {
    // Arrange
    const v2 = exampleEvent('OrderPlaced');
    const { contact: _contact, ...rest } = v2.data;
    const v1 = { ...v2, version: 1, data: { ...rest, email: 'ada@example.com' } };
    const internal = createInternalEvent(
      ordersCatalog,
      'StockAdded',
      { sku: 'A', qty: 1 },
      { correlationId: 'c', source: 'orders.inventory' },
    );

    // Act
    const upcast = storedEventUpcaster(ordersCatalog)(v1);
    const untouched = storedEventUpcaster(ordersCatalog)(internal);

    // Assert
    expect(upcast).toMatchObject({
      version: 2,
      data: { contact: { email: 'ada@example.com', channels: ['email'] } },
    });
    expect(untouched).toBe(internal);
  });
});

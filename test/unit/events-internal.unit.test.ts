import { describe, expect, it } from 'vitest';
import {
  createInternalEvent,
  isInternalEvent,
  isPublishable,
  upcastStoredEvent,
} from '../../shared/kit/events/internal.ts';
import { exampleEvent } from '../../shared/kit/events/registry.ts';

describe('internal events', () => {
  it('marks an internal event so the outbox does not publish it', () => {
    // Act
    const event = createInternalEvent(
      'StockReserved',
      { sku: 'A', qty: 1 },
      { correlationId: 'c', source: 'orders.inventory' },
    );

    // Assert
    expect(event.metadata).toEqual({ internal: true });
    expect(isInternalEvent(event)).toBe(true);
    expect(isPublishable(event)).toBe(false);
  });

  it('publishes catalog events only', () => {
    // Arrange
    const catalog = exampleEvent('OrderPlaced');

    // Act
    const unknown = { ...catalog, type: 'SomethingElse' };

    // Assert
    expect(isPublishable(catalog)).toBe(true);
    expect(isPublishable(unknown)).toBe(false);
  });

  it('refuses a catalog type as an internal event', () => {
    // Act
    const create = () =>
      createInternalEvent('OrderPlaced', {}, { correlationId: 'c', source: 'orders.saga' });

    // Assert
    expect(create).toThrow('catalog event');
  });

  it('upcasts stored catalog events on read and leaves internal ones as written', () => {
    // Arrange
    const v2 = exampleEvent('OrderPlaced');
    const { contact: _contact, ...rest } = v2.data;
    const v1 = { ...v2, version: 1, data: { ...rest, email: 'ada@example.com' } };
    const internal = createInternalEvent(
      'StockAdded',
      { sku: 'A', qty: 1 },
      { correlationId: 'c', source: 'orders.inventory' },
    );

    // Act
    const upcast = upcastStoredEvent(v1);
    const untouched = upcastStoredEvent(internal);

    // Assert
    expect(upcast).toMatchObject({
      version: 2,
      data: { contact: { email: 'ada@example.com', channels: ['email'] } },
    });
    expect(untouched).toBe(internal);
  });
});

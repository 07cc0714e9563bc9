import { describe, expect, it } from 'vitest';
import { createInternalEvent, isInternalEvent, isPublishable } from '../../shared/events/internal.ts';
import { exampleEvent } from '../../shared/events/registry.ts';

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
});

import { describe, expect, it } from 'vitest';
import { correlationOfOrder } from '../../cli/console/flow-id.ts';
import { exampleEvent } from '../../shared/contexts/orders/events/catalog.ts';
import { InMemoryEventStore } from '../../shared/kit/event-store/in-memory.ts';

describe('finding a flow by order id', () => {
  it('takes the correlation id from the first event of the order saga stream', async () => {
    const store = new InMemoryEventStore();
    const placed = exampleEvent('OrderPlaced', { correlationId: 'corr-42' });
    await store.append(`saga-order#${placed.data.orderId}`, [placed], { expectedVersion: 0 });
    expect(await correlationOfOrder(store, placed.data.orderId)).toBe('corr-42');
  });

  it('answers undefined for an id that names no order, so it is tried as a correlation id', async () => {
    expect(await correlationOfOrder(new InMemoryEventStore(), 'corr-42')).toBeUndefined();
  });
});

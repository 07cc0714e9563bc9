import { describe, expect, it } from 'vitest';
import { ordersCatalog } from '../../shared/contexts/orders/events/catalog.ts';
import { InMemoryEventStore } from '../../shared/kit/event-store/in-memory.ts';
import { createInternalEvent } from '../../shared/kit/events/internal.ts';
import { type SagaMetricName, withSagaMetrics } from '../../shared/kit/saga/metrics.ts';
import { ManualClock } from '../fakes/clock.ts';

const clock = new ManualClock();
const transition = (type: string) =>
  createInternalEvent(ordersCatalog, type, {}, { correlationId: 'corr-1', source: 'orders.saga' }, clock);

describe('saga metrics: transitions counted as the store accepts them', () => {
  it('counts starts, completions and cancellations (as compensations) once each', async () => {
    // Arrange
    const counted: SagaMetricName[] = [];
    const store = withSagaMetrics(new InMemoryEventStore(), (metric) => counted.push(metric));

    // Act
    await store.append('saga-order#a', [transition('SagaInputHandled'), transition('SagaStarted')], {
      expectedVersion: 0,
    });
    await store.append('saga-order#a', [transition('SagaCompleted')], { expectedVersion: 2 });
    await store.appendMany([
      {
        streamId: 'saga-order#b',
        events: [transition('SagaStarted'), transition('SagaCancelled')],
        expectedVersion: 0,
      },
    ]);

    // Assert
    expect(counted).toEqual(['SagaStarted', 'SagaCompleted', 'SagaStarted', 'SagaCompensated']);
  });

  it('counts nothing for an append answered from its idempotency key (a redelivery)', async () => {
    // Arrange
    const counted: SagaMetricName[] = [];
    const store = withSagaMetrics(new InMemoryEventStore(), (metric) => counted.push(metric));
    const events = [transition('SagaStarted')];
    await store.append('saga-order#c', events, { expectedVersion: 0, idempotencyKey: 'saga#evt-1' });

    // Act: the same decision again, rebuilt with fresh envelope ids as a redelivery would.
    await store.append('saga-order#c', [{ ...transition('SagaStarted') }], {
      expectedVersion: 0,
      idempotencyKey: 'saga#evt-1',
    });

    // Assert
    expect(counted).toEqual(['SagaStarted']);
  });
});

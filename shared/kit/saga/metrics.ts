import type { EventStore, StoredEvent } from '../event-store/port.ts';
import type { EventEnvelope } from '../events/envelope.ts';

/** Saga lifecycle metrics (namespace `OrderPipeline`, dimension `service`), shown on the dashboard. */
export type SagaMetricName = 'SagaStarted' | 'SagaCompleted' | 'SagaCompensated';

/** Which transition written to a saga stream counts as which metric. */
const METRIC_OF: Readonly<Record<string, SagaMetricName>> = {
  SagaStarted: 'SagaStarted',
  SagaCompleted: 'SagaCompleted',
  SagaCancelled: 'SagaCompensated',
};

/**
 * The event store with a tap on saga transitions: every `SagaStarted`, `SagaCompleted` and
 * `SagaCancelled` the store accepts is counted once. Counted after the write succeeded and only for
 * events this call wrote, so an append answered from its idempotency key (a redelivery) counts nothing.
 */
export function withSagaMetrics(store: EventStore, count: (metric: SagaMetricName) => void): EventStore {
  const tally = (requested: readonly EventEnvelope[], stored: readonly StoredEvent[]) => {
    const ids = new Set(requested.map((event) => event.id));
    for (const { event } of stored) {
      const metric = METRIC_OF[event.type];
      if (metric !== undefined && ids.has(event.id)) count(metric);
    }
  };
  return {
    async append(streamId, events, options) {
      const result = await store.append(streamId, events, options);
      tally(events, result.events);
      return result;
    },
    async appendMany(appends, options) {
      const results = await store.appendMany(appends, options);
      tally(
        appends.flatMap((append) => append.events),
        results.flatMap((result) => result.events),
      );
      return results;
    },
    read: (streamId, options) => store.read(streamId, options),
    readAll: (streamId, fromVersion) => store.readAll(streamId, fromVersion),
    saveSnapshot<State>(streamId: string, version: number, state: State) {
      return store.saveSnapshot(streamId, version, state);
    },
    loadSnapshot<State>(streamId: string) {
      return store.loadSnapshot<State>(streamId);
    },
  };
}

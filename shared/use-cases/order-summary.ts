import type { EventHandlers, Handled } from '../consumer/types.ts';
import { evolveOrderSummary, type OrderSummary, orderIdOf } from '../domain/order-summary.ts';
import { ConcurrencyError } from '../event-store/errors.ts';
import { type RetryOnConflictOptions, retryOnConflict } from '../event-store/retry.ts';
import { type AnyEvent, type EventType, eventTypes } from '../events/catalog.ts';

/** A stored summary and its version, for optimistic concurrency. */
export interface VersionedSummary {
  readonly summary: OrderSummary;
  readonly version: number;
}

/** Port of the read-model store. `put` throws {@link ConcurrencyError} when `expectedVersion` is stale. */
export interface OrderSummaryRepository {
  get(orderId: string): Promise<VersionedSummary | undefined>;
  /** Writes `summary` as version `expectedVersion + 1`; `0` for a new summary. */
  put(summary: OrderSummary, expectedVersion: number): Promise<void>;
}

/** Summaries in memory, with version checks like a conditional put. */
export class InMemoryOrderSummaryRepository implements OrderSummaryRepository {
  private readonly items = new Map<string, VersionedSummary>();

  async get(orderId: string): Promise<VersionedSummary | undefined> {
    const item = this.items.get(orderId);
    return item && structuredClone(item);
  }

  async put(summary: OrderSummary, expectedVersion: number): Promise<void> {
    const actual = this.items.get(summary.orderId)?.version ?? 0;
    if (actual !== expectedVersion)
      throw new ConcurrencyError(`summary#${summary.orderId}`, expectedVersion, actual);
    this.items.set(summary.orderId, { summary: structuredClone(summary), version: actual + 1 });
  }

  /** Every summary, for tests and rebuild checks. */
  all(): OrderSummary[] {
    return [...this.items.values()].map((item) => structuredClone(item.summary));
  }
}

/** Events the projection reads: every published event (timers never reach the bus). */
export const ORDER_SUMMARY_EVENT_TYPES: readonly EventType[] = eventTypes.filter(
  (type) => type !== 'SagaStepTimedOut',
);

/** Folds one event into its order's summary; an event already in the timeline is a duplicate. */
export async function projectOrderSummary(
  repository: OrderSummaryRepository,
  event: AnyEvent,
  retry?: RetryOnConflictOptions,
): Promise<Handled> {
  return retryOnConflict(async () => {
    const current = await repository.get(orderIdOf(event));
    const next = evolveOrderSummary(current?.summary, event);
    if (current !== undefined && next === current.summary) return 'duplicate';
    await repository.put(next, current?.version ?? 0);
    return 'handled';
  }, retry);
}

/** Handlers of the projector consumer. */
export function orderSummaryHandlers(
  repository: OrderSummaryRepository,
  retry?: RetryOnConflictOptions,
): EventHandlers {
  const project = (event: AnyEvent) => projectOrderSummary(repository, event, retry);
  return Object.fromEntries(ORDER_SUMMARY_EVENT_TYPES.map((type) => [type, project]));
}

/** Replays events into a repository (e.g. an empty one, to rebuild the read model). */
export async function rebuildOrderSummaries(
  repository: OrderSummaryRepository,
  events: Iterable<AnyEvent> | AsyncIterable<AnyEvent>,
): Promise<number> {
  let applied = 0;
  for await (const event of events) {
    if ((await projectOrderSummary(repository, event)) === 'handled') applied += 1;
  }
  return applied;
}

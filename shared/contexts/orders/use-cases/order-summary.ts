import type { EventHandlers, Handled } from '../../../kit/consumer/types.ts';
import { ConcurrencyError } from '../../../kit/event-store/errors.ts';
import { type RetryOnConflictOptions, retryOnConflict } from '../../../kit/event-store/retry.ts';
import { evolveOrderSummary, type OrderSummary, orderIdOf } from '../domain/order-summary.ts';
import type { Orders } from '../events/catalog.ts';
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
): EventHandlers<Orders> {
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

/**
 * The projector's writes for one batch: each order's summary is read once, every event of the batch
 * is folded into it in memory, and `flush` writes each changed summary once, with the version it was
 * read at. Several events of one order in a batch (the common case once batches gather a few seconds of
 * events) cost one read and one write instead of one of each per event.
 *
 * A flush that meets a concurrent writer (another invocation folded events of the same order) reads
 * the summary again and folds this batch's events of that order on top, as `retryOnConflict` does per
 * event. An order whose write still fails is answered with the messages that carried its events, for
 * the runtime to retry; the timeline's event ids make redelivered events change nothing twice.
 */
export class BatchedOrderSummaries {
  private readonly pending = new Map<
    string,
    { base?: VersionedSummary; current?: OrderSummary; events: AnyEvent[]; messageIds: string[] }
  >();

  constructor(
    private readonly repository: OrderSummaryRepository,
    private readonly retry?: RetryOnConflictOptions,
  ) {}

  /** Starts a batch: forgets whatever an interrupted one left. */
  begin(): void {
    this.pending.clear();
  }

  /** Folds `event` into its order's summary in memory; see {@link projectOrderSummary}. */
  async project(event: AnyEvent, messageId: string): Promise<Handled> {
    const entry = await this.entryOf(orderIdOf(event));
    const next = evolveOrderSummary(entry.current, event);
    if (entry.current !== undefined && next === entry.current) return 'duplicate';
    entry.current = next;
    entry.events.push(event);
    entry.messageIds.push(messageId);
    return 'handled';
  }

  /**
   * Writes every summary the batch changed, once each, and ends the batch. Answers the ids of the
   * messages whose events could not be written (their order's write failed), to be retried.
   */
  async flush(): Promise<{ readonly written: number; readonly failedMessageIds: readonly string[] }> {
    const changed = [...this.pending].filter(([, entry]) => entry.events.length > 0);
    this.pending.clear();
    const failedMessageIds: string[] = [];
    let written = 0;
    for (const [orderId, entry] of changed) {
      try {
        await this.write(orderId, entry.base, entry.current as OrderSummary, entry.events);
        written += 1;
      } catch {
        failedMessageIds.push(...entry.messageIds);
      }
    }
    return { written, failedMessageIds };
  }

  private async write(
    orderId: string,
    firstBase: VersionedSummary | undefined,
    firstSummary: OrderSummary,
    events: readonly AnyEvent[],
  ): Promise<void> {
    let base = firstBase;
    let summary = firstSummary;
    await retryOnConflict(async () => {
      try {
        await this.repository.put(summary, base?.version ?? 0);
      } catch (error) {
        if (!(error instanceof ConcurrencyError)) throw error;
        base = await this.repository.get(orderId);
        summary = events.reduce<OrderSummary | undefined>(
          (folded, event) => evolveOrderSummary(folded, event),
          base?.summary,
        ) as OrderSummary;
        throw error;
      }
    }, this.retry);
  }

  private async entryOf(orderId: string) {
    let entry = this.pending.get(orderId);
    if (entry === undefined) {
      const base = await this.repository.get(orderId);
      entry = { ...(base === undefined ? {} : { base, current: base.summary }), events: [], messageIds: [] };
      this.pending.set(orderId, entry);
    }
    return entry;
  }
}

/** Handlers of the projector when it writes per batch ({@link BatchedOrderSummaries}). */
export function batchedOrderSummaryHandlers(batch: BatchedOrderSummaries): EventHandlers<Orders> {
  const project = (event: AnyEvent, context: { readonly messageId: string }) =>
    batch.project(event, context.messageId);
  return Object.fromEntries(ORDER_SUMMARY_EVENT_TYPES.map((type) => [type, project]));
}

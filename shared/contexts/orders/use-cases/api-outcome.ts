import type { EventStore } from '../../../kit/event-store/port.ts';

/** How an order placed through the API ended, as far as the saga's stream says. */
export type OrderOutcome =
  | { readonly status: 'CONFIRMED' }
  | { readonly status: 'CANCELLED'; readonly reason: string }
  | { readonly status: 'REJECTED'; readonly reason: string };

/** What the wait needs. */
export interface OutcomeWait {
  readonly store: Pick<EventStore, 'readAll'>;
  /** Time between two reads of the stream. */
  readonly pollIntervalMs: number;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

/**
 * Waits until the saga's stream holds the outcome of the input `eventId` (its `OrderConfirmed` or
 * `OrderCancelled`, or the `OrderRejected` that refused it), or until `waitMs` ran out (undefined).
 * Each round reads only what was appended since the last one (a Query from the next stream version,
 * strongly consistent), then sleeps `pollIntervalMs`: about one small read per interval while waiting.
 */
export async function awaitOutcome(
  wait: OutcomeWait,
  streamId: string,
  eventId: string,
  waitMs: number,
): Promise<OrderOutcome | undefined> {
  const deadline = wait.now() + waitMs;
  let nextVersion = 1;
  // The order's outcome is this input's only if this input is the OrderPlaced the stream accepted.
  let accepted = false;
  for (;;) {
    for await (const stored of wait.store.readAll(streamId, nextVersion)) {
      nextVersion = stored.streamVersion + 1;
      accepted ||= stored.event.id === eventId && stored.event.type === 'OrderPlaced';
      const outcome = outcomeOf(stored.event, eventId, accepted);
      if (outcome !== undefined) return outcome;
    }
    const left = deadline - wait.now();
    if (left <= 0) return undefined;
    await wait.sleep(Math.min(wait.pollIntervalMs, left));
  }
}

function outcomeOf(
  event: { readonly type: string; readonly data: Record<string, unknown> },
  eventId: string,
  accepted: boolean,
): OrderOutcome | undefined {
  const reason = typeof event.data.reason === 'string' ? event.data.reason : '';
  switch (event.type) {
    case 'OrderConfirmed':
      return accepted ? { status: 'CONFIRMED' } : undefined;
    case 'OrderCancelled':
      return accepted ? { status: 'CANCELLED', reason } : undefined;
    case 'OrderRejected':
      // A refusal of another command for the same order says nothing about this one.
      return event.data.refusedEventId === eventId ? { status: 'REJECTED', reason } : undefined;
    default:
      return undefined;
  }
}

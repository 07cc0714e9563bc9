import type { AppendResult } from '../event-store/port.ts';
import type { EventEnvelope } from '../events/envelope.ts';
import type { Handled } from './types.ts';

/**
 * Whether an append wrote `written` or was answered from its idempotency key. A replayed append
 * returns the events of the first one, whose ids differ from the ones just built: the delivery was a
 * duplicate that raced the first (the sequential case is caught earlier, by loading the state).
 */
export function appendOutcome(
  results: AppendResult | readonly AppendResult[],
  written: readonly EventEnvelope[],
): Handled {
  const ids = new Set(written.map((event) => event.id));
  const stored = (Array.isArray(results) ? results : [results]) as readonly AppendResult[];
  return stored.some((result) => result.events.some((s) => ids.has(s.event.id))) ? 'handled' : 'duplicate';
}

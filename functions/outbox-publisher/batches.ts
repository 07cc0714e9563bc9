import { MAX_EVENT_BYTES } from '../../shared/kit/events/envelope.ts';
import { entrySize, type SizedEntry } from '../../shared/kit/events/eventbridge.ts';

/** PutEvents takes at most 10 entries per request. */
export const MAX_ENTRIES_PER_REQUEST = 10;

/** Limits of one PutEvents request. */
export interface BatchLimits {
  /** @default 10 */
  readonly maxEntries?: number;
  /** Sum of the entries' sizes (EventBridge's rule, see `entrySize`). @default 262144 (256 KB) */
  readonly maxBytes?: number;
}

/**
 * Splits entries, in order, into PutEvents requests of at most `maxEntries` entries whose sizes add up
 * to at most `maxBytes`. An entry that is alone over the limit gets a request of its own (EventBridge
 * then rejects that entry, and only it); entries are validated against the limit before they get here.
 */
export function toBatches<T extends { readonly entry: SizedEntry }>(
  items: readonly T[],
  limits: BatchLimits = {},
): T[][] {
  const maxEntries = limits.maxEntries ?? MAX_ENTRIES_PER_REQUEST;
  const maxBytes = limits.maxBytes ?? MAX_EVENT_BYTES;
  if (!Number.isInteger(maxEntries) || maxEntries < 1 || maxEntries > MAX_ENTRIES_PER_REQUEST) {
    throw new RangeError(`maxEntries must be between 1 and ${MAX_ENTRIES_PER_REQUEST}, got ${maxEntries}`);
  }
  const batches: T[][] = [];
  let current: T[] = [];
  let currentBytes = 0;
  for (const item of items) {
    const size = entrySize(item.entry);
    if (current.length > 0 && (current.length === maxEntries || currentBytes + size > maxBytes)) {
      batches.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(item);
    currentBytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

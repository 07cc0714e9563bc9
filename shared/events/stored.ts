import type { EventEnvelope } from './envelope.ts';

/**
 * The mark of an event that came out of the event store. The outbox adds the stream and version it
 * published the event from to `metadata`; rules and consumers use it to tell a stored event (react to
 * it) from one that merely arrived on the bus (only the intake may take it, and stores it first).
 * Within one account anyone allowed to PutEvents could forge it: this is a routing mark, not a
 * signature; the bus policy keeps other accounts out.
 */
export const STORED_METADATA_KEY = 'stream';
/** Companion of {@link STORED_METADATA_KEY}: the event's version in that stream. */
export const STORED_VERSION_METADATA_KEY = 'streamVersion';

/** True when the event carries the outbox's mark (see {@link STORED_METADATA_KEY}). */
export function isStoredEvent(event: Pick<EventEnvelope<unknown>, 'metadata'>): boolean {
  const stream = event.metadata?.[STORED_METADATA_KEY];
  return typeof stream === 'string' && stream.length > 0;
}

/** The envelope as the outbox publishes it: marked with the stream and version it was stored at. */
export function markStored<E extends EventEnvelope<unknown>>(event: E, streamId: string, version: number): E {
  return {
    ...event,
    metadata: { ...event.metadata, [STORED_METADATA_KEY]: streamId, [STORED_VERSION_METADATA_KEY]: version },
  };
}

/** The part of an EventBridge pattern (under `detail`) that selects stored or not-yet-stored events. */
export function storedPatternFilter(stored: boolean): { metadata: Record<string, unknown> } {
  return { metadata: { [STORED_METADATA_KEY]: [{ exists: stored }] } };
}

import type { EventEnvelope } from './envelope.ts';

/**
 * The mark of an event that came out of the event store. The outbox adds the stream and version it
 * published the event from to `metadata`; rules and consumers use it to tell a stored event (react to
 * it) from one that merely arrived on the bus (only the intake may take it, and stores it first).
 * Within one account anyone allowed to PutEvents could send it: it is a routing mark, not a
 * signature, so consumers that act on it check it against the store ({@link StoredEventCheck}).
 */
export const STORED_METADATA_KEY = 'storedStream';
/** Companion of {@link STORED_METADATA_KEY}: the event's version in that stream. */
export const STORED_VERSION_METADATA_KEY = 'storedVersion';

/** True when the event carries the outbox's mark (see {@link STORED_METADATA_KEY}). */
export function isStoredEvent(event: Pick<EventEnvelope<unknown>, 'metadata'>): boolean {
  const stream = event.metadata?.[STORED_METADATA_KEY];
  return typeof stream === 'string' && stream.length > 0;
}

/** Where an event claims to be stored, read from its mark; undefined for an unmarked event. */
export function storedPositionOf(
  event: Pick<EventEnvelope<unknown>, 'metadata'>,
): { readonly streamId: string; readonly version: number } | undefined {
  const streamId = event.metadata?.[STORED_METADATA_KEY];
  const version = event.metadata?.[STORED_VERSION_METADATA_KEY];
  if (typeof streamId !== 'string' || streamId.length === 0) return undefined;
  return { streamId, version: typeof version === 'number' ? version : Number.NaN };
}

/**
 * Asks the event store whether it holds this event, same id and same content (type, version, data), at
 * a stream position. Consumers of stored events use it to check a mark before acting on it: the mark
 * is plain metadata, so a producer could send it by mistake (or on purpose), with an id the store
 * holds and other content; a read model must never fold an event the store lacks.
 */
export type StoredEventCheck = (
  position: { readonly streamId: string; readonly version: number },
  event: Pick<EventEnvelope, 'id' | 'type' | 'version' | 'data'>,
) => Promise<boolean>;

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

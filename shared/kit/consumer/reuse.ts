import type { EventStore } from '../event-store/port.ts';
import type { EventEnvelope } from '../events/envelope.ts';
import { EventIdReusedError } from './errors.ts';
import type { HandlerContext } from './types.ts';

/** Metadata key of the content hash of the input that caused an emitted event (see `context.emit`). */
export const CAUSE_HASH_METADATA_KEY = 'causeHash';

/** The short form kept in metadata: 16 hex digits of the input's content hash, enough to tell two apart. */
export function causeHashOf(inputFingerprint: string): string {
  return inputFingerprint.startsWith('sha256:') ? inputFingerprint.slice(0, 23) : inputFingerprint;
}

type ReuseContext = Pick<HandlerContext, 'consumer' | 'inputFingerprint'> & { readonly inputId: string };

/**
 * The pure half of {@link refuseReusedId}, for events already in hand (the kernel checks the events its
 * load just folded, so calling an input a duplicate costs no second read of the stream).
 */
export function refuseReusedIdIn(events: Iterable<EventEnvelope>, context: ReuseContext): void {
  const mine = causeHashOf(context.inputFingerprint);
  for (const event of events) {
    if (event.causationId !== context.inputId) continue;
    const stamped = event.metadata?.[CAUSE_HASH_METADATA_KEY];
    if (typeof stamped === 'string' && stamped !== mine) {
      throw new EventIdReusedError(context.consumer, context.inputId, stamped, mine);
    }
  }
}

/**
 * For a consumer whose domain answers "already decided" without writing (and so never reaches the
 * idempotency record): before calling the input a duplicate, checks what the input's id decided
 * earlier in `streamId`. An event caused by the same id but stamped with another input hash means the
 * id came back with other content: {@link EventIdReusedError}. Events stored before stamps were kept
 * have none and pass. `throughVersion` stops the read there (the part of a stream a snapshot covered,
 * when the rest was folded already).
 */
export async function refuseReusedId(
  store: Pick<EventStore, 'readAll'>,
  streamId: string,
  context: ReuseContext,
  throughVersion = Number.POSITIVE_INFINITY,
): Promise<void> {
  const events: EventEnvelope[] = [];
  for await (const { event, streamVersion } of store.readAll(streamId)) {
    if (streamVersion > throughVersion) break;
    if (event.causationId === context.inputId) events.push(event);
  }
  refuseReusedIdIn(events, context);
}

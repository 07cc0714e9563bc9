import type { EventStore } from '../event-store/port.ts';
import { EventIdReusedError } from './errors.ts';
import type { HandlerContext } from './types.ts';

/** Metadata key of the content hash of the input that caused an emitted event (see `context.emit`). */
export const CAUSE_HASH_METADATA_KEY = 'causeHash';

/** The short form kept in metadata: 16 hex digits of the input's content hash, enough to tell two apart. */
export function causeHashOf(inputFingerprint: string): string {
  return inputFingerprint.startsWith('sha256:') ? inputFingerprint.slice(0, 23) : inputFingerprint;
}

/**
 * For a consumer whose domain answers "already decided" without writing (and so never reaches the
 * idempotency record): before calling the input a duplicate, checks what the input's id decided
 * earlier in `streamId`. An event caused by the same id but stamped with another input hash means the
 * id came back with other content: {@link EventIdReusedError}. Events stored before stamps were kept
 * have none and pass.
 */
export async function refuseReusedId(
  store: Pick<EventStore, 'readAll'>,
  streamId: string,
  context: Pick<HandlerContext, 'consumer' | 'inputFingerprint'> & { readonly inputId: string },
): Promise<void> {
  const mine = causeHashOf(context.inputFingerprint);
  for await (const { event } of store.readAll(streamId)) {
    if (event.causationId !== context.inputId) continue;
    const stamped = event.metadata?.[CAUSE_HASH_METADATA_KEY];
    if (typeof stamped === 'string' && stamped !== mine) {
      throw new EventIdReusedError(context.consumer, context.inputId, stamped, mine);
    }
  }
}

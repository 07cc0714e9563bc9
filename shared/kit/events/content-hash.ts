import { createHash } from 'node:crypto';
import { canonicalJson } from './json.ts';

/** The parts of an event its content hash covers. */
export interface HashableEvent {
  readonly type: string;
  readonly version: number;
  readonly data: unknown;
}

/**
 * What an event says, as a short comparable string: SHA-256 of its type, schema version and data in
 * canonical JSON (keys sorted). Ids, times, sources and correlation ids are left out on purpose: two
 * deliveries of one command are the same content even when a producer retried with a new id, and one
 * id carrying two different contents is a producer bug that must not pass as a duplicate.
 * Hash the event as consumers see it (upcast to the newest version), so v1 and v2 of one command agree.
 */
export function contentHashOf(event: HashableEvent): string {
  const digest = createHash('sha256')
    .update(canonicalJson({ type: event.type, version: event.version, data: event.data }))
    .digest('hex');
  return `sha256:${digest}`;
}

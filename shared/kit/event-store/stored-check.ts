import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AnyCatalog } from '../events/catalog.ts';
import { contentHashOf } from '../events/content-hash.ts';
import type { EventEnvelope } from '../events/envelope.ts';
import type { StoredEventCheck } from '../events/stored.ts';
import { MAX_STREAM_VERSION } from './core.ts';
import { storedEventsFromItem } from './dynamodb-items.ts';
import { commitAtOrBefore } from './dynamodb-queries.ts';
import type { EventStore } from './port.ts';

/** True for a position that can exist in a stream (a forged mark may carry anything). */
function plausible(position: { streamId: string; version: number }): boolean {
  const { streamId, version } = position;
  return (
    streamId.length > 0 &&
    streamId.length <= 1000 &&
    Number.isSafeInteger(version) &&
    version >= 1 &&
    version <= MAX_STREAM_VERSION
  );
}

/**
 * Whether the stored envelope is the received event: same id, and the same content once both are
 * read as consumers see them (validated and upcast by the consumer's catalog), so a v1 stored event matches the v2
 * the consumer parsed. A stored envelope the catalog cannot read is not a match.
 */
function sameEvent(
  catalog: AnyCatalog,
  stored: EventEnvelope,
  received: Pick<EventEnvelope, 'id' | 'type' | 'version' | 'data'>,
): boolean {
  if (stored.id !== received.id) return false;
  try {
    return contentHashOf(catalog.parse(stored)) === contentHashOf(received);
  } catch {
    return false;
  }
}

/**
 * {@link StoredEventCheck} on the DynamoDB event store table: one strongly consistent query for the
 * commit item holding the version (1 RRU for a commit up to 4 KB), then the event at that version must
 * be the received one. Strongly consistent because the outbox may have published the event a moment after
 * the write, and an eventually consistent read could miss it.
 */
export function dynamoDbStoredEventCheck(options: {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** Reads stored events as the consumer does (validated and upcast). */
  readonly catalog: AnyCatalog;
}): StoredEventCheck {
  return async (position, event) => {
    if (!plausible(position)) return false;
    const item = await commitAtOrBefore(options, position.streamId, position.version);
    if (item === undefined) return false;
    const found = storedEventsFromItem(item).find((stored) => stored.streamVersion === position.version);
    return found !== undefined && sameEvent(options.catalog, found.event, event);
  };
}

/** {@link StoredEventCheck} on any {@link EventStore} (in-memory tests, tools): reads the one event and compares. */
export function storeStoredEventCheck(
  store: Pick<EventStore, 'read'>,
  catalog: AnyCatalog,
): StoredEventCheck {
  return async (position, event) => {
    if (!plausible(position)) return false;
    const page = await store.read(position.streamId, { fromVersion: position.version, limit: 1 });
    const found = page.events[0];
    return found?.streamVersion === position.version && sameEvent(catalog, found.event, event);
  };
}

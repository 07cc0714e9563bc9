import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
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
 * {@link StoredEventCheck} on the DynamoDB event store table: one strongly consistent query for the
 * commit item holding the version (1 RRU for a commit up to 4 KB), then the event at that version must
 * carry the id. Strongly consistent because the outbox may have published the event a moment after
 * the write, and an eventually consistent read could miss it.
 */
export function dynamoDbStoredEventCheck(options: {
  readonly client: DynamoDBClient;
  readonly tableName: string;
}): StoredEventCheck {
  return async (position, eventId) => {
    if (!plausible(position)) return false;
    const item = await commitAtOrBefore(options, position.streamId, position.version);
    if (item === undefined) return false;
    const found = storedEventsFromItem(item).find((stored) => stored.streamVersion === position.version);
    return found?.event.id === eventId;
  };
}

/** {@link StoredEventCheck} on any {@link EventStore} (in-memory tests, tools): reads the one event. */
export function storeStoredEventCheck(store: Pick<EventStore, 'read'>): StoredEventCheck {
  return async (position, eventId) => {
    if (!plausible(position)) return false;
    const page = await store.read(position.streamId, { fromVersion: position.version, limit: 1 });
    const found = page.events[0];
    return found?.streamVersion === position.version && found.event.id === eventId;
  };
}

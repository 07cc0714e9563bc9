/**
 * Event store: the port, its errors, the in-memory and DynamoDB adapters, and the helpers command
 * handlers use (`loadAggregate`, `retryOnConflict`).
 */

export { MAX_APPEND_BYTES, MAX_APPEND_EVENTS, MAX_TRANSACTION_ITEMS } from './core.ts';
export { DynamoDbEventStore, type DynamoDbEventStoreOptions } from './dynamodb.ts';
export {
  commitsOfCorrelation,
  type StreamCatalogPage,
  type StreamCatalogPosition,
  streamCatalogPage,
} from './dynamodb-index-queries.ts';
export { EVENT_STORE_INDEXES, streamTypeOf } from './dynamodb-indexes.ts';
export {
  EVENT_STORE_KEYS,
  EVENT_STORE_PREFIXES,
  type ItemImage,
  isCommitItem,
  storedEventsFromItem,
} from './dynamodb-items.ts';
export { createEventStoreTable } from './dynamodb-table.ts';
export { ConcurrencyError, DuplicateError } from './errors.ts';
export { InMemoryEventStore, type InMemoryEventStoreOptions } from './in-memory.ts';
export { type AggregateOptions, type LoadedAggregate, loadAggregate } from './load-aggregate.ts';
export type {
  AppendOptions,
  AppendResult,
  EventStore,
  ReadOptions,
  ReadPage,
  SingleAppendOptions,
  Snapshot,
  StoredEvent,
  StreamAppend,
  Upcaster,
} from './port.ts';
export { type RetryOnConflictOptions, retryOnConflict } from './retry.ts';

/** Idempotency for side effects: the port, in-memory and DynamoDB adapters, and `runOnce`. */

export { DynamoDbIdempotencyStore, type DynamoDbIdempotencyStoreOptions } from './dynamodb.ts';
export { InMemoryIdempotencyStore } from './in-memory.ts';
export type { BeginOptions, BeginResult, IdempotencyStore } from './port.ts';
export {
  DEFAULT_IDEMPOTENCY_RECORD_TTL_SECONDS,
  DEFAULT_IN_PROGRESS_TTL_MS,
  IdempotencyInProgressError,
  type RunOnceOptions,
  type RunOnceResult,
  runOnce,
} from './run-once.ts';

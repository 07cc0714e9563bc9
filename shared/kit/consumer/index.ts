/**
 * The consumer runtime of every SQS-fed Lambda: batch processing with partial failures, retry with
 * backoff, immediate dead-lettering of poison records, handler context, circuit breaker.
 */

export { appendOutcome } from './append-outcome.ts';
export { parseSqsBody } from './body.ts';
export {
  CircuitBreaker,
  type CircuitBreakerOptions,
  CircuitOpenError,
  type CircuitState,
  type CircuitStateChange,
} from './circuit-breaker.ts';
export { type ConsumerEnv, consumerEnvSchema, consumerHarness, productionConsumerDeps } from './config.ts';
export { idempotencyKeyOf } from './context.ts';
export { DEAD_LETTER_ATTRIBUTES, type FailureReason, failureReason } from './dead-letter.ts';
export { UnhandledEventTypeError } from './errors.ts';
export {
  type BatchHandler,
  type ConsumerDeps,
  type ConsumerHarness,
  createSqsConsumer,
  type SqsConsumer,
  type SqsConsumerOptions,
} from './runtime.ts';
export { type BackoffPolicy, backoffSeconds, delayRetry } from './sqs-retry.ts';
export { realTimer, type Timer, withTimeout } from './timeout.ts';
export type {
  EventHandler,
  EventHandlers,
  Handled,
  HandlerContext,
  InternalFact,
  SqsPort,
} from './types.ts';

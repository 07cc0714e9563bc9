import { ordersCatalog } from '../../shared/contexts/orders/events/catalog.ts';
import { ORDER_INTAKE_TYPES, SAGA_UNSTORED_TYPES } from '../../shared/contexts/orders/use-cases/intake.ts';
import { createSqsConsumer } from '../../shared/kit/consumer/runtime.ts';
import { sagaHandlers } from '../../shared/kit/saga/runner.ts';
import { consumerDeps, inputClaims, saga, store, storedCheck, subjectKeys, timers } from './config.ts';

/**
 * Order saga (process manager): `OrderPlaced` and the inventory / payment answers from the bus, and its
 * own step timers (`SagaStepTimedOut`, delayed SQS messages or Scheduler schedules to this queue). Each event is decided
 * against the saga's state and the resulting transitions, commands and outcome are appended in one
 * write with the record's idempotency key; the outbox publishes the commands.
 */
export const handler = createSqsConsumer({
  catalog: ordersCatalog,
  name: 'saga',
  handlers: sagaHandlers(saga, { store, timers }),
  // Its intake (OrderPlaced, stored by its first transition) and its own timers arrive unstored.
  intake: SAGA_UNSTORED_TYPES,
  storedCheck,
  // Producers' commands have their ids claimed; its own timers (ids it makes) need none.
  inputClaims,
  claimedTypes: ORDER_INTAKE_TYPES,
  // A producer's clear contact is encrypted under the customer's key before anything else sees it.
  subjectKeys,
  ...consumerDeps,
});

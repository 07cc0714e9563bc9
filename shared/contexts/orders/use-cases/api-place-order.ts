import { createHandlerContext } from '../../../kit/consumer/context.ts';
import { EventIdReusedError } from '../../../kit/consumer/errors.ts';
import { handleInput } from '../../../kit/consumer/handle-input.ts';
import { ValidationError } from '../../../kit/errors/pipeline-error.ts';
import type { EventStore } from '../../../kit/event-store/port.ts';
import type { Catalog, Definitions, EventFactoryDeps } from '../../../kit/events/catalog.ts';
import { type HttpAnswer, json, ProblemError } from '../../../kit/http/problem.ts';
import {
  type HttpRequest,
  idempotencyKey,
  idFromKey,
  jsonBody,
  preferredWait,
  type RequestLimits,
  unknownFields,
} from '../../../kit/http/request.ts';
import type { InputClaims } from '../../../kit/idempotency/input-claims.ts';
import type { LogPort } from '../../../kit/observability/logger.ts';
import { protectEvent } from '../../../kit/personal-data/protect.ts';
import type { SubjectKeys } from '../../../kit/personal-data/subject-keys.ts';
import { handleSagaEvent, sagaStreamId } from '../../../kit/saga/runner.ts';
import type { SagaTimerPort } from '../../../kit/saga/timers.ts';
import { ordersCatalog } from '../events/catalog.ts';
import type { orderSaga } from '../sagas/order-saga.ts';
import { awaitOutcome, type OutcomeWait } from './api-outcome.ts';
import { ORDER_INTAKE_TYPES } from './intake.ts';

/** The consumer whose first transition takes an order: the API writes as the saga, its one writer. */
const INTAKE_CONSUMER = 'saga';

/**
 * Scope of the ids derived from Idempotency-Keys: the route and the caller, so a key never names a
 * producer's event, and one caller's key never another caller's order.
 */
const keyScope = (caller: string) => `orders.api/POST /orders\n${caller}`;

/** What placing an order through the API needs. */
export interface PlaceOrderDeps {
  readonly saga: ReturnType<typeof orderSaga>;
  readonly store: EventStore;
  readonly timers: SagaTimerPort;
  /** Claims each order's event id for its content, as the saga's queue does. @default none */
  readonly inputClaims?: InputClaims;
  readonly events: EventFactoryDeps;
  readonly logger: LogPort;
  readonly limits: RequestLimits;
  readonly wait: OutcomeWait;
  /**
   * Keys of the customers: the contact is encrypted before the order is hashed, claimed or stored.
   * @default none: stored as sent (tests of other concerns)
   */
  readonly subjectKeys?: SubjectKeys;
}

/**
 * `POST /orders`: the body is `OrderPlaced` data (the catalog's schema, unknown fields refused). The
 * `Idempotency-Key` names the event (a stable id derived from it), so a retry is the same event: the
 * saga's first transition stores the order through the kit's intake (`handleInput`, as the saga's
 * queue runs it), a retry with the same body is a duplicate answered like the first time, and the key
 * with another body is refused (409). Answers 202 with `Location`, or with `Prefer: wait=N` the
 * outcome (200) when it comes within N seconds.
 */
export async function placeOrder(
  deps: PlaceOrderDeps,
  request: HttpRequest,
  requestId: string,
): Promise<HttpAnswer> {
  const body = jsonBody(request, deps.limits);
  const key = idempotencyKey(request, deps.limits);
  const waitSeconds = preferredWait(request, deps.limits);
  const id = idFromKey(keyScope(request.caller ?? ''), key);
  const parsed = orderPlaced(body, id, deps.events);
  const event = deps.subjectKeys ? await protectEvent(ordersCatalog, parsed, deps.subjectKeys) : parsed;
  const orderId = event.data.orderId;
  // The saga's handlers take any catalog event; its catalog checks what it emits by value.
  const context = createHandlerContext<Definitions>({
    consumer: INTAKE_CONSUMER,
    record: { messageId: requestId },
    event,
    logger: deps.logger,
    factory: deps.events,
    catalog: ordersCatalog as unknown as Catalog,
  });
  const saga = deps.saga as unknown as Parameters<typeof handleSagaEvent>[0];
  let handled: 'handled' | 'duplicate';
  try {
    handled = await handleInput({
      handler: (input, handlerContext) => handleSagaEvent(saga, deps, input, handlerContext),
      context,
      inputClaims: deps.inputClaims,
      claimedTypes: ORDER_INTAKE_TYPES,
      now: deps.events.now(),
    });
  } catch (error) {
    if (!(error instanceof EventIdReusedError)) throw error;
    throw new ProblemError(
      'idempotency-key-reused',
      'this Idempotency-Key was first sent with another body; use a new key for a new order',
      { path: 'headers.idempotency-key' },
    );
  }
  deps.logger.info('order taken', { orderId, eventId: id, outcome: handled, waitSeconds });
  const accepted = { orderId, correlationId: event.correlationId };
  const headers = {
    location: `/orders/${encodeURIComponent(orderId)}`,
    'x-correlation-id': event.correlationId,
  };
  const outcome =
    waitSeconds === 0
      ? undefined
      : await awaitOutcome(deps.wait, sagaStreamId(saga, orderId), id, waitSeconds * 1000);
  return outcome === undefined
    ? json(202, { ...accepted, status: 'ACCEPTED' }, headers)
    : json(200, { ...accepted, ...outcome }, headers);
}

/** The `OrderPlaced` event of a body: validated by the catalog, unknown fields refused (400). */
function orderPlaced(body: unknown, id: string, events: EventFactoryDeps) {
  let event: ReturnType<typeof ordersCatalog.create<'OrderPlaced'>>;
  try {
    // The event is its own correlation: the request and everything the saga does for it share it.
    event = ordersCatalog.create('OrderPlaced', body as never, { id, correlationId: id }, events);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const path = error.path.replace(/^data\.?/, '');
    throw new ProblemError('invalid-body', error.message.replace(/^data\.?/, ''), { path });
  }
  const [unknown] = unknownFields(body, event.data);
  if (unknown !== undefined) {
    throw new ProblemError('invalid-body', `${unknown}: unknown field`, { path: unknown });
  }
  return event;
}

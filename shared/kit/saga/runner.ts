import { appendOutcome } from '../consumer/append-outcome.ts';
import { EventIdReusedError } from '../consumer/errors.ts';
import type { EventHandlers, Handled, HandlerContext } from '../consumer/types.ts';
import { loadAggregate } from '../event-store/load-aggregate.ts';
import type { EventStore } from '../event-store/port.ts';
import { type RetryOnConflictOptions, retryOnConflict } from '../event-store/retry.ts';
import type { Definitions, TypeOf } from '../events/catalog.ts';
import type { EventEnvelope } from '../events/envelope.ts';
import { type AnySagaDefinition, type SagaDefinition, sagaEventTypes } from './definition.ts';
import { decideSaga, type SagaDecision } from './engine.ts';
import { evolveSagaState, initialSagaState, isSagaTransition, type SagaState } from './state.ts';
import type { SagaTimerPort, SagaTimerRef } from './timers.ts';

/** What a saga consumer needs. */
export interface SagaRunnerDeps {
  readonly store: EventStore;
  readonly timers: SagaTimerPort;
  readonly retry?: RetryOnConflictOptions;
  /** Snapshot the saga state every n events; sagas are short, so off by default. */
  readonly snapshotEvery?: number;
}

/** The stream of one saga instance: `saga-<name>#<id>`. */
export function sagaStreamId(definition: Pick<SagaDefinition, 'name'>, sagaId: string): string {
  return `saga-${definition.name}#${sagaId}`;
}

/** Loads a saga's state and version; public events in its stream (its outputs) do not change state. */
export async function loadSaga<Data>(
  store: EventStore,
  definition: AnySagaDefinition<Data>,
  sagaId: string,
  snapshotEvery?: number,
): Promise<{ state: SagaState<Data>; version: number }> {
  const loaded = await loadAggregate<SagaState<Data>>(store, sagaStreamId(definition, sagaId), {
    initial: initialSagaState,
    evolve: (state, event) => (isSagaTransition(event) ? evolveSagaState(state, event) : state),
    ...(snapshotEvery === undefined ? {} : { snapshotEvery }),
  });
  return { state: loaded.state, version: loaded.version };
}

/**
 * Handles one event for a saga: load → decide → append transitions and outputs in one write (with
 * the context's idempotency key) → schedule the timer of a newly started step. A conflict with a
 * concurrent writer reloads and decides again. The timer is scheduled after the append; if that fails,
 * the record is retried and the redelivered event (now a duplicate) re-arms the same timer. A decision
 * that ends the saga withdraws the timer still in flight, where the timer adapter can.
 */
export async function handleSagaEvent<Data>(
  definition: AnySagaDefinition<Data>,
  deps: SagaRunnerDeps,
  event: EventEnvelope,
  context: HandlerContext,
): Promise<Handled> {
  const sagaId = definition.sagaIdOf(event);
  const { decision, outcome } = await retryOnConflict(async () => {
    const { state, version } = await loadSaga(deps.store, definition, sagaId, deps.snapshotEvery);
    const decided = decideSaga(definition, state, event, context.now(), context.inputFingerprint);
    if (decided.reusedId !== undefined) {
      const { storedHash } = decided.reusedId;
      throw new EventIdReusedError(context.consumer, event.id, storedHash, context.inputFingerprint);
    }
    const written =
      decided.transitions.length === 0
        ? undefined
        : await append(definition, deps.store, sagaId, version, decided, event, context);
    return { decision: decided, outcome: written ?? (decided.duplicate ? 'duplicate' : 'handled') };
  }, deps.retry);
  if (decision.ignored !== undefined) context.logger.info('saga ignored event', { reason: decision.ignored });
  if (decision.timer !== undefined) {
    const { step, deadline } = decision.timer;
    const { correlationId, id: causationId } = event;
    await deps.timers.schedule({
      saga: definition.name,
      source: definition.source,
      sagaId,
      step,
      deadline,
      correlationId,
      causationId,
    });
  }
  if (decision.cancelTimer !== undefined) {
    const timer = { saga: definition.name, sagaId, ...decision.cancelTimer };
    await cancelTimer(deps.timers, timer, context);
  }
  return outcome;
}

/**
 * Withdraws the timer of a saga that ended, best-effort: the decision is stored, and a timer left in
 * place only fires into a saga that ignores it, so a failure is logged and the record still succeeds.
 */
async function cancelTimer(
  timers: SagaTimerPort,
  timer: SagaTimerRef,
  context: HandlerContext,
): Promise<void> {
  try {
    await timers.cancel?.(timer);
  } catch (error) {
    context.logger.warn('saga timer not cancelled; it will fire and be ignored', {
      step: timer.step,
      deadline: timer.deadline,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}

async function append<Data>(
  definition: AnySagaDefinition<Data>,
  store: EventStore,
  sagaId: string,
  version: number,
  decision: SagaDecision,
  input: EventEnvelope,
  context: HandlerContext,
): Promise<Handled> {
  const events = [
    ...decision.transitions.map((transition) => context.emitInternal(transition, definition.source)),
    ...decision.outputs.map((output) => context.emitFact(output)),
  ];
  // The intake write: an accepted start command is stored first, as it arrived (same id), with the
  // decision it caused; the outbox publishes it, and read models react to that, not to the bus.
  const stored = decision.accepted ? [input as EventEnvelope, ...events] : events;
  const result = await store.append(sagaStreamId(definition, sagaId), stored, {
    expectedVersion: version,
    idempotencyKey: context.idempotencyKey,
    idempotencyFingerprint: context.inputFingerprint,
  });
  return appendOutcome(result, events);
}

/** Handlers for every event the saga reacts to, for `createSqsConsumer`. */
export function sagaHandlers<D extends Definitions, Data>(
  definition: SagaDefinition<TypeOf<D>, Data, D>,
  deps: SagaRunnerDeps,
): EventHandlers<D> {
  const generic = definition as unknown as AnySagaDefinition<Data>;
  const handle = (event: EventEnvelope, context: HandlerContext) =>
    handleSagaEvent(generic, deps, event, context);
  return Object.fromEntries(
    sagaEventTypes(definition).map((type) => [type, handle]),
  ) as unknown as EventHandlers<D>;
}

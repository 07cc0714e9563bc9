import { type AggregateOptions, loadAggregate } from '../event-store/load-aggregate.ts';
import type { EventStore } from '../event-store/port.ts';
import { type RetryOnConflictOptions, retryOnConflict } from '../event-store/retry.ts';
import type { Definitions, FactOf } from '../events/catalog.ts';
import type { InternalFact } from '../events/facts.ts';
import { appendOutcome } from './append-outcome.ts';
import { EventIdReusedError } from './errors.ts';
import { refuseReusedId } from './reuse.ts';
import type { Handled, HandlerContext } from './types.ts';

/**
 * What a pure decider answers for one input, given the state of its stream:
 * - `append`: store these facts (published events of the catalog) and internal facts (kept in the
 *   store), caused by the input, in one write;
 * - `accept`: the input is a producer's command taken first-hand (this consumer is its intake, its one
 *   writer): store it as it arrived (same id), with any facts it causes, in one write;
 * - `duplicate`: the state shows the input was handled already: nothing is written;
 * - `reused`: the state shows the input's id handled before with other content (`storedHash`): refused
 *   with `EventIdReusedError`, never skipped;
 * - `ignore`: the input changes nothing by a rule of the domain (`why` is logged), yet is handled.
 * A refusal is a decision to `append` the refusal event: bad input is stored as a refusal, not dropped.
 */
export type Decision<D extends Definitions> =
  | {
      readonly kind: 'append';
      readonly facts: readonly FactOf<D>[];
      readonly internal?: readonly InternalFact[];
    }
  | { readonly kind: 'accept'; readonly facts?: readonly FactOf<D>[] }
  | { readonly kind: 'duplicate' }
  | { readonly kind: 'reused'; readonly storedHash: string }
  | { readonly kind: 'ignore'; readonly why: string };

/** Builds an `append` decision (no facts at all is an `ignore`, so a decider cannot write nothing). */
export function append<D extends Definitions>(
  facts: readonly FactOf<D>[],
  internal: readonly InternalFact[] = [],
): Decision<D> {
  return facts.length + internal.length === 0
    ? { kind: 'ignore', why: 'nothing to record' }
    : { kind: 'append', facts, internal };
}

/** One command on one stream: where it lives, how its state is rebuilt, what the decider says. */
export interface Command<State, D extends Definitions> {
  readonly store: EventStore;
  readonly streamId: string;
  /** Rebuilds the stream's state (snapshot + tail when `snapshotEvery` is set). */
  readonly aggregate: AggregateOptions<State>;
  /** Pure: the decision for the input on this state. Called again after a version conflict. */
  readonly decide: (state: State) => Decision<D>;
  /** Source of the internal facts, e.g. `onboarding.settings`. */
  readonly internalSource?: string;
  /** Bounded retries on a version conflict. @default retryOnConflict's */
  readonly retry?: RetryOnConflictOptions;
}

/**
 * The command-handling kernel every consumer runs on: load the stream's state → decide (pure) →
 * append what was decided with the input's idempotency key and content fingerprint (so the state change
 * and "this input was handled" are one atomic write) → on a concurrent writer's version conflict, load
 * and decide again, a bounded number of times. It answers:
 * - `handled`: the decision was written now (or the input changes nothing, logged with its reason);
 *   an accepted input is written as-is, so a racing duplicate delivery also reports `handled`;
 * - `duplicate`: the state or the store's idempotency record shows the input handled before, with the
 *   same content (the same id with other content throws `EventIdReusedError`: refused, never skipped).
 */
export async function handleCommand<State, D extends Definitions>(
  command: Command<State, D>,
  context: HandlerContext<D>,
): Promise<Handled> {
  const { store, streamId } = command;
  return retryOnConflict(async () => {
    const { state, version } = await loadAggregate(store, streamId, command.aggregate);
    const decision = command.decide(state);
    if (decision.kind === 'duplicate') {
      await refuseReusedId(store, streamId, context);
      return 'duplicate';
    }
    if (decision.kind === 'reused') {
      throw new EventIdReusedError(
        context.consumer,
        context.inputId,
        decision.storedHash,
        context.inputFingerprint,
      );
    }
    if (decision.kind === 'ignore') {
      context.logger.info('input changes nothing', { streamId, reason: decision.why });
      return 'handled';
    }
    if (decision.kind === 'accept') {
      // The intake write: the command stored as it arrived (same id); the outbox publishes it and the
      // other consumers react to that. Two deliveries racing here both report 'handled' (the replayed
      // append holds the same id); only one is stored.
      const caused = (decision.facts ?? []).map((fact) => context.emitFact(fact));
      const result = await store.append(streamId, [context.input, ...caused], {
        expectedVersion: version,
        idempotencyKey: context.idempotencyKey,
        idempotencyFingerprint: context.inputFingerprint,
      });
      return appendOutcome(result, [context.input, ...caused]);
    }
    const internal = decision.internal ?? [];
    if (internal.length > 0 && command.internalSource === undefined) {
      throw new Error(`${streamId}: internal facts need the command's internalSource`);
    }
    const events = [
      ...decision.facts.map((fact) => context.emitFact(fact)),
      ...internal.map((fact) => context.emitInternal(fact, command.internalSource as string)),
    ];
    const result = await store.append(streamId, events, {
      expectedVersion: version,
      idempotencyKey: context.idempotencyKey,
      idempotencyFingerprint: context.inputFingerprint,
    });
    return appendOutcome(result, events);
  }, command.retry);
}

import { type AggregateOptions, type LoadedAggregate, loadAggregate } from '../event-store/load-aggregate.ts';
import type { EventStore, StreamAppend } from '../event-store/port.ts';
import { type RetryOnConflictOptions, retryOnConflict } from '../event-store/retry.ts';
import type { Definitions, FactOf } from '../events/catalog.ts';
import type { EventEnvelope } from '../events/envelope.ts';
import type { InternalFact } from '../events/facts.ts';
import { appendOutcome } from './append-outcome.ts';
import { EventIdReusedError } from './errors.ts';
import { refuseReusedId, refuseReusedIdIn } from './reuse.ts';
import type { Handled, HandlerContext } from './types.ts';

/**
 * A side effect a decider asks for (a provider call, a mail): a plain description the command's
 * `effect` performs. Its `key` names it within one handling, so an effect asked for again after a
 * version conflict is answered from memory instead of being performed twice.
 */
export interface EffectRequest {
  readonly key: string;
}

/** What the effects performed so far in this handling answered, by {@link EffectRequest.key}. */
export type Answers<A> = ReadonlyMap<string, A>;

/**
 * What a pure decider answers for one input, given the state of its stream:
 * - `append`: store these facts (published events of the catalog) and internal facts (kept in the
 *   store), caused by the input, in one write;
 * - `accept`: the input is a producer's command taken first-hand (this consumer is its intake, its one
 *   writer): store it as it arrived (same id), with any facts it causes, in one write;
 * - `duplicate`: the state shows the input was handled already: nothing is written;
 * - `reused`: the state shows the input's id handled before with other content (`storedHash`): refused
 *   with `EventIdReusedError`, never skipped;
 * - `ignore`: the input changes nothing by a rule of the domain (`why` is logged), yet is handled;
 * - `effect`: the decision needs the answer of a side effect first: the kernel performs it (once per
 *   handling) and asks the decider again with the answer.
 * A refusal is a decision to `append` the refusal event: bad input is stored as a refusal, not dropped.
 */
export type Decision<D extends Definitions, E extends EffectRequest = never> =
  | {
      readonly kind: 'append';
      readonly facts: readonly FactOf<D>[];
      readonly internal?: readonly InternalFact[];
    }
  | { readonly kind: 'accept'; readonly facts?: readonly FactOf<D>[] }
  | Unwritten
  | { readonly kind: 'effect'; readonly effect: E };

/** The decisions that write nothing, shared by every form of the kernel. */
type Unwritten =
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
export interface Command<State, D extends Definitions, E extends EffectRequest = never, A = never> {
  readonly store: EventStore;
  readonly streamId: string;
  /** Rebuilds the stream's state (snapshot + tail when `snapshotEvery` is set). */
  readonly aggregate: AggregateOptions<State>;
  /**
   * Pure: the decision for the input on this state, given what the effects asked for so far answered.
   * Called again after an effect and after a version conflict.
   */
  readonly decide: (state: State, answers: Answers<A>) => Decision<D, E>;
  /**
   * Performs an effect a decision asks for. It runs before the write it leads to, so a crash in between
   * performs it again on the redelivery (at least once): make it idempotent at the other end where it
   * can be. Required as soon as the decider can answer `effect`.
   */
  readonly effect?: (effect: E) => Promise<A>;
  /**
   * The write's idempotency key. @default the input's (`context.idempotencyKey`); a consumer that
   * writes one record per part of an input in the same stream (one per channel) keys each part.
   */
  readonly idempotencyKey?: string;
  /** Source of the internal facts, e.g. `onboarding.settings`. */
  readonly internalSource?: string;
  /** Bounded retries on a version conflict. @default retryOnConflict's */
  readonly retry?: RetryOnConflictOptions;
}

/** What one stream receives from a multi-stream decision. */
export interface StreamWrite<D extends Definitions> {
  readonly streamId: string;
  readonly facts?: readonly FactOf<D>[];
  readonly internal?: readonly InternalFact[];
}

/** {@link Decision} of a command over several streams: `append` names the stream of each write. */
export type MultiStreamDecision<D extends Definitions> =
  | { readonly kind: 'append'; readonly writes: readonly StreamWrite<D>[] }
  | Unwritten;

/**
 * One command whose decision spans several streams written in one atomic `appendMany`: the input's own
 * stream (its state says whether the input was handled) and the related streams its state names
 * (e.g. the stock stream of every SKU of an order), each version-checked, so a concurrent writer of any
 * of them makes the command load and decide again.
 */
export interface MultiStreamCommand<State, Related, D extends Definitions> {
  readonly store: EventStore;
  /** The input's own stream: the one whose events tell a duplicate. */
  readonly streamId: string;
  readonly aggregate: AggregateOptions<State>;
  /** Pure: the other streams the decision needs, from the state of the input's stream. */
  readonly related: (state: State) => readonly string[];
  readonly relatedAggregate: (streamId: string) => AggregateOptions<Related>;
  /** Pure: the decision on the state and the related streams' states (by stream id). */
  readonly decide: (state: State, related: ReadonlyMap<string, Related>) => MultiStreamDecision<D>;
  readonly internalSource?: string;
  readonly retry?: RetryOnConflictOptions;
}

/** What the answers that write nothing need of the handler context. */
type InputOf = Pick<HandlerContext, 'consumer' | 'inputId' | 'inputFingerprint' | 'logger'>;

/** A stream's load plus the events in it caused by the input, seen while folding (for reuse checks). */
interface Loaded<State> extends LoadedAggregate<State> {
  readonly caused: readonly EventEnvelope[];
}

/** Loads like `loadAggregate`, keeping aside what the input's id caused on the way. */
async function loadNoting<State>(
  store: EventStore,
  streamId: string,
  aggregate: AggregateOptions<State>,
  inputId: string,
): Promise<Loaded<State>> {
  const caused: EventEnvelope[] = [];
  const loaded = await loadAggregate(store, streamId, {
    ...aggregate,
    evolve: (state, event) => {
      if (event.causationId === inputId) caused.push(event);
      return aggregate.evolve(state, event);
    },
  });
  return { ...loaded, caused };
}

/**
 * A `duplicate` decision, checked against the events the load just folded instead of a second read:
 * the same id with other content is refused. Only the part of the stream a snapshot covered (never
 * folded by this load) is read, and only up to the snapshot.
 */
async function duplicateOf(
  store: EventStore,
  streamId: string,
  loaded: Loaded<unknown>,
  context: InputOf,
): Promise<Handled> {
  refuseReusedIdIn(loaded.caused, context);
  const snapshotVersion = loaded.version - loaded.eventsApplied;
  if (snapshotVersion > 0) await refuseReusedId(store, streamId, context, snapshotVersion);
  return 'duplicate';
}

/** The answer to a decision that writes nothing. */
function unwritten(
  decision: Unwritten,
  store: EventStore,
  streamId: string,
  loaded: Loaded<unknown>,
  context: InputOf,
): Promise<Handled> {
  if (decision.kind === 'duplicate') return duplicateOf(store, streamId, loaded, context);
  if (decision.kind === 'reused') {
    throw new EventIdReusedError(
      context.consumer,
      context.inputId,
      decision.storedHash,
      context.inputFingerprint,
    );
  }
  context.logger.info('input changes nothing', { streamId, reason: decision.why });
  return Promise.resolve('handled');
}

/** Builds the events of each write (caused by the input) and stores them in one atomic write. */
async function write<D extends Definitions>(
  store: EventStore,
  writes: readonly StreamWrite<D>[],
  versionOf: (streamId: string) => number,
  options: { readonly idempotencyKey: string; readonly internalSource: string | undefined },
  context: HandlerContext<D>,
): Promise<Handled> {
  const appends: StreamAppend[] = [];
  for (const part of writes) {
    const internal = part.internal ?? [];
    if (internal.length > 0 && options.internalSource === undefined) {
      throw new Error(`${part.streamId}: internal facts need the command's internalSource`);
    }
    const events = [
      ...(part.facts ?? []).map((fact) => context.emitFact(fact)),
      ...internal.map((fact) => context.emitInternal(fact, options.internalSource as string)),
    ];
    // A stream with nothing to store is left out: the store refuses an empty append.
    if (events.length > 0) {
      appends.push({ streamId: part.streamId, events, expectedVersion: versionOf(part.streamId) });
    }
  }
  const written = appends.flatMap((part) => part.events);
  const idempotency = {
    idempotencyKey: options.idempotencyKey,
    idempotencyFingerprint: context.inputFingerprint,
  };
  const [only] = appends;
  if (appends.length === 1 && only !== undefined) {
    const result = await store.append(only.streamId, only.events, {
      ...idempotency,
      expectedVersion: only.expectedVersion,
    });
    return appendOutcome(result, written);
  }
  return appendOutcome(await store.appendMany(appends, idempotency), written);
}

/** Effects may ask for effects; a decider that keeps asking for new ones is stopped here. */
const MAX_EFFECTS_PER_HANDLING = 8;

/**
 * The command-handling kernel every consumer runs on: load the stream's state → decide (pure) →
 * append what was decided with the input's idempotency key and content fingerprint (so the state change
 * and "this input was handled" are one atomic write) → on a concurrent writer's version conflict, load
 * and decide again, a bounded number of times. It answers:
 * - `handled`: the decision was written now (or the input changes nothing, logged with its reason);
 *   an accepted input is written as-is, so a racing duplicate delivery also reports `handled`;
 * - `duplicate`: the state or the store's idempotency record shows the input handled before, with the
 *   same content (the same id with other content throws `EventIdReusedError`: refused, never skipped).
 * A decision may first ask for an effect: it is performed between the load and the write, once per
 * handling; after a version conflict the decider sees the answers already given and decides on the new
 * state without performing them again (it can still ask for a different one).
 */
export async function handleCommand<State, D extends Definitions, E extends EffectRequest = never, A = never>(
  command: Command<State, D, E, A>,
  context: HandlerContext<D>,
): Promise<Handled> {
  const { store, streamId } = command;
  const idempotencyKey = command.idempotencyKey ?? context.idempotencyKey;
  const answers = new Map<string, A>();
  return retryOnConflict(async () => {
    const loaded = await loadNoting(store, streamId, command.aggregate, context.inputId);
    let decision = command.decide(loaded.state, answers);
    while (decision.kind === 'effect') {
      const { key } = decision.effect;
      if (answers.has(key)) throw new Error(`${streamId}: effect ${key} asked for again after its answer`);
      if (answers.size >= MAX_EFFECTS_PER_HANDLING) {
        throw new Error(`${streamId}: more than ${MAX_EFFECTS_PER_HANDLING} effects for one input`);
      }
      if (command.effect === undefined)
        throw new Error(`${streamId}: effect ${key} needs the command's effect`);
      answers.set(key, await command.effect(decision.effect));
      decision = command.decide(loaded.state, answers);
    }
    if (decision.kind === 'accept') {
      // The intake write: the command stored as it arrived (same id); the outbox publishes it and the
      // other consumers react to that. Two deliveries racing here both report 'handled' (the replayed
      // append holds the same id); only one is stored.
      const caused = (decision.facts ?? []).map((fact) => context.emitFact(fact));
      const result = await store.append(streamId, [context.input, ...caused], {
        expectedVersion: loaded.version,
        idempotencyKey,
        idempotencyFingerprint: context.inputFingerprint,
      });
      return appendOutcome(result, [context.input, ...caused]);
    }
    if (decision.kind !== 'append') return unwritten(decision, store, streamId, loaded, context);
    const writes = [{ streamId, facts: decision.facts, internal: decision.internal ?? [] }];
    return write(
      store,
      writes,
      () => loaded.version,
      { idempotencyKey, internalSource: command.internalSource },
      context,
    );
  }, command.retry);
}

/**
 * {@link handleCommand} over several streams: load the input's stream, then the related streams its
 * state names → decide (pure) → one atomic `appendMany` with the input's idempotency, every written
 * stream at the version it was decided on → on a version conflict in any of them, all again.
 */
export async function handleMultiStreamCommand<State, Related, D extends Definitions>(
  command: MultiStreamCommand<State, Related, D>,
  context: HandlerContext<D>,
): Promise<Handled> {
  const { store, streamId } = command;
  return retryOnConflict(async () => {
    const loaded = await loadNoting(store, streamId, command.aggregate, context.inputId);
    const relatedIds = [...new Set(command.related(loaded.state))].filter((id) => id !== streamId);
    const related = new Map(
      await Promise.all(
        relatedIds.map(
          async (id) => [id, await loadAggregate(store, id, command.relatedAggregate(id))] as const,
        ),
      ),
    );
    const states = new Map([...related].map(([id, { state }]) => [id, state]));
    const decision = command.decide(loaded.state, states);
    if (decision.kind !== 'append') return unwritten(decision, store, streamId, loaded, context);
    const versionOf = (id: string): number => {
      if (id === streamId) return loaded.version;
      const version = related.get(id)?.version;
      // A write to a stream the decision never saw would have no version to be checked against.
      if (version === undefined)
        throw new Error(`${id}: written but not among the command's related streams`);
      return version;
    };
    return write(
      store,
      decision.writes,
      versionOf,
      { idempotencyKey: context.idempotencyKey, internalSource: command.internalSource },
      context,
    );
  }, command.retry);
}

/**
 * A command with no input behind it (an operator's: goods received, seeding): nothing to be idempotent
 * about and no duplicate to tell, so it is the kernel's load → decide → append at the version decided
 * on → bounded retry on a conflict, without the input's idempotency. The decider returns the events to
 * store, built once by the caller (the same ids on every attempt); none stores nothing.
 */
export interface OperatorCommand<State> {
  readonly store: EventStore;
  readonly streamId: string;
  readonly aggregate: AggregateOptions<State>;
  /** Pure: the events to append on this state. */
  readonly decide: (state: State) => readonly EventEnvelope[];
  readonly retry?: RetryOnConflictOptions;
}

/** Runs an {@link OperatorCommand}; answers whether anything was stored. */
export async function handleOperatorCommand<State>(command: OperatorCommand<State>): Promise<boolean> {
  const { store, streamId } = command;
  return retryOnConflict(async () => {
    const { state, version } = await loadAggregate(store, streamId, command.aggregate);
    const events = command.decide(state);
    if (events.length === 0) return false;
    await store.append(streamId, events, { expectedVersion: version });
    return true;
  }, command.retry);
}

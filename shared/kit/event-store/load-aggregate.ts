import { ValidationError } from '../errors/pipeline-error.ts';
import type { EventEnvelope } from '../events/envelope.ts';
import type { EventStore } from './port.ts';

/** How to rebuild an aggregate's state from its stream. */
export interface AggregateOptions<State> {
  /** State of a stream with no events; a factory so `evolve` may never share it between loads. */
  readonly initial: () => State;
  /** Pure fold step: the state after one (already upcast) event. */
  readonly evolve: (state: State, event: EventEnvelope) => State;
  /**
   * Save a snapshot once at least this many events were folded on top of the last one.
   * State must then survive a JSON round trip. Off when not given.
   */
  readonly snapshotEvery?: number;
}

/** A rebuilt aggregate; `version` is what the next append passes as `expectedVersion`. */
export interface LoadedAggregate<State> {
  readonly state: State;
  readonly version: number;
  /** Events folded on top of the snapshot (all of them when there was none). */
  readonly eventsApplied: number;
  /** Whether this load saved a new snapshot. */
  readonly snapshotSaved: boolean;
}

/**
 * Loads state as snapshot + tail: the latest snapshot, then every later event through `evolve`.
 * Writes a new snapshot when `snapshotEvery` events piled up since the last one. A failed snapshot
 * write fails the load, like any other store error, so problems surface instead of silently slowing
 * every later load.
 */
export async function loadAggregate<State>(
  store: EventStore,
  streamId: string,
  options: AggregateOptions<State>,
): Promise<LoadedAggregate<State>> {
  const { snapshotEvery } = options;
  if (snapshotEvery !== undefined && (!Number.isInteger(snapshotEvery) || snapshotEvery < 1)) {
    throw new ValidationError('must be an integer >= 1', 'snapshotEvery');
  }
  const snapshot = await store.loadSnapshot<State>(streamId);
  let state = snapshot ? snapshot.state : options.initial();
  let version = snapshot?.version ?? 0;
  let eventsApplied = 0;
  for await (const stored of store.readAll(streamId, version + 1)) {
    state = options.evolve(state, stored.event);
    version = stored.streamVersion;
    eventsApplied += 1;
  }
  const snapshotSaved = snapshotEvery !== undefined && eventsApplied >= snapshotEvery;
  if (snapshotSaved) await store.saveSnapshot(streamId, version, state);
  return { state, version, eventsApplied, snapshotSaved };
}

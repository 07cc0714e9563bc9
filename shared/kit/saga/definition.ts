import { ValidationError } from '../errors/pipeline-error.ts';
import type { DataOf, Definitions, EnvelopeOf, EventOf, FactOf, TypeOf } from '../events/catalog.ts';
import type { SagaStatus } from './state.ts';
import { SAGA_TIMER_TYPE } from './timer-event.ts';

/** Data of the event that completed a step, kept in the saga state for later compensation. */
export type StepResult = Readonly<Record<string, unknown>>;

/**
 * One step of a saga with its compensation, side by side. A step starts by emitting commands (`run`),
 * completes on `completedBy`, fails on `failedBy` (nothing is held then, so no compensation) or on its
 * deadline (something may be held: its compensation runs, fire-and-forget). Completed steps are
 * compensated in reverse order, each waiting for `compensatedBy` (or its own deadline) when given.
 * `D` is the saga's catalog: the types it reads and the facts it emits.
 */
export interface SagaStep<Data, D extends Definitions = Definitions> {
  readonly name: string;
  readonly run: (data: Data) => readonly FactOf<D>[];
  readonly completedBy: TypeOf<D>;
  readonly failedBy?: TypeOf<D>;
  /** Undo commands; `result` is the completion data, absent when the step never completed. */
  readonly compensate?: (data: Data, result: StepResult | undefined, reason: string) => readonly FactOf<D>[];
  readonly compensatedBy?: TypeOf<D>;
  /** @default the definition's `stepTimeoutMs` */
  readonly timeoutMs?: number;
}

/** Input of {@link step}: `compensate` sees the completion event's data typed. */
export interface StepInput<Data, D extends Definitions, C extends TypeOf<D>>
  extends Omit<SagaStep<Data, D>, 'completedBy' | 'compensate'> {
  readonly completedBy: C;
  readonly compensate?: (
    data: Data,
    result: DataOf<D, C> | undefined,
    reason: string,
  ) => readonly FactOf<D>[];
}

/**
 * Steps of a saga over catalog `D`, each with its compensation typed against the event that completes
 * it: `const step = stepsOf<Orders>(); step({ … })`.
 */
export function stepsOf<D extends Definitions>() {
  return <Data, C extends TypeOf<D>>(input: StepInput<Data, D, C>): SagaStep<Data, D> =>
    input as SagaStep<Data, D>;
}

/**
 * A process manager: how it starts, its steps in order, what it emits when all completed or when it
 * gave up. `Data` is kept in the saga's stream and must survive a JSON round trip.
 */
export interface SagaDefinition<
  Start extends TypeOf<D> = string,
  Data = unknown,
  D extends Definitions = Definitions,
> {
  /** Names the saga in stream ids (`saga-<name>#<id>`) and timers. */
  readonly name: string;
  /** Source of the saga's internal events and timers, `<context>.<service>`; the catalog must hold its timer. */
  readonly source: string;
  readonly startedBy: Start;
  /** Method syntax on purpose: lets a definition for one catalog be used as a generic one. */
  start(event: EnvelopeOf<D, Start>): Data;
  /** The saga instance an event belongs to (e.g. its order id). Method syntax as for `start`. */
  sagaIdOf(event: EventOf<D>): string;
  readonly steps: readonly SagaStep<Data, D>[];
  readonly completed: (data: Data, results: Readonly<Record<string, StepResult>>) => readonly FactOf<D>[];
  readonly cancelled: (data: Data, reason: string) => readonly FactOf<D>[];
  /**
   * A second start command for an existing saga, with other content than the one that started it
   * (another customer, other items, a saga already finished): what to store and publish as the
   * refusal. Method syntax for the same reason as `start`.
   */
  rejected?(current: Data, refused: EnvelopeOf<D, Start>, status: SagaStatus): readonly FactOf<D>[];
  /** Deadline of a step (and of waiting for a compensation) unless the step sets its own. */
  readonly stepTimeoutMs: number;
}

/**
 * A saga definition over any catalog, as the engine and runner take it: they route by type name and
 * pass facts through, so the catalog's static types do not matter there (and `SagaDefinition<…, Orders>`
 * is not assignable to the loose `SagaDefinition`, its steps' types being invariant in `D`).
 */
// biome-ignore lint/suspicious/noExplicitAny: erases the saga's catalog types, see above.
export type AnySagaDefinition<Data = unknown> = SagaDefinition<any, Data, any>;

/**
 * Checks a definition once, at module load: step names unique, event types not claimed by two steps
 * (the engine routes by type), timeouts positive. A bad definition is a programming error.
 */
export function defineSaga<D extends Definitions, Start extends TypeOf<D>, Data>(
  definition: SagaDefinition<Start, Data, D>,
): SagaDefinition<Start, Data, D> {
  const names = new Set<string>();
  const claimed = new Set<string>([definition.startedBy, SAGA_TIMER_TYPE]);
  if (definition.steps.length === 0) throw new ValidationError('at least one step is required', 'steps');
  definition.steps.forEach((s, i) => {
    if (names.has(s.name)) throw new ValidationError(`step ${s.name} is defined twice`, `steps.${i}.name`);
    names.add(s.name);
    for (const type of [s.completedBy, s.failedBy, s.compensatedBy]) {
      if (type === undefined) continue;
      if (claimed.has(type)) throw new ValidationError(`${type} is used twice`, `steps.${i}`);
      claimed.add(type);
    }
    if (s.timeoutMs !== undefined && !(s.timeoutMs > 0)) {
      throw new ValidationError('must be > 0', `steps.${i}.timeoutMs`);
    }
  });
  if (!(definition.stepTimeoutMs > 0)) throw new ValidationError('must be > 0', 'stepTimeoutMs');
  return definition;
}

/** Every event type the saga reacts to: what its queue must receive. */
export function sagaEventTypes<D extends Definitions, Data>(
  definition: SagaDefinition<TypeOf<D>, Data, D>,
): TypeOf<D>[] {
  const types = new Set<TypeOf<D>>([definition.startedBy, SAGA_TIMER_TYPE]);
  for (const s of definition.steps) {
    for (const type of [s.completedBy, s.failedBy, s.compensatedBy]) if (type) types.add(type);
  }
  return [...types];
}

/** The step named `name`; throws for names the definition does not have (a corrupt state). */
export function stepNamed<Data>(definition: AnySagaDefinition<Data>, name: string): SagaStep<Data> {
  const found = definition.steps.find((s) => s.name === name);
  if (found === undefined) throw new Error(`saga ${definition.name} has no step ${name}`);
  return found;
}

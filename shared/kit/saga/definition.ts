import type { AnyEvent, EventData, EventType, TypedEnvelope } from '../../contexts/orders/events/catalog.ts';
import { ValidationError } from '../errors/pipeline-error.ts';
import type { EventSource } from '../events/define.ts';
import type { Fact } from '../events/facts.ts';
import type { SagaStatus } from './state.ts';

/** Data of the event that completed a step, kept in the saga state for later compensation. */
export type StepResult = Readonly<Record<string, unknown>>;

/**
 * One step of a saga with its compensation, side by side. A step starts by emitting commands (`run`),
 * completes on `completedBy`, fails on `failedBy` (nothing is held then, so no compensation) or on its
 * deadline (something may be held: its compensation runs, fire-and-forget). Completed steps are
 * compensated in reverse order, each waiting for `compensatedBy` (or its own deadline) when given.
 */
export interface SagaStep<Data> {
  readonly name: string;
  readonly run: (data: Data) => readonly Fact[];
  readonly completedBy: EventType;
  readonly failedBy?: EventType;
  /** Undo commands; `result` is the completion data, absent when the step never completed. */
  readonly compensate?: (data: Data, result: StepResult | undefined, reason: string) => readonly Fact[];
  readonly compensatedBy?: EventType;
  /** @default the definition's `stepTimeoutMs` */
  readonly timeoutMs?: number;
}

/** Input of {@link step}: `compensate` sees the completion event's data typed. */
export interface StepInput<Data, C extends EventType>
  extends Omit<SagaStep<Data>, 'completedBy' | 'compensate'> {
  readonly completedBy: C;
  readonly compensate?: (data: Data, result: EventData<C> | undefined, reason: string) => readonly Fact[];
}

/** Declares a step with its compensation typed against the event that completes it. */
export function step<Data, C extends EventType>(input: StepInput<Data, C>): SagaStep<Data> {
  return input as SagaStep<Data>;
}

/**
 * A process manager: how it starts, its steps in order, what it emits when all completed or when it
 * gave up. `Data` is kept in the saga's stream and must survive a JSON round trip.
 */
export interface SagaDefinition<Start extends EventType = EventType, Data = unknown> {
  /** Names the saga in stream ids (`saga-<name>#<id>`) and timers. */
  readonly name: string;
  /** Source of the saga's internal events. */
  readonly source: EventSource;
  readonly startedBy: Start;
  /** Method syntax on purpose: lets a definition for one start type be used as a generic one. */
  start(event: TypedEnvelope<Start>): Data;
  /** The saga instance an event belongs to (e.g. its order id). */
  readonly sagaIdOf: (event: AnyEvent) => string;
  readonly steps: readonly SagaStep<Data>[];
  readonly completed: (data: Data, results: Readonly<Record<string, StepResult>>) => readonly Fact[];
  readonly cancelled: (data: Data, reason: string) => readonly Fact[];
  /**
   * A second start command for an existing saga, with other content than the one that started it
   * (another customer, other items, a saga already finished): what to store and publish as the
   * refusal. Method syntax for the same reason as `start`.
   */
  rejected?(current: Data, refused: TypedEnvelope<Start>, status: SagaStatus): readonly Fact[];
  /** Deadline of a step (and of waiting for a compensation) unless the step sets its own. */
  readonly stepTimeoutMs: number;
}

/**
 * Checks a definition once, at module load: step names unique, event types not claimed by two steps
 * (the engine routes by type), timeouts positive. A bad definition is a programming error.
 */
export function defineSaga<Start extends EventType, Data>(
  definition: SagaDefinition<Start, Data>,
): SagaDefinition<Start, Data> {
  const names = new Set<string>();
  const claimed = new Set<string>([definition.startedBy, 'SagaStepTimedOut']);
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
export function sagaEventTypes<Data>(definition: SagaDefinition<EventType, Data>): EventType[] {
  const types = new Set<EventType>([definition.startedBy, 'SagaStepTimedOut']);
  for (const s of definition.steps) {
    for (const type of [s.completedBy, s.failedBy, s.compensatedBy]) if (type) types.add(type);
  }
  return [...types];
}

/** The step named `name`; throws for names the definition does not have (a corrupt state). */
export function stepNamed<Data>(definition: SagaDefinition<EventType, Data>, name: string): SagaStep<Data> {
  const found = definition.steps.find((s) => s.name === name);
  if (found === undefined) throw new Error(`saga ${definition.name} has no step ${name}`);
  return found;
}

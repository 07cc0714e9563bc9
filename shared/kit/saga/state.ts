import type { StepResult } from './definition.ts';

/**
 * State of one saga instance, folded from its internal transition events. The saga's stream holds
 * these transitions (never published) next to the commands and outcomes it emitted (published).
 */

/** Where the saga is. */
export type SagaStatus = 'new' | 'running' | 'compensating' | 'completed' | 'cancelled';

/** The step the saga waits for, and until when. */
export interface ActiveStep {
  readonly step: string;
  readonly phase: 'forward' | 'compensation';
  /** ISO-8601 instant after which the step counts as timed out. */
  readonly deadline: string;
  /** Id of the input event that started it: a redelivery of that event schedules its timer again. */
  readonly setBy: string;
  /**
   * `false` when no timer was sent for this step because one already in flight fires by its deadline
   * (that one, when it fires, is re-armed for this step). Absent on steps that sent their own, as every
   * step stored before this field did.
   */
  readonly armed?: boolean;
}

/** One saga instance. */
export interface SagaState<Data = unknown> {
  readonly status: SagaStatus;
  readonly data?: Data;
  readonly active?: ActiveStep;
  /** Forward steps started, completed, and their completion data. */
  readonly started: readonly string[];
  readonly completed: readonly string[];
  readonly results: Readonly<Record<string, StepResult>>;
  /** Completed steps still to compensate, next first. */
  readonly pending: readonly string[];
  readonly compensated: readonly string[];
  /** Steps whose result arrived after the saga gave up on them, and was compensated. */
  readonly lateCompensated: readonly string[];
  readonly reason?: string;
  /** Ids of the input events that changed this saga: a redelivery of one of them is a duplicate. */
  readonly handled: readonly string[];
  /** Content hash of each handled input (when recorded): the same id with other content is refused. */
  readonly hashes: Readonly<Record<string, string>>;
  /** Content hash of the command that started the saga: a second start command is compared with it. */
  readonly startHash?: string;
  /** When the last timer sent for this saga fires (the deadline of the last step that sent one). */
  readonly timerAt?: string;
  /** The step that last sent a timer (the one firing at `timerAt`), so it can be named to cancel it. */
  readonly timerStep?: string;
}

/** The internal events of a saga's stream. */
export type SagaTransition =
  | {
      readonly type: 'SagaInputHandled';
      /** `eventTime` (the input's own time) lets read models rebuilt from the store time it exactly. */
      readonly data: { eventId: string; eventType: string; eventTime?: string; contentHash?: string };
    }
  | { readonly type: 'SagaStarted'; readonly data: { data: unknown; contentHash?: string } }
  | { readonly type: 'SagaStepStarted'; readonly data: ActiveStep }
  | { readonly type: 'SagaStepCompleted'; readonly data: { step: string; result: StepResult } }
  | {
      readonly type: 'SagaCompensationPlanned';
      readonly data: { reason: string; failedStep: string; steps: readonly string[] };
    }
  | { readonly type: 'SagaStepCompensated'; readonly data: { step: string; confirmed: boolean } }
  | { readonly type: 'SagaLateResultCompensated'; readonly data: { step: string; eventId: string } }
  | { readonly type: 'SagaCompleted'; readonly data: Record<string, never> }
  | { readonly type: 'SagaCancelled'; readonly data: { reason: string } };

const TRANSITION_TYPES = new Set<string>([
  'SagaInputHandled',
  'SagaStarted',
  'SagaStepStarted',
  'SagaStepCompleted',
  'SagaCompensationPlanned',
  'SagaStepCompensated',
  'SagaLateResultCompensated',
  'SagaCompleted',
  'SagaCancelled',
]);

/** True for the internal transition types of {@link SagaTransition}. */
export function isSagaTransition(event: { type: string }): event is SagaTransition {
  return TRANSITION_TYPES.has(event.type);
}

/** A saga that has not started. */
export function initialSagaState<Data>(): SagaState<Data> {
  return {
    status: 'new',
    started: [],
    completed: [],
    results: {},
    pending: [],
    compensated: [],
    lateCompensated: [],
    handled: [],
    hashes: {},
  };
}

/** The state after one transition. */
export function evolveSagaState<Data>(state: SagaState<Data>, transition: SagaTransition): SagaState<Data> {
  switch (transition.type) {
    case 'SagaInputHandled': {
      const { eventId, contentHash } = transition.data;
      const hashes = contentHash === undefined ? state.hashes : { ...state.hashes, [eventId]: contentHash };
      return { ...state, handled: [...state.handled, eventId], hashes };
    }
    case 'SagaStarted': {
      const { data, contentHash } = transition.data;
      const started = { ...state, status: 'running' as const, data: data as Data };
      return contentHash === undefined ? started : { ...started, startHash: contentHash };
    }
    case 'SagaStepStarted': {
      const active = transition.data;
      const forward = active.phase === 'forward';
      const sent = active.armed !== false;
      return {
        ...state,
        active,
        started: forward ? [...state.started, active.step] : state.started,
        ...(sent ? { timerAt: active.deadline, timerStep: active.step } : {}),
      };
    }
    case 'SagaStepCompleted': {
      const { step, result } = transition.data;
      const results = { ...state.results, [step]: result };
      return { ...state, active: undefined, completed: [...state.completed, step], results };
    }
    case 'SagaCompensationPlanned': {
      const { reason, steps } = transition.data;
      return { ...state, status: 'compensating', active: undefined, reason, pending: [...steps] };
    }
    case 'SagaStepCompensated':
      return compensated(state, transition.data.step);
    case 'SagaLateResultCompensated':
      return { ...state, lateCompensated: [...state.lateCompensated, transition.data.step] };
    case 'SagaCompleted':
      return { ...state, status: 'completed', active: undefined };
    case 'SagaCancelled':
      return { ...state, status: 'cancelled', active: undefined, reason: transition.data.reason };
  }
}

function compensated<Data>(state: SagaState<Data>, step: string): SagaState<Data> {
  const waiting = state.active?.phase === 'compensation' && state.active.step === step;
  return {
    ...state,
    active: waiting ? undefined : state.active,
    pending: state.pending.filter((name) => name !== step),
    compensated: [...state.compensated, step],
  };
}

const ENDED = new Set<SagaStatus>(['completed', 'cancelled']);

/**
 * The timer in flight when a decision ends the saga (`before` → `after`), if it is still to fire:
 * nothing waits for it any more.
 */
export function timerToCancel(
  before: SagaState<unknown>,
  after: SagaState<unknown>,
  now: Date,
): { cancelTimer?: Pick<ActiveStep, 'step' | 'deadline'> } {
  if (ENDED.has(before.status) || !ENDED.has(after.status)) return {};
  const { timerAt: deadline, timerStep: step } = before;
  if (deadline === undefined || step === undefined || Date.parse(deadline) <= now.getTime()) return {};
  return { cancelTimer: { step, deadline } };
}

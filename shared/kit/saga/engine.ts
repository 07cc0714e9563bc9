import type { EventEnvelope } from '../events/envelope.ts';
import { type AnySagaDefinition, type SagaStep, stepNamed } from './definition.ts';
import {
  type ActiveStep,
  evolveSagaState,
  type SagaState,
  type SagaTransition,
  timerToCancel,
} from './state.ts';
import { SAGA_TIMER_TYPE, type SagaTimerData } from './timer-event.ts';

/** A command or outcome a saga emits, of whichever catalog the saga is defined over. */
type Fact = { readonly type: string; readonly data: unknown };

/** An input of the saga, as the runtime parsed it (its catalog validated the data). */
type Input = EventEnvelope<unknown>;

/** What a saga decided for one input event. Pure data: the runner persists and schedules it. */
export interface SagaDecision {
  /** Internal transitions to append to the saga's stream (empty when nothing changed). */
  readonly transitions: readonly SagaTransition[];
  /** Commands and outcomes to append (and so publish) in the same write. */
  readonly outputs: readonly Fact[];
  /** A deadline to (re)schedule a timer for. */
  readonly timer?: ActiveStep;
  /**
   * The saga ended (completed or cancelled) while the last timer it sent is still to fire: nothing
   * waits for it any more, so the runner may withdraw it (best-effort; if it fires, it is ignored).
   */
  readonly cancelTimer?: Pick<ActiveStep, 'step' | 'deadline'>;
  /** The input was handled before: nothing to do (beyond re-arming its timer). */
  readonly duplicate: boolean;
  /** Why an input changed nothing (late, stale, not expected now), for the logs. */
  readonly ignored?: string;
  /**
   * The input is the saga's start command, accepted: it is stored in the saga's stream with the
   * decision (the intake write), so what reacts to it later reacts to what the store holds.
   */
  readonly accepted?: boolean;
  /** The input's id was handled before with this other content hash: refuse, never skip. */
  readonly reusedId?: { readonly storedHash: string };
}

type Definition<Data> = AnySagaDefinition<Data>;

/** Accumulates transitions while keeping the state they lead to, so later rules see earlier ones. */
class Draft<Data> {
  readonly transitions: SagaTransition[] = [];
  readonly outputs: Fact[] = [];
  timer: ActiveStep | undefined;

  constructor(
    public state: SagaState<Data>,
    readonly input: Input,
    readonly now: Date,
    readonly inputHash?: string,
  ) {}

  apply(transition: SagaTransition): void {
    const applied = transition.type === 'SagaStepStarted' ? this.arming(transition.data) : transition;
    this.transitions.push(applied);
    this.state = evolveSagaState(this.state, applied);
  }

  /**
   * A started step sends its own timer unless one already in flight fires by the step's deadline: a
   * saga whose steps follow each other quickly then sends one timer rather than one per step (each is a
   * send, a receive, a delete and an invocation). That timer, firing while a later step is active and
   * not yet due, is re-armed for that step (`timeout`).
   */
  private arming(step: ActiveStep): SagaTransition {
    const inFlight = this.state.timerAt === undefined ? Number.NaN : Date.parse(this.state.timerAt);
    const covered = inFlight > this.now.getTime() && inFlight <= Date.parse(step.deadline);
    if (covered) return { type: 'SagaStepStarted', data: { ...step, armed: false } };
    this.timer = step;
    return { type: 'SagaStepStarted', data: step };
  }

  emit(facts: readonly Fact[]): void {
    this.outputs.push(...facts);
  }

  get data(): Data {
    return this.state.data as Data;
  }

  deadline(step: SagaStep<Data>, definition: Definition<Data>): string {
    return new Date(this.now.getTime() + (step.timeoutMs ?? definition.stepTimeoutMs)).toISOString();
  }
}

/**
 * Decides what a saga does with one event, given its state and the time. Duplicates (same event id),
 * stale timers, late and unexpected events change nothing or only trigger compensations; the
 * returned transitions always start with `SagaInputHandled`, which makes the input a duplicate next time.
 */
export function decideSaga<Data>(
  definition: Definition<Data>,
  state: SagaState<Data>,
  input: Input,
  now: Date,
  inputHash?: string,
): SagaDecision {
  if (state.handled.includes(input.id)) {
    // Snapshots taken before hashes were kept have none.
    const storedHash = state.hashes?.[input.id];
    if (storedHash !== undefined && inputHash !== undefined && storedHash !== inputHash) {
      return { transitions: [], outputs: [], duplicate: false, reusedId: { storedHash } };
    }
    // Its step's timer may not have been sent (the append succeeded, the send failed): send it again,
    // unless the step relied on a timer already in flight.
    const rearm = state.active?.setBy === input.id && state.active.armed !== false ? state.active : undefined;
    return { transitions: [], outputs: [], duplicate: true, ...(rearm ? { timer: rearm } : {}) };
  }
  if (input.type === definition.startedBy && state.status !== 'new') {
    return startAgain(definition, state, input, inputHash);
  }
  const draft = new Draft(state, input, now, inputHash);
  const ignored = route(definition, draft);
  if (ignored !== undefined) {
    const notDue = ignored === NOT_DUE ? { timer: state.active } : {};
    return { transitions: [], outputs: [], duplicate: false, ignored, ...notDue };
  }
  return {
    transitions: [inputHandled(input, inputHash), ...draft.transitions],
    outputs: draft.outputs,
    duplicate: false,
    ...(input.type === definition.startedBy ? { accepted: true } : {}),
    ...(draft.timer ? { timer: draft.timer } : {}),
    ...timerToCancel(state, draft.state, now),
  };
}

/** The transition that makes an input a duplicate next time (with its content hash, when known). */
function inputHandled(input: Input, inputHash: string | undefined): SagaTransition {
  const data = { eventId: input.id, eventType: input.type, eventTime: input.time };
  return {
    type: 'SagaInputHandled',
    data: inputHash === undefined ? data : { ...data, contentHash: inputHash },
  };
}

/**
 * A start command for a saga that exists already, under another event id. The same content is the
 * same command sent again (a producer retry with a new id): a duplicate, nothing written. Other
 * content conflicts with the stream: refused with the definition's refusal (stored and published, so
 * the refusal is visible), and recorded as handled, so its redelivery is a duplicate. Nothing else
 * changes. Without a `rejected` rule, or for a saga stored before start hashes were kept, it is ignored.
 */
function startAgain<Data>(
  definition: Definition<Data>,
  state: SagaState<Data>,
  input: Input,
  inputHash: string | undefined,
): SagaDecision {
  if (inputHash !== undefined && inputHash === state.startHash) {
    return { transitions: [], outputs: [], duplicate: true };
  }
  if (definition.rejected === undefined || state.startHash === undefined || inputHash === undefined) {
    return { transitions: [], outputs: [], duplicate: false, ignored: 'saga already started' };
  }
  const refusal = definition.rejected(state.data as Data, input as never, state.status);
  return { transitions: [inputHandled(input, inputHash)], outputs: refusal, duplicate: false };
}

const NOT_DUE = 'timer not due yet';

/** Applies the rule for the input; returns why nothing happened, or `undefined` when something did. */
function route<Data>(definition: Definition<Data>, draft: Draft<Data>): string | undefined {
  const { input, state } = draft;
  if (input.type === definition.startedBy) return start(definition, draft);
  // The saga's catalog holds the timer definition, so the runtime validated this data already.
  if (input.type === SAGA_TIMER_TYPE) return timeout(definition, draft, input.data as SagaTimerData);
  if (state.status === 'new') return 'saga not started';
  const active = state.active;
  if (active?.phase === 'forward') {
    const current = stepNamed(definition, active.step);
    if (input.type === current.completedBy) return completeStep(definition, draft, current);
    if (input.type === current.failedBy) return failStep(definition, draft, current, reasonOf(input), false);
  }
  if (active?.phase === 'compensation') {
    const current = stepNamed(definition, active.step);
    if (input.type === current.compensatedBy) return compensated(definition, draft, current, true);
  }
  return lateResult(definition, draft);
}

function start<Data>(definition: Definition<Data>, draft: Draft<Data>): string | undefined {
  if (draft.state.status !== 'new') return 'saga already started';
  const data = definition.start(draft.input as never);
  const hash = draft.inputHash;
  draft.apply({ type: 'SagaStarted', data: hash === undefined ? { data } : { data, contentHash: hash } });
  return startStep(definition, draft, 0);
}

function startStep<Data>(definition: Definition<Data>, draft: Draft<Data>, index: number): undefined {
  const next = definition.steps[index] as SagaStep<Data>;
  const active: ActiveStep = {
    step: next.name,
    phase: 'forward',
    deadline: draft.deadline(next, definition),
    setBy: draft.input.id,
  };
  draft.apply({ type: 'SagaStepStarted', data: active });
  draft.emit(next.run(draft.data));
  return undefined;
}

function completeStep<Data>(
  definition: Definition<Data>,
  draft: Draft<Data>,
  current: SagaStep<Data>,
): undefined {
  const result = draft.input.data as Record<string, unknown>;
  draft.apply({ type: 'SagaStepCompleted', data: { step: current.name, result } });
  const index = definition.steps.indexOf(current) + 1;
  if (index < definition.steps.length) return startStep(definition, draft, index);
  draft.apply({ type: 'SagaCompleted', data: {} });
  draft.emit(definition.completed(draft.data, draft.state.results));
  return undefined;
}

/**
 * Gives up on `current`: plans compensation of the completed steps (newest first), compensates the
 * failed step itself when it timed out (it may hold something; nothing to wait for), then runs the plan.
 */
function failStep<Data>(
  definition: Definition<Data>,
  draft: Draft<Data>,
  current: SagaStep<Data>,
  reason: string,
  timedOut: boolean,
): undefined {
  const steps = [...draft.state.completed]
    .reverse()
    .filter((name) => stepNamed(definition, name).compensate !== undefined);
  draft.apply({ type: 'SagaCompensationPlanned', data: { reason, failedStep: current.name, steps } });
  if (timedOut && current.compensate) {
    draft.emit(current.compensate(draft.data, undefined, reason));
    draft.apply({ type: 'SagaStepCompensated', data: { step: current.name, confirmed: false } });
  }
  return nextCompensation(definition, draft);
}

function nextCompensation<Data>(definition: Definition<Data>, draft: Draft<Data>): undefined {
  const reason = draft.state.reason ?? 'cancelled';
  const name = draft.state.pending[0];
  if (name === undefined) {
    draft.apply({ type: 'SagaCancelled', data: { reason } });
    draft.emit(definition.cancelled(draft.data, reason));
    return undefined;
  }
  const next = stepNamed(definition, name);
  draft.emit(next.compensate?.(draft.data, draft.state.results[name], reason) ?? []);
  if (next.compensatedBy === undefined) {
    draft.apply({ type: 'SagaStepCompensated', data: { step: name, confirmed: false } });
    return nextCompensation(definition, draft);
  }
  const active: ActiveStep = {
    step: name,
    phase: 'compensation',
    deadline: draft.deadline(next, definition),
    setBy: draft.input.id,
  };
  draft.apply({ type: 'SagaStepStarted', data: active });
  return undefined;
}

function compensated<Data>(
  definition: Definition<Data>,
  draft: Draft<Data>,
  current: SagaStep<Data>,
  confirmed: boolean,
): undefined {
  draft.apply({ type: 'SagaStepCompensated', data: { step: current.name, confirmed } });
  return nextCompensation(definition, draft);
}

function timeout<Data>(
  definition: Definition<Data>,
  draft: Draft<Data>,
  timer: SagaTimerData,
): string | undefined {
  const active = draft.state.active;
  if (timer.saga !== definition.name || active === undefined) return 'stale timer';
  if (Date.parse(active.deadline) > draft.now.getTime()) {
    const own = active.step === timer.step && active.deadline === timer.deadline;
    // Another step's timer, while the active step's own is still to come: nothing to do.
    if (!own && active.armed !== false) return 'stale timer';
    // Its own timer fired early (SQS caps a delay at 15 min), or the timer the step relied on: re-arm.
    return NOT_DUE;
  }
  // The active step is past its deadline, whichever timer says so.
  const current = stepNamed(definition, active.step);
  if (active.phase === 'compensation') return compensated(definition, draft, current, false);
  return failStep(definition, draft, current, `${current.name} timed out`, true);
}

/**
 * A step's result that arrives after the saga gave up on that step (e.g. a payment authorized after
 * its timeout): the step is compensated with the result it brought. Anything else is ignored.
 */
function lateResult<Data>(definition: Definition<Data>, draft: Draft<Data>): string | undefined {
  const { state, input } = draft;
  const late = definition.steps.find((s) => s.completedBy === input.type);
  if (late === undefined || state.status === 'running' || state.status === 'completed') {
    return `${input.type} not expected while ${state.status}`;
  }
  if (!state.started.includes(late.name) || state.completed.includes(late.name)) {
    return `${input.type} not expected while ${state.status}`;
  }
  if (late.compensate === undefined || state.lateCompensated.includes(late.name)) {
    return `late ${input.type} already compensated`;
  }
  const reason = state.reason ?? 'cancelled';
  draft.emit(late.compensate(draft.data, input.data as Record<string, unknown>, reason));
  draft.apply({ type: 'SagaLateResultCompensated', data: { step: late.name, eventId: input.id } });
  return undefined;
}

function reasonOf(event: Input): string {
  const reason = (event.data as { reason?: unknown }).reason;
  return typeof reason === 'string' && reason.length > 0 ? reason : event.type;
}

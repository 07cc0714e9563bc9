import { CAUSE_HASH_METADATA_KEY, causeHashOf } from '../../../kit/consumer/reuse.ts';
import { contentHashOf } from '../../../kit/events/content-hash.ts';
import type { EventEnvelope } from '../../../kit/events/envelope.ts';
import { type OnboardingEventData, type OnboardingFact, onboardingFact } from '../events/catalog.ts';

/**
 * The account of one user, event-sourced in `user#<userId>`. The accounts consumer is the intake of
 * `UserRegistered` and `UserProfileChanged`: it stores an accepted command as-is (same id), so the
 * stream's version is the lock that lets exactly one registration in, and what reacts to a registration
 * (welcome, settings, profiles) reacts to what the store holds. Pure: state, evolve, decide.
 */

/** `revoked`: the registration was undone (the welcome message bounced); it stays undone. */
export type AccountStatus = 'unregistered' | 'registered' | 'revoked';

/** The registration as the stream holds it. */
export interface Registration {
  readonly eventId: string;
  /** Content hash (`contentHashOf`) of the stored `UserRegistered`: tells a resend from other content. */
  readonly contentHash: string;
}

/** The account of one user. Plain JSON, so it could be snapshotted. */
export interface AccountState {
  readonly userId: string;
  readonly status: AccountStatus;
  readonly registration?: Registration;
  readonly revocationReason?: string;
  readonly firstOrderId?: string;
  /** Content hash of each stored `UserProfileChanged`, by `changeId`. */
  readonly changes: Readonly<Record<string, string>>;
  /**
   * Every input the stream answered, by event id: the short content hash (`causeHashOf`) of the input,
   * or `null` when an answer carries no stamp. A stored command answers itself; every other input is
   * answered by the event it caused. The same id with the same hash is a redelivery, with another hash
   * a producer reusing the id.
   */
  readonly inputs: Readonly<Record<string, string | null>>;
}

/** An input as the deciders read it: its id, its content hash (`context.inputFingerprint`), its data. */
export interface AccountInput<Data> {
  readonly id: string;
  readonly hash: string;
  readonly data: Data;
}

/** What the accounts consumer does with one input. */
export type AccountDecision =
  /** Store the input itself, as it arrived (the intake write). */
  | { readonly kind: 'accept' }
  /** Store these facts, caused by the input. */
  | { readonly kind: 'record'; readonly facts: readonly OnboardingFact[] }
  /** The input (or one with the same content, or the same compensation) was answered before. */
  | { readonly kind: 'duplicate' }
  /** The input's id was answered before with this other content hash: refuse it, never skip. */
  | { readonly kind: 'reused'; readonly storedHash: string }
  /** The input changes nothing, and why (for the logs). */
  | { readonly kind: 'ignore'; readonly why: string };

/** The event types this stream's consumer writes as answers to an input (its `causationId`). */
const ANSWERS: ReadonlySet<string> = new Set([
  'UserRegistrationRejected',
  'UserProfileChangeRejected',
  'UserRegistrationRevoked',
  'FirstOrderRecorded',
]);

/** The account of a user nothing was stored for. */
export function initialAccount(userId: string): AccountState {
  return { userId, status: 'unregistered', changes: {}, inputs: {} };
}

/** The short hash an input is remembered by (the stamp `context.emit` puts on what it causes). */
function remembered(hash: string): string {
  return causeHashOf(hash);
}

/** Account after one stored event of its stream. */
export function evolveAccount(state: AccountState, event: EventEnvelope): AccountState {
  const answered = answeredBy(state, event);
  switch (event.type) {
    case 'UserRegistered': {
      const contentHash = contentHashOf(event);
      const inputs = { ...state.inputs, [event.id]: remembered(contentHash) };
      return { ...state, status: 'registered', registration: { eventId: event.id, contentHash }, inputs };
    }
    case 'UserProfileChanged': {
      const { changeId } = event.data as OnboardingEventData<'UserProfileChanged'>;
      const contentHash = contentHashOf(event);
      const inputs = { ...state.inputs, [event.id]: remembered(contentHash) };
      return { ...state, changes: { ...state.changes, [changeId]: contentHash }, inputs };
    }
    case 'UserRegistrationRevoked': {
      const { reason } = event.data as OnboardingEventData<'UserRegistrationRevoked'>;
      return { ...answered, status: 'revoked', revocationReason: reason };
    }
    case 'FirstOrderRecorded': {
      const { orderId } = event.data as OnboardingEventData<'FirstOrderRecorded'>;
      return { ...answered, firstOrderId: orderId };
    }
    default:
      return answered;
  }
}

/** The state with the input that caused `event` remembered, when `event` is one of the stream's answers. */
function answeredBy(state: AccountState, event: EventEnvelope): AccountState {
  if (!ANSWERS.has(event.type) || event.causationId === undefined) return state;
  const stamp = event.metadata?.[CAUSE_HASH_METADATA_KEY];
  const inputs = { ...state.inputs, [event.causationId]: typeof stamp === 'string' ? stamp : null };
  return { ...state, inputs };
}

/** The decision for an input id the stream answered before, or `undefined` for a new one. */
function answeredBefore(state: AccountState, input: AccountInput<unknown>): AccountDecision | undefined {
  if (!Object.hasOwn(state.inputs, input.id)) return undefined;
  const stored = state.inputs[input.id];
  if (stored === null || stored === undefined || stored === remembered(input.hash)) {
    return { kind: 'duplicate' };
  }
  return { kind: 'reused', storedHash: stored };
}

/**
 * A registration. The first one is accepted (stored as-is). Later ones, under another id: the same
 * content is the same command sent again (a producer retry), a duplicate; other content is refused
 * with `UserRegistrationRejected`, stored, so the refusal is visible and never a silent skip. A
 * revoked registration stays revoked: registering again is refused too.
 */
export function decideRegistration(
  state: AccountState,
  input: AccountInput<OnboardingEventData<'UserRegistered'>>,
): AccountDecision {
  const before = answeredBefore(state, input);
  if (before !== undefined) return before;
  if (state.status === 'unregistered' || state.registration === undefined) return { kind: 'accept' };
  if (state.registration.contentHash === input.hash) return { kind: 'duplicate' };
  const { userId } = state;
  const reason =
    state.status === 'revoked'
      ? `registration of user ${userId} was revoked (${state.revocationReason ?? 'no reason given'}); it cannot be registered again`
      : `user ${userId} is already registered; a new UserRegistered cannot change the registration`;
  return {
    kind: 'record',
    facts: [onboardingFact('UserRegistrationRejected', rejection(state, input, reason))],
  };
}

function rejection(
  state: AccountState,
  input: AccountInput<unknown>,
  reason: string,
): { userId: string; refusedEventId: string; reason: string } {
  return { userId: state.userId, refusedEventId: input.id, reason };
}

/**
 * A profile change. Accepted (stored as-is, for the profiles consumer to apply in stream order) only
 * for a registered, not revoked user; otherwise refused with `UserProfileChangeRejected`. A `changeId`
 * stored before is the same change sent again when the content is the same, and refused when not
 * (applying it would lose one of the two versions without a trace).
 */
export function decideProfileChange(
  state: AccountState,
  input: AccountInput<OnboardingEventData<'UserProfileChanged'>>,
): AccountDecision {
  const before = answeredBefore(state, input);
  if (before !== undefined) return before;
  const refuse = (reason: string): AccountDecision => ({
    kind: 'record',
    facts: [onboardingFact('UserProfileChangeRejected', rejection(state, input, reason))],
  });
  const { userId } = state;
  if (state.status === 'unregistered') return refuse(`user ${userId} is not registered`);
  if (state.status === 'revoked') return refuse(`registration of user ${userId} was revoked`);
  const { changeId } = input.data;
  const stored = state.changes[changeId];
  if (stored === input.hash) return { kind: 'duplicate' };
  if (stored !== undefined) return refuse(`change ${changeId} was made before with other content`);
  return { kind: 'accept' };
}

/**
 * Compensation of a bounced welcome message: the registration is revoked, once. A second failure (or
 * the first one redelivered) finds it revoked already.
 */
export function decideWelcomeFailure(
  state: AccountState,
  input: AccountInput<OnboardingEventData<'WelcomeMessageFailed'>>,
): AccountDecision {
  const before = answeredBefore(state, input);
  if (before !== undefined) return before;
  if (state.status === 'revoked') return { kind: 'duplicate' };
  if (state.status === 'unregistered') return { kind: 'ignore', why: 'user is not registered' };
  const reason = `welcome message failed: ${input.data.reason}`;
  return {
    kind: 'record',
    facts: [onboardingFact('UserRegistrationRevoked', { userId: state.userId, reason })],
  };
}

/**
 * A confirmed order of the orders context (`customerId` is the user id). The first one of a registered
 * user is recorded; later orders, orders of a user the stream does not know and orders of a revoked
 * registration change nothing (there is no account to record them against).
 */
export function decideOrderConfirmed(
  state: AccountState,
  input: AccountInput<OnboardingEventData<'OrderConfirmed'>>,
): AccountDecision {
  const before = answeredBefore(state, input);
  if (before !== undefined) return before;
  const { orderId } = input.data;
  if (state.status === 'unregistered')
    return { kind: 'ignore', why: 'order of a user who is not registered' };
  if (state.status === 'revoked') return { kind: 'ignore', why: 'order of a revoked registration' };
  if (state.firstOrderId === orderId) return { kind: 'duplicate' };
  if (state.firstOrderId !== undefined) return { kind: 'ignore', why: 'first order already recorded' };
  return { kind: 'record', facts: [onboardingFact('FirstOrderRecorded', { userId: state.userId, orderId })] };
}

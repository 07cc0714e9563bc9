import type { InternalFact, TypeAndData } from '../../../kit/events/facts.ts';
import { type OnboardingEventData, type OnboardingFact, onboardingFact } from '../events/catalog.ts';

/**
 * The settings of one user, event-sourced in `settings#<userId>`. The settings consumer hears of a
 * registration and of its revocation on one standard queue, in any order; the choreography must hold
 * either way. A revocation that arrives first is recorded (an internal event: nothing to publish, the
 * user never had settings), so the registration that arrives later applies nothing.
 */

/**
 * `removed`: applied, then removed by the revocation. `revoked`: the revocation came first; nothing
 * was ever applied and nothing will be.
 */
export type SettingsStatus = 'none' | 'applied' | 'removed' | 'revoked';

/** The settings of one user. */
export interface SettingsState {
  readonly userId: string;
  readonly status: SettingsStatus;
}

/** Internal event (stored, never published): a revocation arrived before the settings were applied. */
export const SETTINGS_REVOCATION_RECORDED = 'SettingsRevocationRecorded';

/** Data of {@link SETTINGS_REVOCATION_RECORDED}. */
export interface SettingsRevocationRecordedData {
  readonly userId: string;
  readonly reason: string;
}

/** What the settings consumer does with one input. */
export type SettingsDecision =
  | {
      readonly kind: 'record';
      readonly facts: readonly OnboardingFact[];
      readonly internal: readonly InternalFact[];
    }
  /** The input's effect is stored already. */
  | { readonly kind: 'duplicate' }
  /** The input changes nothing, and why (for the logs). */
  | { readonly kind: 'ignore'; readonly why: string };

/** The settings of a user nothing was stored for. */
export function initialSettings(userId: string): SettingsState {
  return { userId, status: 'none' };
}

/** Settings after one event of their stream. */
export function evolveSettings(state: SettingsState, event: TypeAndData): SettingsState {
  switch (event.type) {
    case 'DefaultSettingsApplied':
      return { ...state, status: 'applied' };
    case 'DefaultSettingsRemoved':
      return { ...state, status: 'removed' };
    case SETTINGS_REVOCATION_RECORDED:
      return state.status === 'none' ? { ...state, status: 'revoked' } : state;
    default:
      return state;
  }
}

/**
 * The default settings of a new registration: its locale, marketing emails as the user opted in, the
 * system theme. Applied once; never for a registration whose revocation arrived first.
 */
export function decideDefaults(
  state: SettingsState,
  registration: OnboardingEventData<'UserRegistered'>,
): SettingsDecision {
  if (state.status === 'revoked') {
    return { kind: 'ignore', why: 'registration was revoked before settings were applied' };
  }
  if (state.status !== 'none') return { kind: 'duplicate' };
  const { userId, locale, marketingOptIn } = registration;
  const settings = { locale, marketingEmails: marketingOptIn, theme: 'system' } as const;
  return {
    kind: 'record',
    facts: [onboardingFact('DefaultSettingsApplied', { userId, settings })],
    internal: [],
  };
}

/**
 * Compensation of a revoked registration: applied settings are removed, once. Before they are applied,
 * the revocation is recorded instead, so they never will be.
 */
export function decideRevocation(
  state: SettingsState,
  revocation: OnboardingEventData<'UserRegistrationRevoked'>,
): SettingsDecision {
  const { userId, reason } = revocation;
  switch (state.status) {
    case 'applied':
      return {
        kind: 'record',
        facts: [onboardingFact('DefaultSettingsRemoved', { userId, reason })],
        internal: [],
      };
    case 'none': {
      const data: SettingsRevocationRecordedData = { userId, reason };
      return { kind: 'record', facts: [], internal: [{ type: SETTINGS_REVOCATION_RECORDED, data }] };
    }
    default:
      return { kind: 'duplicate' };
  }
}

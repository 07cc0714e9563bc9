import { PipelineError } from '../../../kit/errors/pipeline-error.ts';
import type { InternalFact, TypeAndData } from '../../../kit/events/facts.ts';
import { type OnboardingEventData, type OnboardingFact, onboardingFact } from '../events/catalog.ts';

/**
 * The profile of one user, event-sourced in `profile#<userId>`. The profiles consumer receives the
 * stored `UserRegistered` and `UserProfileChanged` of a user in the order of the user's stream (a FIFO
 * queue whose message group is that stream), so each change applies on top of the previous one. The
 * registration is revision 0, recorded as an internal event (nothing new to publish: the registration
 * is public already); each applied change is published as `UserProfileUpdated` with the next revision.
 */

/** The profile of one user. */
export interface ProfileState {
  readonly userId: string;
  readonly registered: boolean;
  /** Changes applied so far; 0 right after the registration. */
  readonly revision: number;
  readonly displayName?: string;
  readonly locale?: string;
  /** `changeId`s applied, oldest first. */
  readonly appliedChanges: readonly string[];
}

/** Internal event (stored, never published): the profile as registered, revision 0. */
export const PROFILE_CREATED = 'ProfileCreated';

/** Data of {@link PROFILE_CREATED}. */
export interface ProfileCreatedData {
  readonly userId: string;
  readonly displayName: string;
  readonly locale: string;
}

/** What the profiles consumer stores for one input; nothing to store means a duplicate. */
export interface ProfileDecision {
  readonly facts: readonly OnboardingFact[];
  readonly internal: readonly InternalFact[];
}

const NOTHING: ProfileDecision = { facts: [], internal: [] };

/**
 * A change reached the profile before its registration. Retryable: in a FIFO group the registration
 * comes first, so this can only be a delivery out of step (a replay, a hand-sent message); waiting lets
 * the registration arrive, and the group waits with it.
 */
export class ProfileNotRegisteredError extends PipelineError<'PROFILE_NOT_REGISTERED'> {
  constructor(userId: string, changeId: string) {
    super(
      'PROFILE_NOT_REGISTERED',
      `change ${changeId} arrived before the registration of user ${userId}; retry once it is applied`,
      { retryable: true },
    );
  }
}

/** The profile of a user nothing was stored for. */
export function initialProfile(userId: string): ProfileState {
  return { userId, registered: false, revision: 0, appliedChanges: [] };
}

/** Profile after one event of its stream. */
export function evolveProfile(state: ProfileState, event: TypeAndData): ProfileState {
  switch (event.type) {
    case PROFILE_CREATED: {
      const { displayName, locale } = event.data as ProfileCreatedData;
      return { ...state, registered: true, revision: 0, displayName, locale };
    }
    case 'UserProfileUpdated': {
      const { changeId, revision, displayName, locale } =
        event.data as OnboardingEventData<'UserProfileUpdated'>;
      return { ...state, revision, displayName, locale, appliedChanges: [...state.appliedChanges, changeId] };
    }
    default:
      return state;
  }
}

/** Creates the profile from the registration, once. */
export function decideProfileStart(
  state: ProfileState,
  registration: OnboardingEventData<'UserRegistered'>,
): ProfileDecision {
  if (state.registered) return NOTHING;
  const { userId, displayName, locale } = registration;
  const data: ProfileCreatedData = { userId, displayName, locale };
  return { facts: [], internal: [{ type: PROFILE_CREATED, data }] };
}

/**
 * Applies one change on top of the current profile: fields the change leaves out keep their value,
 * the revision goes up by one. A `changeId` applied before is a duplicate. Throws
 * {@link ProfileNotRegisteredError} (retryable) for a change before the registration.
 */
export function decideProfileUpdate(
  state: ProfileState,
  change: OnboardingEventData<'UserProfileChanged'>,
): ProfileDecision {
  const { userId, changeId } = change;
  if (!state.registered || state.displayName === undefined || state.locale === undefined) {
    throw new ProfileNotRegisteredError(userId, changeId);
  }
  if (state.appliedChanges.includes(changeId)) return NOTHING;
  const updated = {
    userId,
    changeId,
    revision: state.revision + 1,
    displayName: change.displayName ?? state.displayName,
    locale: change.locale ?? state.locale,
  };
  return { facts: [onboardingFact('UserProfileUpdated', updated)], internal: [] };
}

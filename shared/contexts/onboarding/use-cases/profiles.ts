import { append, type Decision, handleCommand } from '../../../kit/consumer/command.ts';
import type { EventHandler, EventHandlers, Handled, HandlerContext } from '../../../kit/consumer/types.ts';
import type { EventStore } from '../../../kit/event-store/port.ts';
import type { RetryOnConflictOptions } from '../../../kit/event-store/retry.ts';
import {
  decideProfileStart,
  decideProfileUpdate,
  evolveProfile,
  initialProfile,
  type ProfileDecision,
  type ProfileState,
} from '../domain/profiles.ts';
import type { Onboarding, OnboardingEventType } from '../events/catalog.ts';

/** What the profiles consumer needs. */
export interface ProfilesDeps {
  readonly store: EventStore;
  readonly retry?: RetryOnConflictOptions;
}

/**
 * What the profiles consumer handles: the stored registrations and profile changes of the user stream,
 * in stream order. Its queue must be FIFO with the stored stream (`metadata.storedStream`) as message group.
 */
export const PROFILES_TYPES = [
  'UserRegistered',
  'UserProfileChanged',
] as const satisfies readonly OnboardingEventType[];

type ProfilesType = (typeof PROFILES_TYPES)[number];

/** The profile stream of a user; the profiles consumer is its one writer. */
export function profileStreamId(userId: string): string {
  return `profile#${userId}`;
}

/** Source of the internal events the profiles consumer stores. */
const SOURCE = 'onboarding.profiles';

/** The kernel's decision for a profile decision: nothing to store means the input was applied already. */
function toDecision(decision: ProfileDecision): Decision<Onboarding> {
  const { facts, internal } = decision;
  return facts.length + internal.length === 0 ? { kind: 'duplicate' } : append(facts, internal);
}

/**
 * Load → decide → store through the kit's command kernel (again on a concurrent writer's conflict).
 * A decider's error (a change before the registration, retryable) propagates, so the record and its
 * FIFO group wait.
 */
function handle(
  deps: ProfilesDeps,
  userId: string,
  context: HandlerContext<Onboarding>,
  decide: (state: ProfileState) => ProfileDecision,
): Promise<Handled> {
  return handleCommand(
    {
      store: deps.store,
      streamId: profileStreamId(userId),
      aggregate: { initial: () => initialProfile(userId), evolve: evolveProfile },
      decide: (state) => toDecision(decide(state)),
      internalSource: SOURCE,
      ...(deps.retry === undefined ? {} : { retry: deps.retry }),
    },
    context,
  );
}

/** Handlers of the profiles consumer: exactly {@link PROFILES_TYPES}. */
export function profilesHandlers(deps: ProfilesDeps): EventHandlers<Onboarding> {
  const handlers: { readonly [T in ProfilesType]: EventHandler<Onboarding, T> } = {
    UserRegistered: (event, context) =>
      handle(deps, event.data.userId, context, (state) => decideProfileStart(state, event.data)),
    UserProfileChanged: (event, context) =>
      handle(deps, event.data.userId, context, (state) => decideProfileUpdate(state, event.data)),
  };
  return handlers;
}

import { appendOutcome } from '../../../kit/consumer/append-outcome.ts';
import { refuseReusedId } from '../../../kit/consumer/reuse.ts';
import type { EventHandler, EventHandlers, Handled, HandlerContext } from '../../../kit/consumer/types.ts';
import { loadAggregate } from '../../../kit/event-store/load-aggregate.ts';
import type { EventStore } from '../../../kit/event-store/port.ts';
import { type RetryOnConflictOptions, retryOnConflict } from '../../../kit/event-store/retry.ts';
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

async function loadProfile(
  store: EventStore,
  userId: string,
): Promise<{ state: ProfileState; version: number }> {
  const { state, version } = await loadAggregate(store, profileStreamId(userId), {
    initial: () => initialProfile(userId),
    evolve: evolveProfile,
  });
  return { state, version };
}

/**
 * Load → decide → store, again on a concurrent writer's conflict. A decider's error (a change before
 * the registration, retryable) propagates, so the record and its FIFO group wait.
 */
async function handle(
  deps: ProfilesDeps,
  userId: string,
  context: HandlerContext<Onboarding>,
  decide: (state: ProfileState) => ProfileDecision,
): Promise<Handled> {
  const streamId = profileStreamId(userId);
  return retryOnConflict(async () => {
    const { state, version } = await loadProfile(deps.store, userId);
    const decision = decide(state);
    const events = [
      ...decision.facts.map((fact) => context.emitFact(fact)),
      ...decision.internal.map((fact) => context.emitInternal(fact, SOURCE)),
    ];
    if (events.length === 0) {
      await refuseReusedId(deps.store, streamId, context);
      return 'duplicate';
    }
    const result = await deps.store.append(streamId, events, {
      expectedVersion: version,
      idempotencyKey: context.idempotencyKey,
      idempotencyFingerprint: context.inputFingerprint,
    });
    return appendOutcome(result, events);
  }, deps.retry);
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

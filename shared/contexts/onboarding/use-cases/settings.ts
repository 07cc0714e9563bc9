import { appendOutcome } from '../../../kit/consumer/append-outcome.ts';
import { refuseReusedId } from '../../../kit/consumer/reuse.ts';
import type { EventHandler, EventHandlers, Handled, HandlerContext } from '../../../kit/consumer/types.ts';
import { loadAggregate } from '../../../kit/event-store/load-aggregate.ts';
import type { EventStore } from '../../../kit/event-store/port.ts';
import { type RetryOnConflictOptions, retryOnConflict } from '../../../kit/event-store/retry.ts';
import {
  decideDefaults,
  decideRevocation,
  evolveSettings,
  initialSettings,
  type SettingsDecision,
  type SettingsState,
} from '../domain/settings.ts';
import type { Onboarding, OnboardingEventType } from '../events/catalog.ts';

/** What the settings consumer needs. */
export interface SettingsDeps {
  readonly store: EventStore;
  readonly retry?: RetryOnConflictOptions;
}

/** What the settings consumer handles: stored registrations and their revocations, in any order. */
export const SETTINGS_TYPES = [
  'UserRegistered',
  'UserRegistrationRevoked',
] as const satisfies readonly OnboardingEventType[];

type SettingsType = (typeof SETTINGS_TYPES)[number];

/** The settings stream of a user; the settings consumer is its one writer. */
export function settingsStreamId(userId: string): string {
  return `settings#${userId}`;
}

/** Source of the internal events the settings consumer stores. */
const SOURCE = 'onboarding.settings';

async function loadSettings(
  store: EventStore,
  userId: string,
): Promise<{ state: SettingsState; version: number }> {
  const { state, version } = await loadAggregate(store, settingsStreamId(userId), {
    initial: () => initialSettings(userId),
    evolve: evolveSettings,
  });
  return { state, version };
}

/** Load → decide → store, again on a concurrent writer's conflict. */
async function handle(
  deps: SettingsDeps,
  userId: string,
  context: HandlerContext<Onboarding>,
  decide: (state: SettingsState) => SettingsDecision,
): Promise<Handled> {
  const streamId = settingsStreamId(userId);
  return retryOnConflict(async () => {
    const { state, version } = await loadSettings(deps.store, userId);
    const decision = decide(state);
    if (decision.kind === 'duplicate') {
      await refuseReusedId(deps.store, streamId, context);
      return 'duplicate';
    }
    if (decision.kind === 'ignore') {
      context.logger.info('input changes nothing', { userId, reason: decision.why });
      return 'handled';
    }
    const events = [
      ...decision.facts.map((fact) => context.emitFact(fact)),
      ...decision.internal.map((fact) => context.emitInternal(fact, SOURCE)),
    ];
    const result = await deps.store.append(streamId, events, {
      expectedVersion: version,
      idempotencyKey: context.idempotencyKey,
      idempotencyFingerprint: context.inputFingerprint,
    });
    return appendOutcome(result, events);
  }, deps.retry);
}

/** Handlers of the settings consumer: exactly {@link SETTINGS_TYPES}. */
export function settingsHandlers(deps: SettingsDeps): EventHandlers<Onboarding> {
  const handlers: { readonly [T in SettingsType]: EventHandler<Onboarding, T> } = {
    UserRegistered: (event, context) =>
      handle(deps, event.data.userId, context, (state) => decideDefaults(state, event.data)),
    UserRegistrationRevoked: (event, context) =>
      handle(deps, event.data.userId, context, (state) => decideRevocation(state, event.data)),
  };
  return handlers;
}

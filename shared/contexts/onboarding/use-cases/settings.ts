import { append, type Decision, handleCommand } from '../../../kit/consumer/command.ts';
import type { EventHandler, EventHandlers, Handled, HandlerContext } from '../../../kit/consumer/types.ts';
import type { EventStore } from '../../../kit/event-store/port.ts';
import type { RetryOnConflictOptions } from '../../../kit/event-store/retry.ts';
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

/** The kernel's decision for a settings decision (`record` = store these facts and internal facts). */
function toDecision(decision: SettingsDecision): Decision<Onboarding> {
  return decision.kind === 'record' ? append(decision.facts, decision.internal) : decision;
}

/** Load → decide → store through the kit's command kernel (again on a concurrent writer's conflict). */
function handle(
  deps: SettingsDeps,
  userId: string,
  context: HandlerContext<Onboarding>,
  decide: (state: SettingsState) => SettingsDecision,
): Promise<Handled> {
  return handleCommand(
    {
      store: deps.store,
      streamId: settingsStreamId(userId),
      aggregate: { initial: () => initialSettings(userId), evolve: evolveSettings },
      decide: (state) => toDecision(decide(state)),
      internalSource: SOURCE,
      ...(deps.retry === undefined ? {} : { retry: deps.retry }),
    },
    context,
  );
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

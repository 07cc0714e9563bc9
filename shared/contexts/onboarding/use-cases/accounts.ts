import { append, type Decision, handleCommand } from '../../../kit/consumer/command.ts';
import type { EventHandler, EventHandlers, Handled, HandlerContext } from '../../../kit/consumer/types.ts';
import { loadAggregate } from '../../../kit/event-store/load-aggregate.ts';
import type { EventStore } from '../../../kit/event-store/port.ts';
import type { RetryOnConflictOptions } from '../../../kit/event-store/retry.ts';
import type { EventEnvelope } from '../../../kit/events/envelope.ts';
import {
  type AccountDecision,
  type AccountInput,
  type AccountState,
  decideOrderConfirmed,
  decideProfileChange,
  decideRegistration,
  decideWelcomeFailure,
  evolveAccount,
  initialAccount,
} from '../domain/accounts.ts';
import type { Onboarding, OnboardingEventType } from '../events/catalog.ts';

/** What the accounts consumer needs. */
export interface AccountsDeps {
  readonly store: EventStore;
  readonly retry?: RetryOnConflictOptions;
}

/**
 * What the accounts consumer handles, and so what its queue subscribes to: its intake (producers'
 * `UserRegistered` and `UserProfileChanged`, unstored), the stored `WelcomeMessageFailed` it
 * compensates, and the orders context's `OrderConfirmed` (stored there, published on the bus).
 */
export const ACCOUNTS_TYPES = [
  'UserRegistered',
  'UserProfileChanged',
  'WelcomeMessageFailed',
  'OrderConfirmed',
] as const satisfies readonly OnboardingEventType[];

type AccountsType = (typeof ACCOUNTS_TYPES)[number];

/** The account stream of a user; the accounts consumer is its one writer. */
export function userStreamId(userId: string): string {
  return `user#${userId}`;
}

/** The account of a user as its stream holds it, and the version the next append expects. */
export async function loadAccount(
  store: EventStore,
  userId: string,
): Promise<{ state: AccountState; version: number }> {
  const { state, version } = await loadAggregate(store, userStreamId(userId), {
    initial: () => initialAccount(userId),
    evolve: evolveAccount,
  });
  return { state, version };
}

/** An event of any type, with its data typed as the decider reads it. */
type Input<Data> = Omit<EventEnvelope, 'data'> & { readonly data: Data };

/** The kernel's decision for an account decision (`record` = store these facts). */
function toDecision(decision: AccountDecision): Decision<Onboarding> {
  return decision.kind === 'record' ? append(decision.facts) : decision;
}

/** Load → decide → store through the kit's command kernel (again on a concurrent writer's conflict). */
function handle<Data>(
  deps: AccountsDeps,
  userId: string,
  event: Input<Data>,
  context: HandlerContext<Onboarding>,
  decide: (state: AccountState, input: AccountInput<Data>) => AccountDecision,
): Promise<Handled> {
  const input: AccountInput<Data> = { id: event.id, hash: context.inputFingerprint, data: event.data };
  return handleCommand(
    {
      store: deps.store,
      streamId: userStreamId(userId),
      aggregate: { initial: () => initialAccount(userId), evolve: evolveAccount },
      decide: (state) => toDecision(decide(state, input)),
      ...(deps.retry === undefined ? {} : { retry: deps.retry }),
    },
    context,
  );
}

/** Handlers of the accounts consumer: exactly {@link ACCOUNTS_TYPES}. */
export function accountsHandlers(deps: AccountsDeps): EventHandlers<Onboarding> {
  const handlers: { readonly [T in AccountsType]: EventHandler<Onboarding, T> } = {
    UserRegistered: (event, context) => handle(deps, event.data.userId, event, context, decideRegistration),
    UserProfileChanged: (event, context) =>
      handle(deps, event.data.userId, event, context, decideProfileChange),
    WelcomeMessageFailed: (event, context) =>
      handle(deps, event.data.userId, event, context, decideWelcomeFailure),
    // The orders context names the user its customer.
    OrderConfirmed: (event, context) =>
      handle(deps, event.data.customerId, event, context, decideOrderConfirmed),
  };
  return handlers;
}

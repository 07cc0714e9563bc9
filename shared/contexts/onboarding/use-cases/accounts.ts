import { appendOutcome } from '../../../kit/consumer/append-outcome.ts';
import { EventIdReusedError } from '../../../kit/consumer/errors.ts';
import type { EventHandler, EventHandlers, Handled, HandlerContext } from '../../../kit/consumer/types.ts';
import { loadAggregate } from '../../../kit/event-store/load-aggregate.ts';
import type { EventStore } from '../../../kit/event-store/port.ts';
import { type RetryOnConflictOptions, retryOnConflict } from '../../../kit/event-store/retry.ts';
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

/** Load → decide → store, again on a concurrent writer's conflict. */
async function handle<Data>(
  deps: AccountsDeps,
  userId: string,
  event: Input<Data>,
  context: HandlerContext<Onboarding>,
  decide: (state: AccountState, input: AccountInput<Data>) => AccountDecision,
): Promise<Handled> {
  const input: AccountInput<Data> = { id: event.id, hash: context.inputFingerprint, data: event.data };
  return retryOnConflict(async () => {
    const { state, version } = await loadAccount(deps.store, userId);
    const decision = decide(state, input);
    switch (decision.kind) {
      case 'duplicate':
        return 'duplicate';
      case 'reused':
        throw new EventIdReusedError(
          context.consumer,
          event.id,
          decision.storedHash,
          context.inputFingerprint,
        );
      case 'ignore':
        context.logger.info('input changes nothing', { userId, reason: decision.why });
        return 'handled';
      case 'accept':
        // The intake write: the command is stored as it arrived (same id); the outbox publishes it and
        // the other consumers react to that. Two deliveries racing here both report 'handled' (the
        // replayed append holds the same id); only one is stored.
        return write(deps.store, userId, version, [event as EventEnvelope], context);
      case 'record':
        return write(
          deps.store,
          userId,
          version,
          decision.facts.map((fact) => context.emitFact(fact)),
          context,
        );
    }
  }, deps.retry);
}

async function write(
  store: EventStore,
  userId: string,
  version: number,
  events: readonly EventEnvelope[],
  context: HandlerContext<Onboarding>,
): Promise<Handled> {
  const result = await store.append(userStreamId(userId), events, {
    expectedVersion: version,
    idempotencyKey: context.idempotencyKey,
    idempotencyFingerprint: context.inputFingerprint,
  });
  return appendOutcome(result, events);
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

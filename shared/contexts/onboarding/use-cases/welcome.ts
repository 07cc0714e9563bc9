import { type Answers, append, type Decision, handleCommand } from '../../../kit/consumer/command.ts';
import type { EventHandler, EventHandlers, Handled, HandlerContext } from '../../../kit/consumer/types.ts';
import { isRetryable } from '../../../kit/errors/pipeline-error.ts';
import type { AggregateOptions } from '../../../kit/event-store/load-aggregate.ts';
import type { EventStore } from '../../../kit/event-store/port.ts';
import type { RetryOnConflictOptions } from '../../../kit/event-store/retry.ts';
import type { LogPort } from '../../../kit/observability/logger.ts';
import { revealForEffect } from '../../../kit/personal-data/protect.ts';
import type { SubjectKeys } from '../../../kit/personal-data/subject-keys.ts';
import {
  type DeliveryOutcome,
  decideWelcome,
  domainOf,
  evolveWelcome,
  initialWelcome,
  isUndeliverableAddress,
  needsWelcome,
  WelcomeBouncedError,
  type WelcomeState,
} from '../domain/welcome.ts';
import {
  type Onboarding,
  type OnboardingEventData,
  type OnboardingEventType,
  type OnboardingFact,
  onboardingCatalog,
} from '../events/catalog.ts';

/**
 * Port of the mail gateway. Resolves when the message is handed over; throws to fail: a retryable
 * error (gateway down, throttled) retries the record, a non-retryable one (the address bounced) is
 * recorded as `WelcomeMessageFailed`.
 */
export interface WelcomeSender {
  send(address: string, displayName: string): Promise<void>;
}

/**
 * The mail gateway of the reference product: it "sends" by writing one log line (address masked) and
 * bounces, by rule, every address whose domain cannot exist (`.invalid`, RFC 2606). Replace it with
 * SES; the records (`WelcomeMessageSent`, `WelcomeMessageFailed`) stay the same.
 */
export class LoggingWelcomeSender implements WelcomeSender {
  constructor(private readonly logger: LogPort) {}

  async send(address: string, displayName: string): Promise<void> {
    if (isUndeliverableAddress(address)) {
      throw new WelcomeBouncedError(address, 'the domain cannot exist (RFC 2606)');
    }
    this.logger.info('welcome message delivered (simulated gateway)', {
      to: maskAddress(address),
      displayNameLength: displayName.length,
    });
  }
}

/** Keeps logs useful without copying addresses into them: `ad***@example.com`. */
function maskAddress(address: string): string {
  const at = address.lastIndexOf('@');
  return `${address.slice(0, Math.min(2, Math.max(at, 0)))}***@${domainOf(address)}`;
}

/** What the welcome consumer needs. */
export interface WelcomeDeps {
  readonly store: EventStore;
  readonly retry?: RetryOnConflictOptions;
  /** @default a {@link LoggingWelcomeSender} on the record's logger */
  readonly sender?: WelcomeSender;
  /** Keys of the users, to decrypt the address. @default none: the address is used as stored */
  readonly subjectKeys?: SubjectKeys;
}

/** What the welcome consumer handles: stored registrations. */
export const WELCOME_TYPES = ['UserRegistered'] as const satisfies readonly OnboardingEventType[];

type WelcomeType = (typeof WELCOME_TYPES)[number];

/** The welcome stream of a user; the welcome consumer is its one writer. */
export function welcomeStreamId(userId: string): string {
  return `welcome#${userId}`;
}

/** How the welcome stream of a user is folded into its state. */
function welcomeAggregate(userId: string): AggregateOptions<WelcomeState> {
  return { initial: () => initialWelcome(userId), evolve: evolveWelcome };
}

/** The kernel's decision for the welcome's facts: none means an outcome is stored already. */
function toDecision(facts: readonly OnboardingFact[]): Decision<Onboarding> {
  return facts.length === 0 ? { kind: 'duplicate' } : append(facts);
}

/** The gateway's answer: a non-retryable failure is an outcome to record, anything else is thrown on. */
async function deliver(
  sender: WelcomeSender,
  address: string,
  displayName: string,
): Promise<DeliveryOutcome> {
  try {
    await sender.send(address, displayName);
    return { delivered: true };
  } catch (error) {
    if (isRetryable(error)) throw error;
    return { delivered: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

/** The one effect of a welcome: asking the gateway to send it. */
type Send = { readonly key: 'send' };

/**
 * Decides a registration (pure): a stored outcome makes it a duplicate; otherwise the gateway is asked
 * first, and its answer is what gets stored.
 */
function decideRegistration(
  state: WelcomeState,
  registration: OnboardingEventData<'UserRegistered'>,
  answers: Answers<DeliveryOutcome>,
): Decision<Onboarding, Send> {
  const outcome = answers.get('send');
  if (outcome === undefined)
    return needsWelcome(state) ? { kind: 'effect', effect: { key: 'send' } } : { kind: 'duplicate' };
  return toDecision(decideWelcome(state, registration, outcome));
}

/**
 * Welcomes a registered user once, through the kit's command kernel: a stored outcome makes the
 * registration a duplicate; otherwise the gateway is asked and its answer stored. The message goes out
 * before the record is stored, so a crash in between sends it again on the retry (at least once, like
 * any mail without a gateway-side key); a concurrent delivery that stored an outcome meanwhile makes
 * this one a duplicate, without a second send.
 */
export async function welcomeUser(
  deps: WelcomeDeps,
  registration: OnboardingEventData<'UserRegistered'>,
  context: HandlerContext<Onboarding>,
  /** The registration with its address decrypted, for the send only: what is stored keeps the ciphertext. */
  clear: OnboardingEventData<'UserRegistered'> = registration,
): Promise<Handled> {
  const { userId } = registration;
  const { email, displayName } = clear;
  const sender = deps.sender ?? new LoggingWelcomeSender(context.logger);
  return handleCommand(
    {
      store: deps.store,
      streamId: welcomeStreamId(userId),
      aggregate: welcomeAggregate(userId),
      decide: (state, answers) => decideRegistration(state, registration, answers),
      effect: async () => {
        const outcome = await deliver(sender, email, displayName);
        if (!outcome.delivered)
          context.logger.warn('welcome message failed', { userId, reason: outcome.reason });
        return outcome;
      },
      ...(deps.retry === undefined ? {} : { retry: deps.retry }),
    },
    context,
  );
}

/** Handlers of the welcome consumer: exactly {@link WELCOME_TYPES}. */
export function welcomeHandlers(deps: WelcomeDeps): EventHandlers<Onboarding> {
  const handlers: { readonly [T in WelcomeType]: EventHandler<Onboarding, T> } = {
    UserRegistered: async (event, context) => {
      let registration = event;
      if (deps.subjectKeys !== undefined) {
        const revealed = await revealForEffect(onboardingCatalog, event, deps.subjectKeys);
        if (revealed.erased !== undefined) {
          // A forgotten user is not welcomed; nothing is stored, so nothing personal is written again.
          context.logger.warn('welcome skipped: personal data erased', {
            userId: event.data.userId,
            reason: revealed.erased.code,
          });
          return 'handled';
        }
        registration = revealed.event;
      }
      return welcomeUser(deps, event.data, context, registration.data);
    },
  };
  return handlers;
}

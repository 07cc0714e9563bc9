import { PipelineError } from '../../../kit/errors/pipeline-error.ts';
import type { TypeAndData } from '../../../kit/events/facts.ts';
import { type OnboardingEventData, type OnboardingFact, onboardingFact } from '../events/catalog.ts';

/**
 * The welcome message of one user, event-sourced in `welcome#<userId>` (`WelcomeMessageSent` or
 * `WelcomeMessageFailed`). One message per user: once either is stored, the registration is a
 * duplicate however often it is delivered.
 */

export type WelcomeStatus = 'pending' | 'sent' | 'failed';

/** The welcome message of one user. */
export interface WelcomeState {
  readonly userId: string;
  readonly status: WelcomeStatus;
}

/** What the mail gateway said. */
export type DeliveryOutcome =
  | { readonly delivered: true }
  | { readonly delivered: false; readonly reason: string };

/**
 * The address bounced: the gateway will never deliver to it, so retrying is pointless. Not retryable;
 * the welcome consumer records it as `WelcomeMessageFailed` (an event, so the registration is
 * compensated) instead of sending it to the DLQ.
 */
export class WelcomeBouncedError extends PipelineError<'WELCOME_BOUNCED'> {
  /**
   * The message becomes the reason of `WelcomeMessageFailed` and of the revocation published to other
   * contexts, so it names the domain, never the whole address.
   */
  constructor(address: string, why: string) {
    super('WELCOME_BOUNCED', `address at ${domainOf(address)} bounced: ${why}`, { retryable: false });
  }
}

/** The domain of an email address, lower case. */
export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

/**
 * Whether mail to `address` bounces by rule: its domain is `invalid` or ends with `.invalid`, the TLD
 * RFC 2606 reserves for names that can never exist. That is how tests and users trigger the
 * compensation without a real bounce.
 */
export function isUndeliverableAddress(address: string): boolean {
  const domain = domainOf(address);
  return domain === 'invalid' || domain.endsWith('.invalid');
}

/** The welcome of a user nothing was stored for. */
export function initialWelcome(userId: string): WelcomeState {
  return { userId, status: 'pending' };
}

/** Welcome after one event of its stream. */
export function evolveWelcome(state: WelcomeState, event: TypeAndData): WelcomeState {
  switch (event.type) {
    case 'WelcomeMessageSent':
      return { ...state, status: 'sent' };
    case 'WelcomeMessageFailed':
      return { ...state, status: 'failed' };
    default:
      return state;
  }
}

/** Whether the gateway must be asked: only while no outcome is stored. */
export function needsWelcome(state: WelcomeState): boolean {
  return state.status === 'pending';
}

/**
 * Turns the gateway's answer into the fact to store; nothing when an outcome is stored already (a
 * concurrent delivery of the same registration got there first).
 */
export function decideWelcome(
  state: WelcomeState,
  registration: Pick<OnboardingEventData<'UserRegistered'>, 'userId' | 'email'>,
  outcome: DeliveryOutcome,
): readonly OnboardingFact[] {
  if (!needsWelcome(state)) return [];
  const { userId, email: address } = registration;
  if (outcome.delivered) return [onboardingFact('WelcomeMessageSent', { userId, channel: 'email', address })];
  return [onboardingFact('WelcomeMessageFailed', { userId, reason: outcome.reason })];
}

import type { ContextDefinition } from '../../kit/context.ts';
import { ONBOARDING_INTEGRATION_EVENT_TYPES, onboardingCatalog } from './events/catalog.ts';
import { ACCOUNTS_TYPES } from './use-cases/accounts.ts';
import { PROFILES_TYPES } from './use-cases/profiles.ts';
import { SETTINGS_TYPES } from './use-cases/settings.ts';
import { WELCOME_TYPES } from './use-cases/welcome.ts';

/**
 * The onboarding context as deployed: choreography, no orchestrator. Producers put `UserRegistered`
 * and `UserProfileChanged` on the bus; accounts stores them (their one writer) and the outbox hands
 * the stored events to welcome, settings and profiles, each reacting on its own. A bounced welcome
 * (`WelcomeMessageFailed`) makes accounts revoke the registration, which makes settings remove what
 * it applied. Profiles applies a user's changes in stream order through a FIFO queue (group = the
 * user's stream), users in parallel. Accounts also takes the orders context's `OrderConfirmed` from
 * the bus, as any outside consumer of an integration event would.
 */
export const onboardingContext: ContextDefinition = {
  name: onboardingCatalog.name,
  catalog: onboardingCatalog,
  integrationEvents: ONBOARDING_INTEGRATION_EVENT_TYPES,
  // Nothing lists its streams: each is read through its account id.
  catalogedStreamTypes: [],
  consumers: [
    {
      name: 'accounts',
      entry: 'functions/onboarding/accounts.ts',
      intake: ['UserRegistered', 'UserProfileChanged'],
      fromBus: ['OrderConfirmed'],
      stored: ACCOUNTS_TYPES.filter(
        (type) => type !== 'UserRegistered' && type !== 'UserProfileChanged' && type !== 'OrderConfirmed',
      ),
      // Its intake encrypts a registration's e-mail under the user's key before storing it.
      personalData: 'encrypt',
    },
    // Decrypts the address it welcomes; a forgotten user is skipped with the reason.
    {
      name: 'welcome',
      entry: 'functions/onboarding/welcome.ts',
      stored: WELCOME_TYPES,
      personalData: 'decrypt',
    },
    {
      name: 'settings',
      entry: 'functions/onboarding/settings.ts',
      stored: SETTINGS_TYPES,
      batching: 'gathered',
      timeoutSeconds: 15,
    },
    { name: 'profiles', entry: 'functions/onboarding/profiles.ts', stored: PROFILES_TYPES, ordered: true },
  ],
};

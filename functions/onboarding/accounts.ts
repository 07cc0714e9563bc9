import {
  ONBOARDING_INTAKE_TYPES,
  onboardingCatalog,
} from '../../shared/contexts/onboarding/events/catalog.ts';
import { accountsHandlers } from '../../shared/contexts/onboarding/use-cases/accounts.ts';
import { contextConsumer } from '../../shared/kit/consumer/production.ts';

/**
 * Accounts: the intake of `UserRegistered` and `UserProfileChanged` (stored as received in the user's
 * stream, or refused as a stored event), the compensation of a bounced welcome (`UserRegistrationRevoked`)
 * and the user's first confirmed order, from the orders context's `OrderConfirmed` on the bus.
 */
export const handler = contextConsumer(
  onboardingCatalog,
  'accounts',
  (store) => accountsHandlers({ store }),
  ONBOARDING_INTAKE_TYPES,
);

import { onboardingCatalog } from '../../shared/contexts/onboarding/events/catalog.ts';
import { profilesHandlers } from '../../shared/contexts/onboarding/use-cases/profiles.ts';
import { contextConsumer } from '../../shared/kit/consumer/production.ts';

/** Profiles: a user's registration and profile changes, in stream order (FIFO group = the user's stream). */
export const handler = contextConsumer(onboardingCatalog, 'profiles', (store) => profilesHandlers({ store }));

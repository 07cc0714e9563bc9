import { profilesHandlers } from '../../shared/contexts/onboarding/use-cases/profiles.ts';
import { onboardingConsumer } from './consumer.ts';

/** Profiles: a user's registration and profile changes, in stream order (FIFO group = the user's stream). */
export const handler = onboardingConsumer('profiles', (store) => profilesHandlers({ store }));

import { onboardingCatalog } from '../../shared/contexts/onboarding/events/catalog.ts';
import { welcomeHandlers } from '../../shared/contexts/onboarding/use-cases/welcome.ts';
import { contextConsumer } from '../../shared/kit/consumer/production.ts';

/** Welcome: greets each stored registration once; a bounced address is a `WelcomeMessageFailed` event. */
export const handler = contextConsumer(onboardingCatalog, 'welcome', (store, { subjectKeys }) =>
  welcomeHandlers({ store, ...(subjectKeys ? { subjectKeys } : {}) }),
);

import { welcomeHandlers } from '../../shared/contexts/onboarding/use-cases/welcome.ts';
import { onboardingConsumer } from './consumer.ts';

/** Welcome: greets each stored registration once; a bounced address is a `WelcomeMessageFailed` event. */
export const handler = onboardingConsumer('welcome', (store) => welcomeHandlers({ store }));

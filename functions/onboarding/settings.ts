import { settingsHandlers } from '../../shared/contexts/onboarding/use-cases/settings.ts';
import { onboardingConsumer } from './consumer.ts';

/** Settings: applies defaults for a registration, removes them when it is revoked (in either order). */
export const handler = onboardingConsumer('settings', (store) => settingsHandlers({ store }));

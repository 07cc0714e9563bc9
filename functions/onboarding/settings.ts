import { onboardingCatalog } from '../../shared/contexts/onboarding/events/catalog.ts';
import { settingsHandlers } from '../../shared/contexts/onboarding/use-cases/settings.ts';
import { contextConsumer } from '../../shared/kit/consumer/production.ts';

/** Settings: applies defaults for a registration, removes them when it is revoked (in either order). */
export const handler = contextConsumer(onboardingCatalog, 'settings', (store) => settingsHandlers({ store }));

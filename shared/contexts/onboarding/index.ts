/**
 * The onboarding context: a choreography of four consumers, each the one writer of its streams and
 * reacting to what the others stored (no orchestrator). Its catalog, and the handler factories the
 * Lambda entry points wire to their queues (each with the `*_TYPES` its queue subscribes to).
 */
export * from './events/catalog.ts';
export { ACCOUNTS_TYPES, type AccountsDeps, accountsHandlers, userStreamId } from './use-cases/accounts.ts';
export {
  PROFILES_TYPES,
  type ProfilesDeps,
  profileStreamId,
  profilesHandlers,
} from './use-cases/profiles.ts';
export {
  SETTINGS_TYPES,
  type SettingsDeps,
  settingsHandlers,
  settingsStreamId,
} from './use-cases/settings.ts';
export {
  LoggingWelcomeSender,
  WELCOME_TYPES,
  type WelcomeDeps,
  type WelcomeSender,
  welcomeHandlers,
  welcomeStreamId,
} from './use-cases/welcome.ts';

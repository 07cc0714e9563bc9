import { defineEvent } from '../../../kit/events/define.ts';
import { personal } from '../../../kit/personal-data/schema.ts';
import * as z from '../../../kit/zod.ts';

/**
 * The events of the onboarding context. It is choreographed: no orchestrator, each consumer reacts to
 * what the others stored. Streams, one writer each: `user#<userId>` (accounts), `welcome#<userId>`,
 * `settings#<userId>`, `profile#<userId>`.
 */

const userId = z
  .string()
  .check(z.minLength(1), z.describe('User identifier, stable for the life of the account'));
const reason = z
  .string()
  .check(z.minLength(1), z.describe('Human-readable reason, for support and the logs'));
const refusedEventId = z.string().check(z.minLength(1), z.describe('Id of the refused command'));
const changeId = z
  .string()
  .check(
    z.minLength(1),
    z.describe('Identifier the producer gives one profile change; the same change sent again keeps it'),
  );
const displayName = z
  .string()
  .check(z.minLength(1), z.maxLength(100), z.describe('Name shown to other users, 1 to 100 characters'));

/**
 * A BCP 47 language tag in the common shape (language, then subtags such as script and region):
 * `en-GB`, `de`, `zh-Hant-TW`, `es-419`. The registry of valid subtags changes, so only the shape is checked.
 */
const locale = z
  .string()
  .check(
    z.regex(
      /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/,
      'must be a BCP 47 language tag, e.g. en-GB (language in lower case, subtags after hyphens)',
    ),
    z.describe('BCP 47 language tag, e.g. en-GB'),
  );

const exampleUser = 'usr-42';

/** A user signed up: the start of onboarding. Producers put it on the bus; the accounts consumer stores it. */
export const UserRegistered = defineEvent({
  type: 'UserRegistered',
  subject: 'userId',
  source: 'onboarding.accounts',
  description:
    'A user signed up; stored as-is in the user stream by the accounts consumer, then welcomed, given default settings and a profile.',
  version: 1,
  schema: z.object({
    userId,
    // Personal data: encrypted under the user's key before it is stored or sent (docs/personal-data.md).
    email: personal(
      z.email().check(z.describe('Where the welcome message goes; a domain ending in .invalid bounces')),
    ),
    displayName,
    locale: z._default(locale, 'en-GB'),
    marketingOptIn: z
      ._default(z.boolean(), false)
      .check(z.describe('Whether the user agreed to marketing emails')),
  }),
  example: {
    userId: exampleUser,
    email: 'ada@example.com',
    displayName: 'Ada Lovelace',
    locale: 'en-GB',
    marketingOptIn: true,
  },
});

/** A second registration of a user, with other content, was refused; the account is unchanged. */
export const UserRegistrationRejected = defineEvent({
  type: 'UserRegistrationRejected',
  source: 'onboarding.accounts',
  description:
    'A UserRegistered for a user already registered (or revoked), with other content, was refused; nothing changes.',
  version: 1,
  schema: z.object({ userId, refusedEventId, reason }),
  example: {
    userId: exampleUser,
    refusedEventId: '0b8f1c52-3f55-4b8e-8c43-6f1f3f3c0a01',
    reason: 'user usr-42 is already registered; a new UserRegistered cannot change the registration',
  },
});

/** The welcome message reached the mail gateway. */
export const WelcomeMessageSent = defineEvent({
  type: 'WelcomeMessageSent',
  subject: 'userId',
  source: 'onboarding.welcome',
  description: 'The welcome message was handed to the mail gateway for the registered address.',
  version: 1,
  schema: z.object({ userId, channel: z.literal('email'), address: personal(z.email(), { label: 'email' }) }),
  example: { userId: exampleUser, channel: 'email', address: 'ada@example.com' },
});

/** The welcome message bounced: the registration is revoked in answer (see UserRegistrationRevoked). */
export const WelcomeMessageFailed = defineEvent({
  type: 'WelcomeMessageFailed',
  source: 'onboarding.welcome',
  description:
    'The welcome message could not be delivered (the address bounced; a domain ending in .invalid always does); the accounts consumer revokes the registration.',
  version: 1,
  schema: z.object({ userId, reason }),
  example: {
    userId: exampleUser,
    reason: 'address at example.invalid bounced: the domain cannot exist (RFC 2606)',
  },
});

/** Compensation of a registration whose address bounced; the settings consumer removes what it applied. */
export const UserRegistrationRevoked = defineEvent({
  type: 'UserRegistrationRevoked',
  source: 'onboarding.accounts',
  description:
    'The registration is undone because the welcome message failed; settings are removed and profile changes refused from now on.',
  version: 1,
  schema: z.object({ userId, reason }),
  example: {
    userId: exampleUser,
    reason: 'welcome message failed: address at example.invalid bounced: the domain cannot exist (RFC 2606)',
  },
});

/** The settings a new user starts with. */
export const DefaultSettingsApplied = defineEvent({
  type: 'DefaultSettingsApplied',
  source: 'onboarding.settings',
  description: 'Default settings of a new user, taken from the registration (locale, marketing opt-in).',
  version: 1,
  schema: z.object({
    userId,
    settings: z.object({
      locale,
      marketingEmails: z.boolean().check(z.describe('Copied from the registration’s marketingOptIn')),
      theme: z.literal('system'),
    }),
  }),
  example: { userId: exampleUser, settings: { locale: 'en-GB', marketingEmails: true, theme: 'system' } },
});

/** Compensation: settings applied for a registration that was revoked are removed. */
export const DefaultSettingsRemoved = defineEvent({
  type: 'DefaultSettingsRemoved',
  source: 'onboarding.settings',
  description:
    'The default settings of a revoked registration were removed (only when they had been applied).',
  version: 1,
  schema: z.object({ userId, reason }),
  example: {
    userId: exampleUser,
    reason: 'welcome message failed: address at example.invalid bounced: the domain cannot exist (RFC 2606)',
  },
});

/**
 * A user asked to change their profile. At least one field must change; the rule is a zod refinement
 * and therefore absent from the exported JSON Schema.
 */
export const UserProfileChanged = defineEvent({
  type: 'UserProfileChanged',
  source: 'onboarding.accounts',
  description:
    'A registered user changed their display name or locale; stored as-is in the user stream by the accounts consumer, then applied by the profiles consumer in stream order.',
  version: 1,
  schema: z
    .object({ userId, changeId, displayName: z.optional(displayName), locale: z.optional(locale) })
    .check(
      z.refine((change) => change.displayName !== undefined || change.locale !== undefined, {
        message: 'must change displayName or locale (or both)',
      }),
    ),
  example: { userId: exampleUser, changeId: 'chg-1', displayName: 'Ada King' },
});

/** A profile change for a user who is not registered, or whose registration was revoked, was refused. */
export const UserProfileChangeRejected = defineEvent({
  type: 'UserProfileChangeRejected',
  source: 'onboarding.accounts',
  description:
    'A UserProfileChanged was refused (user not registered, registration revoked, or its changeId reused with other content); the profile is unchanged.',
  version: 1,
  schema: z.object({ userId, refusedEventId, reason }),
  example: {
    userId: exampleUser,
    refusedEventId: '7d3c2b1a-5e4f-4a6b-9c8d-0e1f2a3b4c5d',
    reason: 'user usr-42 is not registered',
  },
});

/** The profile after one change: what readers of profiles build on. */
export const UserProfileUpdated = defineEvent({
  type: 'UserProfileUpdated',
  source: 'onboarding.profiles',
  description:
    'The profile after applying one change; revision counts the changes applied (the registration is revision 0).',
  version: 1,
  schema: z.object({
    userId,
    changeId,
    revision: z
      .number()
      .check(z.int(), z.gte(1), z.describe('Number of changes applied so far, this one included')),
    displayName,
    locale,
  }),
  example: { userId: exampleUser, changeId: 'chg-1', revision: 1, displayName: 'Ada King', locale: 'en-GB' },
});

/** A user's first confirmed order (from the orders context's OrderConfirmed), recorded once. */
export const FirstOrderRecorded = defineEvent({
  type: 'FirstOrderRecorded',
  source: 'onboarding.accounts',
  description:
    'The first OrderConfirmed of a registered user; later orders change nothing. Published for other contexts.',
  version: 1,
  schema: z.object({
    userId,
    orderId: z.string().check(z.minLength(1), z.describe('Order identifier of the orders context')),
  }),
  example: { userId: exampleUser, orderId: 'ord-1001' },
});

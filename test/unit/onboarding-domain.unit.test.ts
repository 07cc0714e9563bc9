import { describe, expect, it } from 'vitest';
import {
  type AccountInput,
  type AccountState,
  decideOrderConfirmed,
  decideProfileChange,
  decideRegistration,
  decideWelcomeFailure,
  evolveAccount,
  initialAccount,
} from '../../shared/contexts/onboarding/domain/accounts.ts';
import {
  decideProfileStart,
  decideProfileUpdate,
  evolveProfile,
  initialProfile,
  PROFILE_CREATED,
  type ProfileDecision,
  ProfileNotRegisteredError,
  type ProfileState,
} from '../../shared/contexts/onboarding/domain/profiles.ts';
import {
  decideDefaults,
  decideRevocation,
  evolveSettings,
  initialSettings,
  SETTINGS_REVOCATION_RECORDED,
  type SettingsDecision,
  type SettingsState,
} from '../../shared/contexts/onboarding/domain/settings.ts';
import {
  decideWelcome,
  evolveWelcome,
  initialWelcome,
  isUndeliverableAddress,
  WelcomeBouncedError,
} from '../../shared/contexts/onboarding/domain/welcome.ts';
import {
  type AnyOnboardingEvent,
  createOnboardingEvent,
  exampleOnboardingEvent,
  type Onboarding,
  type OnboardingEnvelope,
  type OnboardingEventDataInput,
  type OnboardingEventType,
  type OnboardingFact,
  onboardingCatalog,
  parseOnboardingEvent,
} from '../../shared/contexts/onboarding/events/catalog.ts';
import { ordersCatalog } from '../../shared/contexts/orders/events/catalog.ts';
import { createHandlerContext } from '../../shared/kit/consumer/context.ts';
import { causeHashOf } from '../../shared/kit/consumer/reuse.ts';
import type { HandlerContext } from '../../shared/kit/consumer/types.ts';
import { isRetryable, ValidationError } from '../../shared/kit/errors/pipeline-error.ts';
import { mergeCatalogs } from '../../shared/kit/events/catalog.ts';
import { contentHashOf } from '../../shared/kit/events/content-hash.ts';
import type { EventEnvelope } from '../../shared/kit/events/envelope.ts';
import { ManualClock } from '../fakes/clock.ts';
import { RecordingLogger } from '../fakes/logger.ts';

const clock = new ManualClock();
const USER = 'usr-1';

/** The context a consumer would give a handler for `event` (what stamps the answers it stores). */
function contextFor(event: AnyOnboardingEvent): HandlerContext<Onboarding> {
  return createHandlerContext({
    catalog: onboardingCatalog,
    consumer: 'accounts',
    record: {
      messageId: `msg-${event.id}`,
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '0',
        SenderId: 'test',
        ApproximateFirstReceiveTimestamp: '0',
      },
    },
    event,
    logger: new RecordingLogger(),
    factory: clock,
  });
}

/** A new event of `type`, as a producer (or another consumer) would send it. */
function eventOf<T extends OnboardingEventType>(
  type: T,
  data: OnboardingEventDataInput<T>,
  id?: string,
): OnboardingEnvelope<T> {
  return createOnboardingEvent(type, data, { correlationId: 'corr-1', ...(id ? { id } : {}) }, clock);
}

function registered(overrides: Partial<OnboardingEventDataInput<'UserRegistered'>> = {}, id?: string) {
  const data = { userId: USER, email: 'ada@example.com', displayName: 'Ada', ...overrides };
  return eventOf('UserRegistered', data, id);
}

function changed(overrides: Partial<OnboardingEventDataInput<'UserProfileChanged'>> = {}, id?: string) {
  return eventOf(
    'UserProfileChanged',
    { userId: USER, changeId: 'chg-1', displayName: 'Ada K', ...overrides },
    id,
  );
}

function orderConfirmed(orderId: string, customerId = USER) {
  const contact = { email: 'ada@example.com', channels: ['email' as const] };
  return eventOf('OrderConfirmed', { orderId, customerId, total: 10, currency: 'EUR', contact });
}

/** The decider's view of an input: id, content hash (as `context.inputFingerprint`), data. */
function inputOf<E extends AnyOnboardingEvent>(event: E): AccountInput<E['data']> {
  return { id: event.id, hash: contentHashOf(event), data: event.data };
}

/** The event a consumer stores for `fact`, caused by `input` (stamped with the input's content hash). */
function answer(input: AnyOnboardingEvent, fact: OnboardingFact): EventEnvelope {
  return contextFor(input).emitFact(fact);
}

function account(...events: readonly EventEnvelope[]): AccountState {
  return events.reduce(evolveAccount, initialAccount(USER));
}

/** The only fact of a decision that records facts. */
function onlyFact(decision: { kind: string; facts?: readonly OnboardingFact[] }): OnboardingFact | undefined {
  expect(decision.kind).toBe('record');
  expect(decision.facts).toHaveLength(1);
  return decision.facts?.[0];
}

describe('onboarding catalog', () => {
  it('builds a valid event from the example of every type it owns or reads', () => {
    // Act
    const examples = onboardingCatalog.types.map((type) => exampleOnboardingEvent(type, {}, clock));

    // Assert
    expect(examples.map((event) => event.type)).toEqual(onboardingCatalog.types);
    for (const event of examples) expect(parseOnboardingEvent(event)).toEqual(event);
  });

  it('reads OrderConfirmed as the orders context defines it, so the two catalogs merge', () => {
    // Act
    const merged = mergeCatalogs([ordersCatalog, onboardingCatalog]);

    // Assert
    expect(onboardingCatalog.definitionOf('OrderConfirmed')).toBe(
      ordersCatalog.definitionOf('OrderConfirmed'),
    );
    expect(merged.isType('UserRegistered') && merged.isType('OrderPlaced')).toBe(true);
  });

  it('fills a registration’s locale and marketing opt-in with their defaults', () => {
    // Act
    const event = registered();

    // Assert
    expect(event.data).toMatchObject({ locale: 'en-GB', marketingOptIn: false });
  });

  it('refuses a profile change that changes nothing, with a message that says what is missing', () => {
    // Act
    const create = () =>
      createOnboardingEvent('UserProfileChanged', { userId: USER, changeId: 'c' }, { correlationId: 'c' });

    // Assert
    expect(create).toThrow(ValidationError);
    expect(create).toThrow(/must change displayName or locale/);
  });

  it('refuses a locale that is not shaped like a BCP 47 tag', () => {
    // Act
    const create = () => registered({ locale: 'english' });

    // Assert
    expect(create).toThrow(/data.locale: must be a BCP 47 language tag/);
  });
});

describe('accounts: registrations', () => {
  it('accepts the first registration of a user, to be stored as it arrived', () => {
    // Act
    const decision = decideRegistration(account(), inputOf(registered()));

    // Assert
    expect(decision).toEqual({ kind: 'accept' });
  });

  it('takes a redelivered registration, same id and content, as a duplicate once it is stored', () => {
    // Arrange
    const first = registered();

    // Act
    const decision = decideRegistration(account(first), inputOf(first));

    // Assert
    expect(decision).toEqual({ kind: 'duplicate' });
  });

  it('refuses the id of a stored registration reused with other content, naming the stored content', () => {
    // Arrange
    const first = registered({}, 'evt-reg');
    const reused = registered({ displayName: 'Someone else' }, 'evt-reg');

    // Act
    const decision = decideRegistration(account(first), inputOf(reused));

    // Assert
    expect(decision).toEqual({ kind: 'reused', storedHash: causeHashOf(contentHashOf(first)) });
  });

  it('takes the same registration sent again under a new id as a duplicate (a producer retry)', () => {
    // Arrange
    const first = registered({}, 'evt-a');
    const retried = registered({}, 'evt-b');

    // Act
    const decision = decideRegistration(account(first), inputOf(retried));

    // Assert
    expect(decision).toEqual({ kind: 'duplicate' });
  });

  it('refuses a second registration with other content as UserRegistrationRejected, never skipping it', () => {
    // Arrange
    const first = registered();
    const second = registered({ email: 'other@example.com' });

    // Act
    const fact = onlyFact(decideRegistration(account(first), inputOf(second)));

    // Assert
    expect(fact).toEqual({
      type: 'UserRegistrationRejected',
      data: {
        userId: USER,
        refusedEventId: second.id,
        reason: `user ${USER} is already registered; a new UserRegistered cannot change the registration`,
      },
    });
  });

  it('answers a refused registration once: its redelivery is a duplicate, its id reused is refused', () => {
    // Arrange
    const first = registered();
    const second = registered({ email: 'other@example.com' }, 'evt-second');
    const refused = decideRegistration(account(first), inputOf(second));
    const state = account(first, answer(second, onlyFact(refused) as OnboardingFact));
    const reused = registered({ email: 'third@example.com' }, 'evt-second');

    // Act
    const again = decideRegistration(state, inputOf(second));
    const other = decideRegistration(state, inputOf(reused));

    // Assert
    expect(again).toEqual({ kind: 'duplicate' });
    expect(other).toMatchObject({ kind: 'reused' });
  });

  it('refuses to register a revoked user again, giving the revocation as the reason', () => {
    // Arrange
    const first = registered();
    const failed = eventOf('WelcomeMessageFailed', { userId: USER, reason: 'bounced' });
    const revoked = answer(failed, {
      type: 'UserRegistrationRevoked',
      data: { userId: USER, reason: 'bounced' },
    });
    const again = registered({ email: 'fixed@example.com' });

    // Act
    const fact = onlyFact(decideRegistration(account(first, revoked), inputOf(again)));

    // Assert
    expect(fact?.type).toBe('UserRegistrationRejected');
    expect(fact?.data).toMatchObject({ reason: expect.stringContaining('was revoked (bounced)') });
  });
});

describe('accounts: profile changes', () => {
  it('accepts a change of a registered user, to be stored as it arrived', () => {
    // Act
    const decision = decideProfileChange(account(registered()), inputOf(changed()));

    // Assert
    expect(decision).toEqual({ kind: 'accept' });
  });

  it('refuses a change of a user who is not registered', () => {
    // Arrange
    const change = changed();

    // Act
    const fact = onlyFact(decideProfileChange(account(), inputOf(change)));

    // Assert
    expect(fact).toEqual({
      type: 'UserProfileChangeRejected',
      data: { userId: USER, refusedEventId: change.id, reason: `user ${USER} is not registered` },
    });
  });

  it('refuses a change of a user whose registration was revoked', () => {
    // Arrange
    const failed = eventOf('WelcomeMessageFailed', { userId: USER, reason: 'bounced' });
    const revoked = answer(failed, {
      type: 'UserRegistrationRevoked',
      data: { userId: USER, reason: 'bounced' },
    });

    // Act
    const fact = onlyFact(decideProfileChange(account(registered(), revoked), inputOf(changed())));

    // Assert
    expect(fact?.data).toMatchObject({ reason: `registration of user ${USER} was revoked` });
  });

  it('takes a stored change sent again under a new id as a duplicate, and its changeId with other content as a refusal', () => {
    // Arrange
    const stored = changed({}, 'evt-c1');
    const state = account(registered(), stored);

    // Act
    const resent = decideProfileChange(state, inputOf(changed({}, 'evt-c2')));
    const conflicting = decideProfileChange(state, inputOf(changed({ displayName: 'Other' }, 'evt-c3')));

    // Assert
    expect(resent).toEqual({ kind: 'duplicate' });
    expect(onlyFact(conflicting)?.data).toMatchObject({
      refusedEventId: 'evt-c3',
      reason: 'change chg-1 was made before with other content',
    });
  });

  it('takes a redelivered stored change, same id and content, as a duplicate', () => {
    // Arrange
    const stored = changed();

    // Act
    const decision = decideProfileChange(account(registered(), stored), inputOf(stored));

    // Assert
    expect(decision).toEqual({ kind: 'duplicate' });
  });
});

describe('accounts: compensation of a failed welcome', () => {
  it('revokes the registration when the welcome message failed, giving the failure as the reason', () => {
    // Arrange
    const failed = eventOf('WelcomeMessageFailed', { userId: USER, reason: 'address bounced' });

    // Act
    const fact = onlyFact(decideWelcomeFailure(account(registered()), inputOf(failed)));

    // Assert
    expect(fact).toEqual({
      type: 'UserRegistrationRevoked',
      data: { userId: USER, reason: 'welcome message failed: address bounced' },
    });
  });

  it('revokes once: the same failure redelivered, or another one, finds the registration revoked', () => {
    // Arrange
    const failed = eventOf('WelcomeMessageFailed', { userId: USER, reason: 'address bounced' });
    const revocation = onlyFact(
      decideWelcomeFailure(account(registered()), inputOf(failed)),
    ) as OnboardingFact;
    const state = account(registered(), answer(failed, revocation));
    const another = eventOf('WelcomeMessageFailed', { userId: USER, reason: 'again' });

    // Act
    const redelivered = decideWelcomeFailure(state, inputOf(failed));
    const second = decideWelcomeFailure(state, inputOf(another));

    // Assert
    expect(state.status).toBe('revoked');
    expect(redelivered).toEqual({ kind: 'duplicate' });
    expect(second).toEqual({ kind: 'duplicate' });
  });
});

describe('accounts: first order', () => {
  it('records the first confirmed order of a registered user', () => {
    // Act
    const fact = onlyFact(decideOrderConfirmed(account(registered()), inputOf(orderConfirmed('ord-1'))));

    // Assert
    expect(fact).toEqual({ type: 'FirstOrderRecorded', data: { userId: USER, orderId: 'ord-1' } });
  });

  it('records it once: its redelivery is a duplicate, a later order changes nothing', () => {
    // Arrange
    const first = orderConfirmed('ord-1');
    const recorded = answer(first, { type: 'FirstOrderRecorded', data: { userId: USER, orderId: 'ord-1' } });
    const state = account(registered(), recorded);

    // Act
    const redelivered = decideOrderConfirmed(state, inputOf(first));
    const later = decideOrderConfirmed(state, inputOf(orderConfirmed('ord-2')));

    // Assert
    expect(state.firstOrderId).toBe('ord-1');
    expect(redelivered).toEqual({ kind: 'duplicate' });
    expect(later).toEqual({ kind: 'ignore', why: 'first order already recorded' });
  });

  it('changes nothing for an order of a user who is not registered', () => {
    // Act
    const decision = decideOrderConfirmed(account(), inputOf(orderConfirmed('ord-1', 'usr-unknown')));

    // Assert
    expect(decision).toEqual({ kind: 'ignore', why: 'order of a user who is not registered' });
  });
});

describe('welcome', () => {
  it.each([
    ['ada@example.invalid', true],
    ['ada@mail.EXAMPLE.INVALID', true],
    ['ada@invalid', true],
    ['ada@example.com', false],
    ['ada@invalid.example.com', false],
  ])('tells whether %s bounces by rule (%s)', (address, bounces) => {
    // Act
    const result = isUndeliverableAddress(address);

    // Assert
    expect(result).toBe(bounces);
  });

  it('records a delivered message with its address, and a bounce with its reason', () => {
    // Arrange
    const registration = { userId: USER, email: 'ada@example.com' };

    // Act
    const sent = decideWelcome(initialWelcome(USER), registration, { delivered: true });
    const failed = decideWelcome(initialWelcome(USER), registration, { delivered: false, reason: 'bounced' });

    // Assert
    expect(sent).toEqual([
      { type: 'WelcomeMessageSent', data: { userId: USER, channel: 'email', address: 'ada@example.com' } },
    ]);
    expect(failed).toEqual([{ type: 'WelcomeMessageFailed', data: { userId: USER, reason: 'bounced' } }]);
  });

  it('welcomes once: with an outcome stored, another answer records nothing', () => {
    // Arrange
    const state = evolveWelcome(initialWelcome(USER), { type: 'WelcomeMessageFailed', data: {} });

    // Act
    const facts = decideWelcome(state, { userId: USER, email: 'ada@example.com' }, { delivered: true });

    // Assert
    expect(state.status).toBe('failed');
    expect(facts).toEqual([]);
  });

  it('makes a bounce a non-retryable error that names the domain, not the address', () => {
    // Act
    const error = new WelcomeBouncedError('ada@example.invalid', 'no such domain');

    // Assert
    expect(isRetryable(error)).toBe(false);
    expect(error.message).toBe('address at example.invalid bounced: no such domain');
  });
});

describe('settings', () => {
  const registration = registered({ locale: 'de-DE', marketingOptIn: true }).data;
  const revocation = { userId: USER, reason: 'welcome message failed: bounced' };

  function settings(...decisions: readonly SettingsDecision[]): SettingsState {
    return decisions
      .flatMap((decision) => (decision.kind === 'record' ? [...decision.facts, ...decision.internal] : []))
      .reduce(evolveSettings, initialSettings(USER));
  }

  it('applies defaults from the registration: its locale, marketing emails as opted in, the system theme', () => {
    // Act
    const decision = decideDefaults(initialSettings(USER), registration);

    // Assert
    expect(decision).toEqual({
      kind: 'record',
      facts: [
        {
          type: 'DefaultSettingsApplied',
          data: { userId: USER, settings: { locale: 'de-DE', marketingEmails: true, theme: 'system' } },
        },
      ],
      internal: [],
    });
  });

  it('applies them once: the registration again is a duplicate', () => {
    // Arrange
    const state = settings(decideDefaults(initialSettings(USER), registration));

    // Act
    const decision = decideDefaults(state, registration);

    // Assert
    expect(decision).toEqual({ kind: 'duplicate' });
  });

  it('removes applied settings when the registration is revoked, once', () => {
    // Arrange
    const applied = decideDefaults(initialSettings(USER), registration);

    // Act
    const removal = decideRevocation(settings(applied), revocation);
    const again = decideRevocation(settings(applied, removal), revocation);

    // Assert
    expect(removal).toEqual({
      kind: 'record',
      facts: [{ type: 'DefaultSettingsRemoved', data: revocation }],
      internal: [],
    });
    expect(again).toEqual({ kind: 'duplicate' });
  });

  it('records a revocation that arrives first, so the registration that follows applies nothing', () => {
    // Act
    const early = decideRevocation(initialSettings(USER), revocation);
    const late = decideDefaults(settings(early), registration);
    const repeated = decideRevocation(settings(early), revocation);

    // Assert
    expect(early).toEqual({
      kind: 'record',
      facts: [],
      internal: [{ type: SETTINGS_REVOCATION_RECORDED, data: revocation }],
    });
    expect(late).toEqual({ kind: 'ignore', why: 'registration was revoked before settings were applied' });
    expect(repeated).toEqual({ kind: 'duplicate' });
  });

  it('never applies settings again after removing them, whatever is redelivered', () => {
    // Arrange
    const applied = decideDefaults(initialSettings(USER), registration);
    const state = settings(applied, decideRevocation(settings(applied), revocation));

    // Act
    const decision = decideDefaults(state, registration);

    // Assert
    expect(state.status).toBe('removed');
    expect(decision).toEqual({ kind: 'duplicate' });
  });
});

describe('profiles', () => {
  const registration = registered({ displayName: 'Ada', locale: 'en-GB' }).data;

  function profile(...decisions: readonly ProfileDecision[]): ProfileState {
    return decisions
      .flatMap((decision) => [...decision.facts, ...decision.internal])
      .reduce(evolveProfile, initialProfile(USER));
  }

  function change(changeId: string, fields: { displayName?: string; locale?: string }) {
    return eventOf('UserProfileChanged', { userId: USER, changeId, ...fields }).data;
  }

  it('starts the profile from the registration as revision 0, without publishing an update', () => {
    // Act
    const decision = decideProfileStart(initialProfile(USER), registration);
    const state = profile(decision);

    // Assert
    expect(decision.facts).toEqual([]);
    expect(decision.internal).toEqual([
      { type: PROFILE_CREATED, data: { userId: USER, displayName: 'Ada', locale: 'en-GB' } },
    ]);
    expect(state).toMatchObject({ registered: true, revision: 0, displayName: 'Ada', locale: 'en-GB' });
  });

  it('starts it once: the registration again stores nothing', () => {
    // Arrange
    const state = profile(decideProfileStart(initialProfile(USER), registration));

    // Act
    const decision = decideProfileStart(state, registration);

    // Assert
    expect(decision).toEqual({ facts: [], internal: [] });
  });

  it('applies changes in order, each on top of the last, counting revisions', () => {
    // Arrange
    const started = decideProfileStart(initialProfile(USER), registration);
    const first = decideProfileUpdate(profile(started), change('chg-1', { displayName: 'Ada K' }));

    // Act
    const second = decideProfileUpdate(profile(started, first), change('chg-2', { locale: 'fr-FR' }));

    // Assert
    expect(first.facts).toEqual([
      {
        type: 'UserProfileUpdated',
        data: { userId: USER, changeId: 'chg-1', revision: 1, displayName: 'Ada K', locale: 'en-GB' },
      },
    ]);
    expect(second.facts).toEqual([
      {
        type: 'UserProfileUpdated',
        data: { userId: USER, changeId: 'chg-2', revision: 2, displayName: 'Ada K', locale: 'fr-FR' },
      },
    ]);
  });

  it('takes a change already applied (same changeId) as a duplicate', () => {
    // Arrange
    const started = decideProfileStart(initialProfile(USER), registration);
    const first = decideProfileUpdate(profile(started), change('chg-1', { displayName: 'Ada K' }));
    const state = profile(started, first);

    // Act
    const decision = decideProfileUpdate(state, change('chg-1', { displayName: 'Ada K' }));

    // Assert
    expect(state.appliedChanges).toEqual(['chg-1']);
    expect(decision).toEqual({ facts: [], internal: [] });
  });

  it('refuses a change before the registration with a retryable error, so its FIFO group waits', () => {
    // Act
    const error = (() => {
      try {
        decideProfileUpdate(initialProfile(USER), change('chg-1', { displayName: 'Ada K' }));
      } catch (e) {
        return e;
      }
    })();

    // Assert
    expect(error).toBeInstanceOf(ProfileNotRegisteredError);
    expect(isRetryable(error)).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { ProfileNotRegisteredError } from '../../shared/contexts/onboarding/domain/profiles.ts';
import { SETTINGS_REVOCATION_RECORDED } from '../../shared/contexts/onboarding/domain/settings.ts';
import {
  type AnyOnboardingEvent,
  createOnboardingEvent,
  type Onboarding,
  type OnboardingEnvelope,
  type OnboardingEventDataInput,
  type OnboardingEventType,
  onboardingCatalog,
  parseOnboardingEvent,
} from '../../shared/contexts/onboarding/events/catalog.ts';
import {
  ACCOUNTS_TYPES,
  accountsHandlers,
  PROFILES_TYPES,
  profileStreamId,
  profilesHandlers,
  SETTINGS_TYPES,
  settingsHandlers,
  settingsStreamId,
  userStreamId,
  WELCOME_TYPES,
  type WelcomeSender,
  welcomeHandlers,
  welcomeStreamId,
} from '../../shared/contexts/onboarding/index.ts';
import { createHandlerContext } from '../../shared/kit/consumer/context.ts';
import { EventIdReusedError } from '../../shared/kit/consumer/errors.ts';
import type { EventHandler, EventHandlers, Handled } from '../../shared/kit/consumer/types.ts';
import { isRetryable, PipelineError } from '../../shared/kit/errors/pipeline-error.ts';
import { InMemoryEventStore } from '../../shared/kit/event-store/in-memory.ts';
import type { EventEnvelope } from '../../shared/kit/events/envelope.ts';
import { isPublishable } from '../../shared/kit/events/internal.ts';
import { markStored } from '../../shared/kit/events/stored.ts';
import { ManualClock } from '../fakes/clock.ts';
import { RecordingLogger } from '../fakes/logger.ts';

const USER = 'usr-1';

/** A mail gateway that keeps what it was asked to send, and fails as scripted. */
class RecordingWelcomeSender implements WelcomeSender {
  readonly sent: { address: string; displayName: string }[] = [];
  failures: Error[] = [];

  async send(address: string, displayName: string): Promise<void> {
    const failure = this.failures.shift();
    if (failure !== undefined) throw failure;
    this.sent.push({ address, displayName });
  }
}

/** The four consumers on one store, with the names their idempotency keys carry. */
function onboarding(options: { sender?: WelcomeSender } = {}) {
  const store = new InMemoryEventStore();
  const clock = new ManualClock();
  const logger = new RecordingLogger();
  const consumers = {
    accounts: accountsHandlers({ store }),
    welcome: welcomeHandlers({ store, ...(options.sender ? { sender: options.sender } : {}) }),
    settings: settingsHandlers({ store }),
    profiles: profilesHandlers({ store }),
  };
  type Consumer = keyof typeof consumers;

  /** Hands `event` to one consumer's handler, as its runtime would after parsing the record. */
  async function deliver(consumer: Consumer, event: AnyOnboardingEvent): Promise<Handled | undefined> {
    const handlers: EventHandlers<Onboarding> = consumers[consumer];
    const handler = handlers[event.type] as EventHandler<Onboarding, OnboardingEventType> | undefined;
    if (handler === undefined) throw new Error(`${consumer} does not handle ${event.type}`);
    const context = createHandlerContext({
      catalog: onboardingCatalog,
      consumer,
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
      logger,
      factory: clock,
    });
    return handler(event, context);
  }

  /** What a producer puts on the bus (not stored yet). */
  function produce<T extends OnboardingEventType>(
    type: T,
    data: OnboardingEventDataInput<T>,
    id?: string,
  ): OnboardingEnvelope<T> {
    return createOnboardingEvent(type, data, { correlationId: 'corr-1', ...(id ? { id } : {}) }, clock);
  }

  /** Every event of a stream, internal ones included. */
  async function stream(streamId: string): Promise<EventEnvelope[]> {
    const events: EventEnvelope[] = [];
    for await (const stored of store.readAll(streamId)) events.push(stored.event);
    return events;
  }

  /** What the outbox publishes from a stream: its catalog events, marked stored and parsed as consumers see them. */
  async function published(streamId: string, type?: OnboardingEventType): Promise<AnyOnboardingEvent[]> {
    const events: AnyOnboardingEvent[] = [];
    for await (const { event, streamVersion } of store.readAll(streamId)) {
      if (!isPublishable(onboardingCatalog, event) || (type !== undefined && event.type !== type)) continue;
      events.push(parseOnboardingEvent(markStored(event, streamId, streamVersion)));
    }
    return events;
  }

  /** The one event of `type` the outbox publishes from a stream. */
  async function publishedOne(streamId: string, type: OnboardingEventType): Promise<AnyOnboardingEvent> {
    const [event, ...more] = await published(streamId, type);
    expect(more).toEqual([]);
    if (event === undefined) throw new Error(`no ${type} in ${streamId}`);
    return event;
  }

  return { store, logger, deliver, produce, stream, published, publishedOne };
}

type Onboarded = ReturnType<typeof onboarding>;

function registration(
  pipeline: Onboarded,
  overrides: Partial<OnboardingEventDataInput<'UserRegistered'>> = {},
  id?: string,
) {
  const data = { userId: USER, email: 'ada@example.com', displayName: 'Ada', ...overrides };
  return pipeline.produce('UserRegistered', data, id);
}

function orderConfirmed(pipeline: Onboarded, orderId: string): AnyOnboardingEvent {
  const contact = { email: 'ada@example.com', channels: ['email' as const] };
  const order = pipeline.produce('OrderConfirmed', {
    orderId,
    customerId: USER,
    total: 34,
    currency: 'EUR',
    contact,
  });
  // As the orders context's outbox publishes it: stored in that context's saga stream.
  return markStored(order, `saga-order#${orderId}`, 5);
}

/** Registers the user and lets every consumer react to the stored registration. */
async function registerEveryone(pipeline: Onboarded, overrides = {}) {
  const registered = registration(pipeline, overrides);
  const intake = await pipeline.deliver('accounts', registered);
  const stored = await pipeline.publishedOne(userStreamId(USER), 'UserRegistered');
  const reactions = {
    welcome: await pipeline.deliver('welcome', stored),
    settings: await pipeline.deliver('settings', stored),
    profiles: await pipeline.deliver('profiles', stored),
  };
  return { registered, stored, intake, reactions };
}

describe('onboarding consumers', () => {
  it('handle exactly the types their queues subscribe to', () => {
    // Arrange
    const store = new InMemoryEventStore();

    // Act
    const handled = {
      accounts: Object.keys(accountsHandlers({ store })),
      welcome: Object.keys(welcomeHandlers({ store })),
      settings: Object.keys(settingsHandlers({ store })),
      profiles: Object.keys(profilesHandlers({ store })),
    };

    // Assert
    expect(handled).toEqual({
      accounts: [...ACCOUNTS_TYPES],
      welcome: [...WELCOME_TYPES],
      settings: [...SETTINGS_TYPES],
      profiles: [...PROFILES_TYPES],
    });
  });
});

describe('onboarding choreography, happy path', () => {
  it('registers, welcomes, applies settings, applies a profile change and records the first order', async () => {
    // Arrange
    const sender = new RecordingWelcomeSender();
    const pipeline = onboarding({ sender });

    // Act
    const { registered, intake, reactions } = await registerEveryone(pipeline, { marketingOptIn: true });
    const change = pipeline.produce('UserProfileChanged', {
      userId: USER,
      changeId: 'chg-1',
      displayName: 'Ada K',
    });
    const changeIntake = await pipeline.deliver('accounts', change);
    const storedChange = await pipeline.publishedOne(userStreamId(USER), 'UserProfileChanged');
    const profileUpdate = await pipeline.deliver('profiles', storedChange);
    const firstOrder = await pipeline.deliver('accounts', orderConfirmed(pipeline, 'ord-1'));

    // Assert
    expect([intake, reactions.welcome, reactions.settings, reactions.profiles]).toEqual([
      'handled',
      'handled',
      'handled',
      'handled',
    ]);
    expect([changeIntake, profileUpdate, firstOrder]).toEqual(['handled', 'handled', 'handled']);
    const user = await pipeline.stream(userStreamId(USER));
    expect(user.map((event) => event.type)).toEqual([
      'UserRegistered',
      'UserProfileChanged',
      'FirstOrderRecorded',
    ]);
    expect(user[0]).toMatchObject({ id: registered.id, data: registered.data });
    expect(user[1]).toMatchObject({ id: change.id, data: change.data });
    expect(user[2]?.data).toEqual({ userId: USER, orderId: 'ord-1' });
    expect(sender.sent).toEqual([{ address: 'ada@example.com', displayName: 'Ada' }]);
    expect((await pipeline.published(welcomeStreamId(USER))).map((event) => event.data)).toEqual([
      { userId: USER, channel: 'email', address: 'ada@example.com' },
    ]);
    expect((await pipeline.published(settingsStreamId(USER))).map((event) => event.data)).toEqual([
      { userId: USER, settings: { locale: 'en-GB', marketingEmails: true, theme: 'system' } },
    ]);
    expect((await pipeline.published(profileStreamId(USER))).map((event) => event.data)).toEqual([
      { userId: USER, changeId: 'chg-1', revision: 1, displayName: 'Ada K', locale: 'en-GB' },
    ]);
  });

  it('takes every input delivered again as a duplicate, sending and storing nothing more', async () => {
    // Arrange
    const sender = new RecordingWelcomeSender();
    const pipeline = onboarding({ sender });
    const { registered, stored } = await registerEveryone(pipeline);
    const change = pipeline.produce('UserProfileChanged', {
      userId: USER,
      changeId: 'chg-1',
      locale: 'fr-FR',
    });
    await pipeline.deliver('accounts', change);
    const storedChange = await pipeline.publishedOne(userStreamId(USER), 'UserProfileChanged');
    await pipeline.deliver('profiles', storedChange);
    const order = orderConfirmed(pipeline, 'ord-1');
    await pipeline.deliver('accounts', order);
    const streams = [
      userStreamId(USER),
      welcomeStreamId(USER),
      settingsStreamId(USER),
      profileStreamId(USER),
    ];
    const lengths = async () => Promise.all(streams.map(async (id) => (await pipeline.stream(id)).length));
    const before = await lengths();

    // Act
    const outcomes = [
      await pipeline.deliver('accounts', registered),
      await pipeline.deliver('accounts', stored),
      await pipeline.deliver('welcome', stored),
      await pipeline.deliver('settings', stored),
      await pipeline.deliver('profiles', stored),
      await pipeline.deliver('accounts', change),
      await pipeline.deliver('profiles', storedChange),
      await pipeline.deliver('accounts', order),
    ];

    // Assert
    expect(outcomes).toEqual(Array(outcomes.length).fill('duplicate'));
    expect(await lengths()).toEqual(before);
    expect(sender.sent).toHaveLength(1);
  });

  it('changes nothing for a later order of the user, nor for an order of a user it does not know', async () => {
    // Arrange
    const pipeline = onboarding({ sender: new RecordingWelcomeSender() });
    await registerEveryone(pipeline);
    await pipeline.deliver('accounts', orderConfirmed(pipeline, 'ord-1'));
    const stranger = markStored(
      pipeline.produce('OrderConfirmed', {
        orderId: 'ord-9',
        customerId: 'usr-unknown',
        total: 5,
        currency: 'EUR',
        contact: { email: 'x@example.com', channels: ['email'] },
      }),
      'saga-order#ord-9',
      5,
    );

    // Act
    const later = await pipeline.deliver('accounts', orderConfirmed(pipeline, 'ord-2'));
    const unknown = await pipeline.deliver('accounts', stranger);

    // Assert
    expect([later, unknown]).toEqual(['handled', 'handled']);
    expect((await pipeline.published(userStreamId(USER), 'FirstOrderRecorded')).map((e) => e.data)).toEqual([
      { userId: USER, orderId: 'ord-1' },
    ]);
    expect(await pipeline.stream(userStreamId('usr-unknown'))).toEqual([]);
    expect(pipeline.logger.lines.map((line) => line.fields.reason)).toEqual(
      expect.arrayContaining(['first order already recorded', 'order of a user who is not registered']),
    );
  });
});

describe('onboarding intake refusals', () => {
  it('stores a second registration with other content as UserRegistrationRejected, and keeps the first', async () => {
    // Arrange
    const pipeline = onboarding({ sender: new RecordingWelcomeSender() });
    const first = registration(pipeline);
    await pipeline.deliver('accounts', first);
    const second = registration(pipeline, { email: 'other@example.com' });

    // Act
    const outcome = await pipeline.deliver('accounts', second);

    // Assert
    expect(outcome).toBe('handled');
    const rejected = await pipeline.publishedOne(userStreamId(USER), 'UserRegistrationRejected');
    expect(rejected).toMatchObject({ causationId: second.id, data: { refusedEventId: second.id } });
    expect((await pipeline.publishedOne(userStreamId(USER), 'UserRegistered')).id).toBe(first.id);
  });

  it('refuses a registration id reused with other content as EVENT_ID_REUSED, storing nothing', async () => {
    // Arrange
    const pipeline = onboarding({ sender: new RecordingWelcomeSender() });
    await pipeline.deliver('accounts', registration(pipeline, {}, 'evt-reg'));
    const reused = registration(pipeline, { displayName: 'Mallory' }, 'evt-reg');

    // Act
    const outcome = pipeline.deliver('accounts', reused);

    // Assert
    await expect(outcome).rejects.toBeInstanceOf(EventIdReusedError);
    await expect(outcome).rejects.toMatchObject({ retryable: false, eventId: 'evt-reg' });
    expect(await pipeline.stream(userStreamId(USER))).toHaveLength(1);
  });

  it('stores a profile change of a user who is not registered as UserProfileChangeRejected', async () => {
    // Arrange
    const pipeline = onboarding();
    const change = pipeline.produce('UserProfileChanged', {
      userId: USER,
      changeId: 'chg-1',
      displayName: 'Ada K',
    });

    // Act
    const outcome = await pipeline.deliver('accounts', change);

    // Assert
    expect(outcome).toBe('handled');
    expect((await pipeline.stream(userStreamId(USER))).map((event) => [event.type, event.data])).toEqual([
      [
        'UserProfileChangeRejected',
        { userId: USER, refusedEventId: change.id, reason: `user ${USER} is not registered` },
      ],
    ]);
  });

  it('fails a profile change that reaches profiles before its registration with a retryable error, storing nothing', async () => {
    // Arrange
    const pipeline = onboarding();
    const change = markStored(
      pipeline.produce('UserProfileChanged', { userId: USER, changeId: 'chg-1', displayName: 'Ada K' }),
      userStreamId(USER),
      2,
    );

    // Act
    const outcome = pipeline.deliver('profiles', change);

    // Assert
    await expect(outcome).rejects.toBeInstanceOf(ProfileNotRegisteredError);
    await expect(outcome).rejects.toSatisfy(isRetryable);
    expect(await pipeline.stream(profileStreamId(USER))).toEqual([]);
  });
});

describe('onboarding welcome gateway', () => {
  it('retries a registration whose gateway call failed transiently, then records the message once', async () => {
    // Arrange
    const sender = new RecordingWelcomeSender();
    sender.failures = [new PipelineError('MAIL_THROTTLED', 'try later', { retryable: true })];
    const pipeline = onboarding({ sender });
    await pipeline.deliver('accounts', registration(pipeline));
    const stored = await pipeline.publishedOne(userStreamId(USER), 'UserRegistered');

    // Act
    const first = await pipeline.deliver('welcome', stored).catch((error: unknown) => error);
    const afterFailure = await pipeline.stream(welcomeStreamId(USER));
    const second = await pipeline.deliver('welcome', stored);

    // Assert
    expect(first).toMatchObject({ code: 'MAIL_THROTTLED', retryable: true });
    expect(afterFailure).toEqual([]);
    expect(second).toBe('handled');
    expect((await pipeline.stream(welcomeStreamId(USER))).map((event) => event.type)).toEqual([
      'WelcomeMessageSent',
    ]);
  });
});

describe('onboarding compensation', () => {
  it('revokes a registration whose welcome bounced, then removes its settings, each once', async () => {
    // Arrange: the default gateway bounces .invalid domains.
    const pipeline = onboarding();
    const { reactions } = await registerEveryone(pipeline, { email: 'ada@example.invalid' });
    const failed = await pipeline.publishedOne(welcomeStreamId(USER), 'WelcomeMessageFailed');

    // Act
    const revocation = await pipeline.deliver('accounts', failed);
    const revoked = await pipeline.publishedOne(userStreamId(USER), 'UserRegistrationRevoked');
    const removal = await pipeline.deliver('settings', revoked);
    const redelivered = [
      await pipeline.deliver('accounts', failed),
      await pipeline.deliver('settings', revoked),
    ];

    // Assert
    expect(reactions).toEqual({ welcome: 'handled', settings: 'handled', profiles: 'handled' });
    expect(failed.data).toEqual({
      userId: USER,
      reason: 'address at example.invalid bounced: the domain cannot exist (RFC 2606)',
    });
    expect([revocation, removal]).toEqual(['handled', 'handled']);
    expect(revoked.data).toEqual({
      userId: USER,
      reason:
        'welcome message failed: address at example.invalid bounced: the domain cannot exist (RFC 2606)',
    });
    expect((await pipeline.stream(settingsStreamId(USER))).map((event) => event.type)).toEqual([
      'DefaultSettingsApplied',
      'DefaultSettingsRemoved',
    ]);
    expect(redelivered).toEqual(['duplicate', 'duplicate']);
    expect(pipeline.logger.lines).toContainEqual(
      expect.objectContaining({ level: 'warn', message: 'welcome message failed' }),
    );
  });

  it('refuses profile changes and ignores orders once the registration is revoked', async () => {
    // Arrange
    const pipeline = onboarding();
    await registerEveryone(pipeline, { email: 'ada@example.invalid' });
    await pipeline.deliver(
      'accounts',
      await pipeline.publishedOne(welcomeStreamId(USER), 'WelcomeMessageFailed'),
    );
    const change = pipeline.produce('UserProfileChanged', {
      userId: USER,
      changeId: 'chg-1',
      displayName: 'Ada K',
    });

    // Act
    await pipeline.deliver('accounts', change);
    await pipeline.deliver('accounts', orderConfirmed(pipeline, 'ord-1'));

    // Assert
    expect((await pipeline.stream(userStreamId(USER))).map((event) => event.type)).toEqual([
      'UserRegistered',
      'UserRegistrationRevoked',
      'UserProfileChangeRejected',
    ]);
  });

  it('records a revocation that reaches settings first, so the registration after it applies nothing', async () => {
    // Arrange
    const pipeline = onboarding();
    await pipeline.deliver('accounts', registration(pipeline, { email: 'ada@example.invalid' }));
    const stored = await pipeline.publishedOne(userStreamId(USER), 'UserRegistered');
    await pipeline.deliver('welcome', stored);
    await pipeline.deliver(
      'accounts',
      await pipeline.publishedOne(welcomeStreamId(USER), 'WelcomeMessageFailed'),
    );
    const revoked = await pipeline.publishedOne(userStreamId(USER), 'UserRegistrationRevoked');

    // Act
    const early = await pipeline.deliver('settings', revoked);
    const late = await pipeline.deliver('settings', stored);

    // Assert
    expect([early, late]).toEqual(['handled', 'handled']);
    const settings = await pipeline.stream(settingsStreamId(USER));
    expect(settings.map((event) => event.type)).toEqual([SETTINGS_REVOCATION_RECORDED]);
    expect(await pipeline.published(settingsStreamId(USER))).toEqual([]);
  });
});

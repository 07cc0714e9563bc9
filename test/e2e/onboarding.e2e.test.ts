import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { describe, expect, inject, it } from 'vitest';
import { OUTPUTS } from '../../infra/stacks/outputs.ts';
import {
  createOnboardingEvent,
  type OnboardingEventDataInput,
  type OnboardingEventType,
} from '../../shared/contexts/onboarding/events/catalog.ts';
import { DynamoDbEventStore } from '../../shared/kit/event-store/dynamodb.ts';
import type { EventEnvelope } from '../../shared/kit/events/envelope.ts';
import { toPutEventsEntry } from '../../shared/kit/events/eventbridge.ts';
import { eventually, testClients } from '../support/aws.ts';
import { e2eStack, runCliJson } from '../support/cli.ts';
import { stackOutput } from '../support/stack-outputs.ts';
import { sagaWorld } from './saga-world.ts';

const endpoint = inject('endpoint');
const clients = testClients();
const world = sagaWorld();

const store = new DynamoDbEventStore({
  client: clients.dynamo,
  tableName: stackOutput(OUTPUTS.eventStoreTable),
});
const busName = stackOutput(OUTPUTS.busName);

/** What a producer in another service does: put an event, in our envelope, on the pipeline's bus. */
async function produce(events: readonly EventEnvelope[]): Promise<void> {
  for (let i = 0; i < events.length; i += 10) {
    const result = await clients.events.send(
      new PutEventsCommand({ Entries: events.slice(i, i + 10).map((e) => toPutEventsEntry(e, busName)) }),
    );
    expect(result.FailedEntryCount ?? 0).toBe(0);
  }
}

/** A producer's event of the onboarding catalog, with the producer's own source. */
function event<T extends OnboardingEventType>(
  type: T,
  data: OnboardingEventDataInput<T>,
  correlationId: string,
): EventEnvelope {
  return createOnboardingEvent(type, data, { correlationId, source: 'signup.web' }) as EventEnvelope;
}

/** The events of a stream, oldest first. */
async function streamOf(streamId: string): Promise<EventEnvelope[]> {
  const events: EventEnvelope[] = [];
  for await (const stored of store.readAll(streamId)) events.push(stored.event);
  return events;
}

/** Waits until the stream holds an event of each type (returns the stream), or fails naming what is missing. */
async function waitForTypes(streamId: string, types: readonly string[], timeoutMs = 60_000) {
  const found = await eventually(
    async () => {
      const events = await streamOf(streamId);
      return types.every((type) => events.some((e) => e.type === type)) ? events : undefined;
    },
    { timeoutMs, intervalMs: 500 },
  );
  if (found === undefined) {
    const seen = (await streamOf(streamId)).map((e) => e.type);
    throw new Error(`${streamId}: waited for ${types.join(', ')}; holds ${seen.join(', ') || 'nothing'}`);
  }
  return found;
}

const registration = (userId: string, email: string) => ({
  userId,
  email,
  displayName: `User ${userId}`,
  locale: 'en-GB',
  marketingOptIn: true,
});

describe('onboarding: a choreographed second context on the same pipeline', () => {
  it('registers a user: accounts stores it, then welcome, settings and profiles each react on their own', async () => {
    // Arrange
    const userId = `u-${randomUUID()}`;
    const correlationId = `onboarding-e2e-${randomUUID()}`;

    // Act
    await produce([event('UserRegistered', registration(userId, `${userId}@example.com`), correlationId)]);

    // Assert
    const account = await waitForTypes(`user#${userId}`, ['UserRegistered']);
    expect(account[0]?.correlationId).toBe(correlationId);
    const welcome = await waitForTypes(`welcome#${userId}`, ['WelcomeMessageSent']);
    expect(welcome[0]).toMatchObject({ correlationId, data: { userId, channel: 'email' } });
    const settings = await waitForTypes(`settings#${userId}`, ['DefaultSettingsApplied']);
    expect(settings[0]).toMatchObject({
      correlationId,
      data: { userId, settings: { locale: 'en-GB', marketingEmails: true } },
    });
    await waitForTypes(`profile#${userId}`, ['ProfileCreated']);
    expect((await streamOf(`user#${userId}`)).map((e) => e.type)).toEqual(['UserRegistered']);

    // The context's own CLI command shows the user across its four streams.
    const shown = await runCliJson<{ events: { stream: string; type: string }[] }>(
      ['--stack', e2eStack, 'onboarding', 'user', userId],
      { AWS_ENDPOINT_URL: endpoint },
    );
    expect(new Set(shown.events.map((e) => e.stream))).toEqual(
      new Set([`user#${userId}`, `welcome#${userId}`, `settings#${userId}`, `profile#${userId}`]),
    );
    expect(shown.events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['UserRegistered', 'WelcomeMessageSent', 'DefaultSettingsApplied']),
    );
  });

  it('compensates a bounced welcome by events alone: accounts revokes, settings removes what it applied', async () => {
    // Arrange: an address in a reserved domain that never delivers (RFC 2606).
    const userId = `u-${randomUUID()}`;
    const correlationId = `onboarding-e2e-${randomUUID()}`;

    // Act
    await produce([event('UserRegistered', registration(userId, `${userId}@bounce.invalid`), correlationId)]);

    // Assert: each step is a stored event of its own consumer, all in one flow (correlation id).
    const welcome = await waitForTypes(`welcome#${userId}`, ['WelcomeMessageFailed']);
    const account = await waitForTypes(`user#${userId}`, ['UserRegistered', 'UserRegistrationRevoked']);
    const settings = await waitForTypes(`settings#${userId}`, ['DefaultSettingsRemoved']);
    for (const e of [...welcome, ...account, ...settings]) expect(e.correlationId).toBe(correlationId);
    expect(account.filter((e) => e.type === 'UserRegistrationRevoked')).toHaveLength(1);
    const removed = settings.find((e) => e.type === 'DefaultSettingsRemoved');
    expect(JSON.stringify(removed?.data)).not.toContain(`${userId}@`);

    // The operator sees the whole choreography in one trace.
    const trace = await runCliJson<{ events?: { type: string }[] }>(
      ['--stack', e2eStack, 'trace', correlationId],
      { AWS_ENDPOINT_URL: endpoint },
    );
    const traced = JSON.stringify(trace);
    for (const type of [
      'UserRegistered',
      'WelcomeMessageFailed',
      'UserRegistrationRevoked',
      'DefaultSettingsRemoved',
    ]) {
      expect(traced).toContain(type);
    }
  });

  it("applies each user's profile changes in the order accounts stored them, several users at once (FIFO groups)", async () => {
    // Arrange: three registered users.
    const users = [1, 2, 3].map(() => `u-${randomUUID()}`);
    const correlationId = `onboarding-e2e-${randomUUID()}`;
    await produce(
      users.map((u) => event('UserRegistered', registration(u, `${u}@example.com`), correlationId)),
    );
    await Promise.all(users.map((u) => waitForTypes(`profile#${u}`, ['ProfileCreated'])));

    // Act: five changes per user, put concurrently (interleaved across users, several requests at once).
    const changes = users.flatMap((u) =>
      [1, 2, 3, 4, 5].map((n) =>
        event(
          'UserProfileChanged',
          { userId: u, changeId: `${u}-c${n}`, displayName: `Name ${n}` },
          correlationId,
        ),
      ),
    );
    const interleaved = [0, 1, 2, 3, 4].flatMap((n) =>
      users.map((_, i) => changes[i * 5 + n] as EventEnvelope),
    );
    await Promise.all([0, 5, 10].map((start) => produce(interleaved.slice(start, start + 5))));

    // Assert: per user, the profile applied exactly the stored changes, in stream order, revisions 1..5.
    for (const u of users) {
      const applied = await eventually(
        async () => {
          const updates = (await streamOf(`profile#${u}`)).filter((e) => e.type === 'UserProfileUpdated');
          return updates.length >= 5 ? updates : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 500 },
      );
      expect(applied, `profile#${u} did not apply five changes`).toBeDefined();
      const stream = await streamOf(`user#${u}`);
      const storedOrder = stream
        .filter((e) => e.type === 'UserProfileChanged')
        .map((e) => (e.data as { changeId: string }).changeId);
      expect(storedOrder).toHaveLength(5);
      expect(applied?.map((e) => (e.data as { changeId: string }).changeId)).toEqual(storedOrder);
      expect(applied?.map((e) => (e.data as { revision: number }).revision)).toEqual([1, 2, 3, 4, 5]);
    }
  });

  it("takes the orders context's OrderConfirmed from the bus and records the user's first order once", async () => {
    // Arrange
    const userId = `u-${randomUUID()}`;
    const correlationId = `onboarding-e2e-${randomUUID()}`;
    await produce([event('UserRegistered', registration(userId, `${userId}@example.com`), correlationId)]);
    await waitForTypes(`user#${userId}`, ['UserRegistered']);

    // Act: two orders of this customer go through the order saga and are confirmed there.
    const sku = world.unique('SKU-ONB');
    await world.stock(sku, 10);
    const orders = [world.unique('ord-onb'), world.unique('ord-onb')];
    for (const orderId of orders) {
      await world.place(
        world.order({ orderId, customerId: userId, items: [{ sku, qty: 1, unitPrice: 10 }] }),
      );
      expect((await world.outcome(orderId)).type).toBe('OrderConfirmed');
    }

    // Assert
    const account = await waitForTypes(`user#${userId}`, ['FirstOrderRecorded']);
    await world.drained();
    const recorded = (await streamOf(`user#${userId}`)).filter((e) => e.type === 'FirstOrderRecorded');
    expect(recorded).toHaveLength(1);
    expect(recorded[0]?.data).toMatchObject({ userId, orderId: orders[0] });
    expect(account.map((e) => e.type)).toContain('UserRegistered');
  });

  it('moves a change its FIFO group cannot apply to the FIFO DLQ, and `pipeline dlq redrive` applies it once the user exists', async () => {
    // Arrange: a change stored for a user whose registration is not stored yet (a stream written out of
    // order on purpose): profiles retries it with backoff, then the queue's redrive policy dead-letters it.
    const userId = `u-${randomUUID()}`;
    const correlationId = `onboarding-e2e-${randomUUID()}`;
    const change = event(
      'UserProfileChanged',
      { userId, changeId: `${userId}-early`, locale: 'fr-FR' },
      correlationId,
    );
    await store.append(`user#${userId}`, [change], { expectedVersion: 0 });
    const dlqUrl = stackOutput('OnboardingProfilesDlqUrl');
    const inDlq = await eventually(
      async () => {
        const { Attributes = {} } = await clients.sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl: dlqUrl,
            AttributeNames: ['ApproximateNumberOfMessages'],
          }),
        );
        return Number(Attributes.ApproximateNumberOfMessages ?? 0) > 0 ? true : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 1_000 },
    );
    expect(inDlq, 'the early change never reached the profiles DLQ').toBe(true);

    // Act: the registration arrives (stored after the change), then the operator redrives the DLQ.
    const registered = event('UserRegistered', registration(userId, `${userId}@example.com`), correlationId);
    await store.append(`user#${userId}`, [registered], { expectedVersion: 1 });
    await waitForTypes(`profile#${userId}`, ['ProfileCreated']);
    const redrive = await runCliJson<{ moved?: { target: string }[] }>(
      ['--stack', e2eStack, 'dlq', 'redrive', dlqUrl.split('/').pop() ?? dlqUrl, '--all'],
      {
        AWS_ENDPOINT_URL: endpoint,
        PIPELINE_LOCAL_DIR: mkdtempSync(join(tmpdir(), 'onboarding-e2e-')),
        USER: 'e2e-operator',
      },
    );

    // Assert
    expect(redrive.moved).toHaveLength(1);
    expect(redrive.moved?.[0]?.target).toMatch(/OnboardingProfilesWorkQueue.*\.fifo$/);
    const profile = await waitForTypes(`profile#${userId}`, ['UserProfileUpdated'], 60_000);
    const updates = profile.filter((e) => e.type === 'UserProfileUpdated');
    expect(updates).toHaveLength(1);
    expect(updates[0]?.data).toMatchObject({
      userId,
      changeId: `${userId}-early`,
      locale: 'fr-FR',
      revision: 1,
    });
  });
});

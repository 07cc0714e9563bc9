import { describe, expect, it } from 'vitest';
import { publishStreamRecords } from '../../functions/outbox-publisher/publish.ts';
import type { TopicMessage } from '../../functions/outbox-publisher/senders.ts';
import { anEnvelope, deps, FakeEventBridge, idOf, inserted } from './outbox-publisher.fixture.ts';

const TOPIC = 'arn:aws:sns:us-east-1:000000000000:notifications';

/** PublishBatch double: records each request; `reject` decides per message id and call. */
function fakeTopics(reject: (eventId: string, call: number) => string | undefined = () => undefined) {
  const requests: { topicArn: string; messages: TopicMessage[] }[] = [];
  const publishMessages = async (topicArn: string, messages: readonly TopicMessage[]) => {
    requests.push({ topicArn, messages: [...messages] });
    const call = requests.length;
    const code = (m: TopicMessage) => reject(JSON.parse(m.Message).id, call);
    const failed = messages.filter((m) => code(m) !== undefined);
    return {
      Successful: messages.filter((m) => !failed.includes(m)).map((m) => ({ Id: m.Id })),
      Failed: failed.map((m) => ({ Id: m.Id, Code: code(m), SenderFault: false })),
    };
  };
  return { requests, publishMessages };
}

const outcome = (n: number, type: 'OrderConfirmed' | 'OrderCancelled') => ({
  ...anEnvelope(n),
  type,
  source: 'orders.saga',
  version: 1,
});

const routes = {
  bus: new Set(['OrderConfirmed', 'OrderCancelled']),
  topics: new Map([[TOPIC, new Set(['OrderConfirmed', 'OrderCancelled'])]]),
};

describe('outbox publisher: fan-out topics fed by the outbox', () => {
  it('publishes the stored events a topic takes to it, marked as stored, with the attributes its subscriptions filter on', async () => {
    // Arrange
    const confirmed = outcome(1, 'OrderConfirmed');
    const cancelled = outcome(2, 'OrderCancelled');
    const placed = anEnvelope(3);
    const bus = new FakeEventBridge();
    const topics = fakeTopics();

    // Act
    const result = await publishStreamRecords(
      [confirmed, cancelled, placed].map((e, i) => inserted(e, i + 1)),
      deps(bus, { routes, publishMessages: topics.publishMessages }).dependencies,
    );

    // Assert: one PublishBatch for both outcomes; the placed order goes nowhere (no route takes it).
    expect(result).toEqual({ published: [confirmed.id, cancelled.id], skipped: 1 });
    expect(topics.requests).toHaveLength(1);
    const [request] = topics.requests;
    expect(request?.topicArn).toBe(TOPIC);
    expect(request?.messages.map((m) => JSON.parse(m.Message).id)).toEqual([confirmed.id, cancelled.id]);
    expect(JSON.parse(request?.messages[0]?.Message ?? '{}').metadata).toMatchObject({ storedVersion: 1 });
    expect(request?.messages[1]?.MessageAttributes).toEqual({
      type: { DataType: 'String', StringValue: 'OrderCancelled' },
      source: { DataType: 'String', StringValue: 'orders.saga' },
      version: { DataType: 'Number', StringValue: '1' },
    });
    // The same events still reach the bus: a topic route adds a destination, it takes none away.
    expect(bus.requests.flat().map(idOf)).toEqual([confirmed.id, cancelled.id]);
  });

  it("sets the topic's data attributes from each event's data, and leaves one out where the data has no such value", async () => {
    // Arrange: one outcome with a contact's channels (repeated), one whose data has none.
    const chose = {
      ...outcome(1, 'OrderConfirmed'),
      data: { contact: { channels: ['sms', 'email', 'sms'] } },
    };
    const without = { ...outcome(2, 'OrderCancelled'), data: { reason: 'no stock' } };
    const topics = fakeTopics();

    // Act
    await publishStreamRecords(
      [chose, without].map((e, i) => inserted(e, i + 1)),
      deps(new FakeEventBridge(), {
        routes: {
          ...routes,
          topicAttributes: new Map([[TOPIC, { channels: 'contact.channels', region: 'contact.region' }]]),
        },
        publishMessages: topics.publishMessages,
      }).dependencies,
    );

    // Assert: a String.Array of the distinct channels beside type/source/version; nothing for a path
    // without a value (the subscriptions let such a message in).
    const [first, second] = topics.requests[0]?.messages ?? [];
    expect(first?.MessageAttributes).toEqual({
      channels: { DataType: 'String.Array', StringValue: '["sms","email"]' },
      type: { DataType: 'String', StringValue: 'OrderConfirmed' },
      source: { DataType: 'String', StringValue: 'orders.saga' },
      version: { DataType: 'Number', StringValue: '1' },
    });
    expect(Object.keys(second?.MessageAttributes ?? {}).sort()).toEqual(['source', 'type', 'version']);
  });

  it('publishes at most 10 messages per PublishBatch request, in stream order', async () => {
    const outcomes = Array.from({ length: 12 }, (_, i) => outcome(i + 1, 'OrderConfirmed'));
    const topics = fakeTopics();

    await publishStreamRecords(
      outcomes.map((e, i) => inserted(e, i + 1)),
      deps(new FakeEventBridge(), {
        routes: { bus: new Set<string>(), topics: routes.topics },
        publishMessages: topics.publishMessages,
      }).dependencies,
    );

    expect(topics.requests.map((r) => r.messages.length)).toEqual([10, 2]);
    expect(topics.requests.flatMap((r) => r.messages.map((m) => JSON.parse(m.Message).id))).toEqual(
      outcomes.map((o) => o.id),
    );
  });

  it('publishes only the refused message again and reports its record when the topic keeps refusing it', async () => {
    // Arrange: the topic refuses the second outcome on every call.
    const outcomes = [
      outcome(1, 'OrderConfirmed'),
      outcome(2, 'OrderConfirmed'),
      outcome(3, 'OrderCancelled'),
    ];
    const poison = outcomes[1]?.id;
    const topics = fakeTopics((id) => (id === poison ? 'InternalError' : undefined));
    const records = outcomes.map((e, i) => inserted(e, i + 1));
    const { dependencies, sleeps } = deps(new FakeEventBridge(), {
      routes: { bus: new Set<string>(), topics: routes.topics },
      publishMessages: topics.publishMessages,
      maxAttempts: 3,
    });

    // Act
    const result = await publishStreamRecords(records, dependencies);

    // Assert: the retries carried only the refused message; Lambda will retry from its record.
    expect(topics.requests.map((r) => r.messages.length)).toEqual([3, 1, 1]);
    expect(sleeps).toHaveLength(2);
    expect(result.failure).toEqual({
      sequenceNumber: records[1]?.dynamodb?.SequenceNumber,
      reason: 'InternalError: ',
    });
    expect(result.published).toEqual([outcomes[0]?.id, outcomes[2]?.id]);
  });

  it('treats a PublishBatch call that throws as a failure of every message it carried', async () => {
    const topics = {
      publishMessages: async () => {
        throw Object.assign(new Error('topic is gone'), { name: 'NotFoundException' });
      },
    };
    const records = [inserted(outcome(1, 'OrderConfirmed'), 1)];

    const result = await publishStreamRecords(
      records,
      deps(new FakeEventBridge(), {
        routes: { bus: new Set<string>(), topics: routes.topics },
        publishMessages: topics.publishMessages,
        maxAttempts: 2,
      }).dependencies,
    );

    expect(result.published).toEqual([]);
    expect(result.failure?.reason).toBe('NotFoundException: topic is gone');
  });

  it('refuses to run with a topic route but no publisher, naming the topic', async () => {
    await expect(
      publishStreamRecords(
        [inserted(outcome(1, 'OrderConfirmed'), 1)],
        deps(new FakeEventBridge(), { routes: { bus: new Set<string>(), topics: routes.topics } })
          .dependencies,
      ),
    ).rejects.toThrow(`outbox routes name topic ${TOPIC} but no publisher`);
  });
});

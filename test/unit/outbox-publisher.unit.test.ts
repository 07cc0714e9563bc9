import { describe, expect, it } from 'vitest';
import { type PublishDependencies, publishStreamRecords } from '../../functions/outbox-publisher/publish.ts';
import { fifoKey, isFifoQueueUrl, type QueueMessage } from '../../functions/outbox-publisher/senders.ts';
import { commitItems, type ItemImage, snapshotItem } from '../../shared/kit/event-store/dynamodb-items.ts';
import { entrySize } from '../../shared/kit/events/eventbridge.ts';
import {
  anEnvelope,
  BUS,
  deps,
  FakeEventBridge,
  idOf,
  inserted,
  insertedCommit,
  record,
} from './outbox-publisher.fixture.ts';

describe('outbox publisher: publishing a stream batch', () => {
  it('publishes every inserted event item as its envelope marked with its stream and version, in stream order', async () => {
    // Arrange
    const envelopes = [anEnvelope(1), anEnvelope(2), anEnvelope(3)];
    const fake = new FakeEventBridge();

    // Act
    const outcome = await publishStreamRecords(
      envelopes.map((e, i) => inserted(e, i + 1)),
      deps(fake).dependencies,
    );

    // Assert
    expect(outcome).toEqual({ published: envelopes.map((e) => e.id), skipped: 0 });
    const [request] = fake.requests;
    expect(request?.map((entry) => JSON.parse(entry.Detail))).toEqual(
      envelopes.map((e, i) => ({ ...e, metadata: { storedStream: 'order-1', storedVersion: i + 1 } })),
    );
    expect(request?.[0]).toMatchObject({
      EventBusName: BUS,
      Source: 'orders.api',
      DetailType: 'OrderPlaced',
    });
  });

  it('publishes the events of one commit item in version order, each marked with its own version', async () => {
    // Arrange: one append stored the saga's input, its transition (internal) and its command together.
    const [input, command] = [anEnvelope(1), anEnvelope(3)];
    const transition = { ...anEnvelope(2), type: 'SagaStepStarted', metadata: { internal: true } };
    const fake = new FakeEventBridge();

    // Act
    const outcome = await publishStreamRecords(
      [insertedCommit([input, transition, command], 4)],
      deps(fake).dependencies,
    );

    // Assert
    expect(outcome).toEqual({ published: [input.id, command.id], skipped: 0 });
    expect(fake.requests.flat().map((entry) => JSON.parse(entry.Detail).metadata)).toEqual([
      { storedStream: 'order-1', storedVersion: 4 },
      { storedStream: 'order-1', storedVersion: 6 },
    ]);
  });

  it('skips snapshots, other items, modifications and removals', async () => {
    // Arrange
    const event = anEnvelope(1);
    const stored = { streamId: 's', streamVersion: 1, recordedAt: 'now', event };
    const item = commitItems([stored], undefined)[0] as ItemImage;
    const records = [
      record('INSERT', snapshotItem('s', 1, { total: 1 }, 'now')),
      record('INSERT', { pk: { S: 'IDEMPOTENCY#key' }, sk: { S: 'I' }, fingerprint: { S: 'f' } }),
      record('MODIFY', item),
      record('REMOVE', item),
      inserted(event),
    ];
    const fake = new FakeEventBridge();

    // Act
    const outcome = await publishStreamRecords(records, deps(fake).dependencies);

    // Assert
    expect(outcome).toEqual({ published: [event.id], skipped: 4 });
    expect(fake.requests).toHaveLength(1);
  });

  it('keeps internal events and types outside the catalog in the store', async () => {
    // Arrange
    const internal = { ...anEnvelope(1), type: 'StockReserved', metadata: { internal: true } };
    const flaggedCatalogType = { ...anEnvelope(2), metadata: { internal: true } };
    const unknownType = { ...anEnvelope(3), type: 'SomethingElse' };
    const published = anEnvelope(4);
    const fake = new FakeEventBridge();

    // Act
    const outcome = await publishStreamRecords(
      [internal, flaggedCatalogType, unknownType, published].map((e, i) => inserted(e, i + 1)),
      deps(fake).dependencies,
    );

    // Assert
    expect(outcome).toEqual({ published: [published.id], skipped: 3 });
    expect(fake.requests.flat().map(idOf)).toEqual([published.id]);
  });

  it('sends at most 10 entries per PutEvents request', async () => {
    // Arrange
    const envelopes = Array.from({ length: 25 }, (_, i) => anEnvelope(i));
    const fake = new FakeEventBridge();

    // Act
    const outcome = await publishStreamRecords(
      envelopes.map((e, i) => inserted(e, i + 1)),
      deps(fake).dependencies,
    );

    // Assert
    expect(fake.requests.map((r) => r.length)).toEqual([10, 10, 5]);
    expect(outcome.published).toEqual(envelopes.map((e) => e.id));
  });

  it('starts a new request before the entries would go over the request size limit', async () => {
    // Arrange: each entry is ~100 KB, so only two fit under 256 KB.
    const envelopes = Array.from({ length: 5 }, (_, i) => anEnvelope(i, { note: 'x'.repeat(100_000) }));
    const fake = new FakeEventBridge();

    // Act
    await publishStreamRecords(
      envelopes.map((e, i) => inserted(e, i + 1)),
      deps(fake).dependencies,
    );

    // Assert
    expect(fake.requests.map((r) => r.length)).toEqual([2, 2, 1]);
    for (const request of fake.requests) {
      expect(request.reduce((sum, entry) => sum + entrySize(entry), 0)).toBeLessThanOrEqual(256 * 1024);
    }
  });

  it('sends only the failed entries again, after a backoff, until EventBridge accepts them', async () => {
    // Arrange: entries 2 and 4 are throttled on the first call only.
    const envelopes = Array.from({ length: 5 }, (_, i) => anEnvelope(i + 1));
    const flaky = new Set([envelopes[1]?.id, envelopes[3]?.id]);
    const fake = new FakeEventBridge((entry, call) =>
      call === 1 && flaky.has(idOf(entry)) ? 'ThrottlingException' : undefined,
    );
    const { dependencies, sleeps } = deps(fake);

    // Act
    const outcome = await publishStreamRecords(
      envelopes.map((e, i) => inserted(e, i + 1)),
      dependencies,
    );

    // Assert
    expect(fake.requests.map((r) => r.map(idOf))).toEqual([envelopes.map((e) => e.id), [...flaky]]);
    expect(sleeps).toEqual([75]);
    expect(outcome.failure).toBeUndefined();
    expect(new Set(outcome.published)).toEqual(new Set(envelopes.map((e) => e.id)));
  });

  it('reports the first record still failing after the last attempt, and sends no later batch', async () => {
    // Arrange: 12 events (two requests); the 3rd is always rejected.
    const envelopes = Array.from({ length: 12 }, (_, i) => anEnvelope(i + 1));
    const records = envelopes.map((e, i) => inserted(e, i + 1));
    const poison = envelopes[2]?.id;
    const fake = new FakeEventBridge((entry) => (idOf(entry) === poison ? 'InternalFailure' : undefined));
    const { dependencies, sleeps } = deps(fake, { maxAttempts: 3 });

    // Act
    const outcome = await publishStreamRecords(records, dependencies);

    // Assert
    expect(outcome.failure).toEqual({
      sequenceNumber: records[2]?.dynamodb?.SequenceNumber,
      reason: 'InternalFailure: rejected by the fake',
    });
    expect(fake.requests.map((r) => r.length)).toEqual([10, 1, 1]);
    expect(sleeps).toEqual([75, 150]);
    expect(outcome.published).toEqual(
      envelopes
        .slice(0, 10)
        .map((e) => e.id)
        .filter((id) => id !== poison),
    );
  });

  it('reports a record that can never become an entry and publishes only the records before it', async () => {
    // Arrange: the second item's envelope is not JSON.
    const [first, third] = [anEnvelope(1), anEnvelope(3)];
    const broken = inserted(anEnvelope(2), 2);
    const image = { ...broken.dynamodb?.NewImage, events: { S: '[{not json' } };
    const unreadable = { ...broken, dynamodb: { ...broken.dynamodb, NewImage: image } };
    const fake = new FakeEventBridge();

    // Act
    const outcome = await publishStreamRecords(
      [inserted(first, 1), unreadable, inserted(third, 3)],
      deps(fake).dependencies,
    );

    // Assert
    expect(outcome.published).toEqual([first.id]);
    expect(outcome.failure?.sequenceNumber).toBe(unreadable.dynamodb.SequenceNumber);
    expect(outcome.failure?.reason).toMatch(/^events: not valid JSON: /);
    expect(fake.requests.flat().map(idOf)).toEqual([first.id]);
  });

  it('reports an event above the size limit without sending it', async () => {
    // Arrange
    const tooBig = anEnvelope(1, { note: 'x'.repeat(300_000) });
    const fake = new FakeEventBridge();
    const tooBigRecord = inserted(tooBig);

    // Act
    const outcome = await publishStreamRecords([tooBigRecord], deps(fake).dependencies);

    // Assert
    expect(outcome.failure?.sequenceNumber).toBe(tooBigRecord.dynamodb?.SequenceNumber);
    expect(outcome.failure?.reason).toMatch(/above the limit/);
    expect(fake.requests).toHaveLength(0);
  });

  it('names the stored item of a record it cannot read, so the log line leads to it', async () => {
    // Arrange: an event item without its envelope attribute.
    const record = inserted(anEnvelope(1), 7);
    const { events: _dropped, ...image } = record.dynamodb?.NewImage ?? {};
    const broken = { ...record, dynamodb: { ...record.dynamodb, NewImage: image } };

    // Act
    const outcome = await publishStreamRecords([broken], deps(new FakeEventBridge()).dependencies);

    // Assert
    expect(outcome.failure).toEqual({
      sequenceNumber: broken.dynamodb.SequenceNumber,
      reason: 'events: missing string attribute',
      item: `${image.pk?.S} ${image.sk?.S}`,
    });
    expect(outcome.failure?.item).toMatch(/^STREAM#.+ E#\d{10}$/);
  });

  it('does not send an entry EventBridge rejected as malformed again', async () => {
    // Arrange
    const event = anEnvelope(1);
    const fake = new FakeEventBridge(() => 'MalformedDetail');

    // Act
    const outcome = await publishStreamRecords([inserted(event)], deps(fake).dependencies);

    // Assert
    expect(fake.requests).toHaveLength(1);
    expect(outcome.failure?.reason).toMatch(/^MalformedDetail/);
  });

  it('treats a PutEvents call that throws as a failure of all its entries and retries them', async () => {
    // Arrange
    const envelopes = [anEnvelope(1), anEnvelope(2)];
    let calls = 0;
    const putEvents: PublishDependencies['putEvents'] = async (entries) => {
      calls += 1;
      if (calls === 1) throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
      return { FailedEntryCount: 0, Entries: entries.map(() => ({ EventId: 'e' })) };
    };

    // Act
    const outcome = await publishStreamRecords(
      envelopes.map((e, i) => inserted(e, i + 1)),
      deps(new FakeEventBridge(), { putEvents }).dependencies,
    );

    // Assert
    expect(calls).toBe(2);
    expect(outcome).toEqual({ published: envelopes.map((e) => e.id), skipped: 0 });
  });

  it('counts an entry without a result in the response as failed', async () => {
    // Arrange
    const event = anEnvelope(1);
    const putEvents: PublishDependencies['putEvents'] = async () => ({ FailedEntryCount: 1, Entries: [] });

    // Act
    const outcome = await publishStreamRecords(
      [inserted(event)],
      deps(new FakeEventBridge(), { putEvents, maxAttempts: 2 }).dependencies,
    );

    // Assert
    expect(outcome.published).toEqual([]);
    expect(outcome.failure?.reason).toMatch(/no result/);
  });

  it('fails the invocation when an event record has no sequence number to report', async () => {
    // Arrange
    const { dynamodb } = inserted(anEnvelope(1));
    const withoutSequence = { eventName: 'INSERT', dynamodb: { NewImage: dynamodb?.NewImage } };

    // Act
    const publishing = publishStreamRecords([withoutSequence], deps(new FakeEventBridge()).dependencies);

    // Assert
    await expect(publishing).rejects.toThrow(/SequenceNumber/);
  });
});

describe('outbox publisher: routes to the bus and to consumer queues', () => {
  /** SendMessageBatch double: records each request; `reject` decides per body and call. */
  function fakeQueues(reject: (body: string, call: number) => string | undefined = () => undefined) {
    const requests: { queueUrl: string; bodies: string[] }[] = [];
    const sendMessages = async (
      queueUrl: string,
      messages: readonly { Id: string; MessageBody: string }[],
    ) => {
      requests.push({ queueUrl, bodies: messages.map((m) => m.MessageBody) });
      const call = requests.length;
      const failed = messages.filter((m) => reject(m.MessageBody, call) !== undefined);
      return {
        Successful: messages.filter((m) => !failed.includes(m)).map((m) => ({ Id: m.Id })),
        Failed: failed.map((m) => ({ Id: m.Id, Code: reject(m.MessageBody, call), SenderFault: false })),
      };
    };
    return { requests, sendMessages };
  }
  const command = (n: number) => ({ ...anEnvelope(n), type: 'InventoryReservationRequested' });
  const routes = {
    bus: new Set(['OrderPlaced']),
    queues: new Map([
      ['https://sqs/inventory', new Set(['InventoryReservationRequested'])],
      ['https://sqs/projector', new Set(['OrderPlaced', 'InventoryReservationRequested'])],
    ]),
  };

  it('puts integration events on the bus and sends every other event only to the queues that take it', async () => {
    // Arrange
    const placed = anEnvelope(1);
    const commands = [command(2), command(3)];
    const bus = new FakeEventBridge();
    const queues = fakeQueues();

    // Act
    const outcome = await publishStreamRecords(
      [placed, ...commands].map((e, i) => inserted(e, i + 1)),
      deps(bus, { routes, sendMessages: queues.sendMessages }).dependencies,
    );

    // Assert
    expect(outcome).toEqual({ published: [placed.id, ...commands.map((c) => c.id)], skipped: 0 });
    expect(bus.requests.flat().map(idOf)).toEqual([placed.id]);
    const sentTo = (url: string) =>
      queues.requests.filter((r) => r.queueUrl === url).flatMap((r) => r.bodies.map((b) => JSON.parse(b).id));
    expect(sentTo('https://sqs/inventory')).toEqual(commands.map((c) => c.id));
    expect(sentTo('https://sqs/projector')).toEqual([placed.id, ...commands.map((c) => c.id)]);
    expect(queues.requests).toHaveLength(2);
    expect(JSON.parse(queues.requests[0]?.bodies[0] ?? '{}').metadata).toMatchObject({ storedVersion: 1 });
  });

  it('sends at most 10 messages per SendMessageBatch request, in stream order', async () => {
    const commands = Array.from({ length: 23 }, (_, i) => command(i + 1));
    const queues = fakeQueues();
    const inventoryOnly = {
      bus: new Set<string>(),
      queues: new Map([['https://sqs/inventory', new Set(['InventoryReservationRequested'])]]),
    };

    await publishStreamRecords(
      commands.map((e, i) => inserted(e, i + 1)),
      deps(new FakeEventBridge(), { routes: inventoryOnly, sendMessages: queues.sendMessages }).dependencies,
    );

    expect(queues.requests.map((r) => r.bodies.length)).toEqual([10, 10, 3]);
    expect(queues.requests.flatMap((r) => r.bodies.map((b) => JSON.parse(b).id))).toEqual(
      commands.map((c) => c.id),
    );
  });

  it('resends only failed messages and reports the first record a queue still refuses', async () => {
    // Arrange: both queues that take commands always refuse the second one.
    const commands = [command(1), command(2), command(3)];
    const poison = commands[1]?.id ?? '';
    const queues = fakeQueues((body) => (body.includes(poison) ? 'InternalError' : undefined));
    const records = commands.map((e, i) => inserted(e, i + 1));
    const { dependencies, sleeps } = deps(new FakeEventBridge(), {
      routes,
      sendMessages: queues.sendMessages,
      maxAttempts: 2,
    });

    // Act
    const outcome = await publishStreamRecords(records, dependencies);

    // Assert
    expect(outcome.failure).toEqual({
      sequenceNumber: records[1]?.dynamodb?.SequenceNumber,
      reason: 'InternalError: ',
    });
    expect(sleeps).toHaveLength(2); // one retry per queue
    expect(outcome.published).toEqual([commands[0]?.id, commands[2]?.id]);
  });

  it('leaves an event no route takes in the store, counted as skipped', async () => {
    const sent = { ...anEnvelope(1), type: 'NotificationSent' };
    const bus = new FakeEventBridge();
    const queues = fakeQueues();

    const outcome = await publishStreamRecords(
      [inserted(sent)],
      deps(bus, { routes, sendMessages: queues.sendMessages }).dependencies,
    );

    expect(outcome).toEqual({ published: [], skipped: 1 });
    expect(bus.requests).toEqual([]);
    expect(queues.requests).toEqual([]);
  });
});

describe('outbox publisher: FIFO queues', () => {
  it('sends to a FIFO queue in the event stream group, deduplicated by event id', async () => {
    // Arrange
    const changes = [1, 2, 3].map((n) => ({ ...anEnvelope(n), type: 'InventoryReservationRequested' }));
    const sent: { queueUrl: string; messages: readonly QueueMessage[] }[] = [];
    const sendMessages = async (queueUrl: string, messages: readonly QueueMessage[]) => {
      sent.push({ queueUrl, messages });
      return { Successful: messages.map((m) => ({ Id: m.Id })) };
    };
    const routes = {
      bus: new Set<string>(),
      queues: new Map([['https://sqs/profiles.fifo', new Set(['InventoryReservationRequested'])]]),
    };

    // Act
    await publishStreamRecords(
      [insertedCommit(changes, 1)],
      deps(new FakeEventBridge(), { routes, sendMessages }).dependencies,
    );

    // Assert: one group per stream, in stream order, each message deduplicated by its event id.
    const messages = sent.flatMap((request) => request.messages);
    expect(messages.map((m) => JSON.parse(m.MessageBody).id)).toEqual(changes.map((c) => c.id));
    expect(new Set(messages.map((m) => m.MessageGroupId))).toEqual(new Set(['order-1']));
    expect(messages.map((m) => m.MessageDeduplicationId)).toEqual(changes.map((c) => c.id));
  });

  it('sends no FIFO parameters to a standard queue', async () => {
    const sent: QueueMessage[] = [];
    const sendMessages = async (_queueUrl: string, messages: readonly QueueMessage[]) => {
      sent.push(...messages);
      return { Successful: messages.map((m) => ({ Id: m.Id })) };
    };
    const routes = {
      bus: new Set<string>(),
      queues: new Map([['https://sqs/inventory', new Set(['OrderPlaced'])]]),
    };

    await publishStreamRecords(
      [inserted(anEnvelope(1), 1)],
      deps(new FakeEventBridge(), { routes, sendMessages }).dependencies,
    );

    expect(sent).toHaveLength(1);
    expect(sent[0]).not.toHaveProperty('MessageGroupId');
    expect(sent[0]).not.toHaveProperty('MessageDeduplicationId');
  });

  it('hashes group and deduplication ids SQS would refuse (too long, not printable ASCII)', () => {
    expect(fifoKey('user#u-1')).toBe('user#u-1');
    expect(fifoKey('x'.repeat(129))).toMatch(/^[0-9a-f]{64}$/);
    expect(fifoKey('événement')).toMatch(/^[0-9a-f]{64}$/);
    expect(fifoKey('a b')).not.toBe(fifoKey('a_b'));
    expect(isFifoQueueUrl('https://sqs/q.fifo')).toBe(true);
    expect(isFifoQueueUrl('https://sqs/q')).toBe(false);
  });
});

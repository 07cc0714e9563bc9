import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../cli/dlq/audit.ts';
import { type DeadLetterQueue, type QueueRef, stackQueueFrom } from '../../cli/dlq/model.ts';
import { peekMessages } from '../../cli/dlq/peek.ts';
import { type RedriveOptions, redrive } from '../../cli/dlq/redrive.ts';
import { InMemoryQueues } from '../fakes/memory-queues.ts';

const base = 'https://sqs.local/000000000000';
const text = (value: string) => ({ DataType: 'String', StringValue: value });

function ref(name: string): QueueRef {
  return {
    logicalId: name,
    name,
    url: `${base}/${name}`,
    arn: `arn:aws:sqs:us-east-1:000000000000:${name}`,
    fifo: name.endsWith('.fifo'),
  };
}

/** A DLQ whose only source is `source` (redrive policy), both created in `sqs`. */
function setup(options: { fifo?: boolean } = {}) {
  const suffix = options.fifo ? '.fifo' : '';
  const source = ref(`work${suffix}`);
  const dlqRef = ref(`work-dlq${suffix}`);
  const sqs = new InMemoryQueues();
  sqs.createQueue(source.url);
  sqs.createQueue(dlqRef.url);
  const dlq: DeadLetterQueue = {
    ...stackQueueFrom(dlqRef.logicalId, dlqRef.url, {
      QueueArn: dlqRef.arn,
      FifoQueue: String(!!options.fifo),
    }),
    sources: [{ kind: 'queue', queueArn: source.arn, queue: source, maxReceiveCount: 3 }],
  };
  const audit: AuditEntry[] = [];
  const deps = {
    port: sqs,
    resolveQueue: async (r: string) => [source, dlqRef].find((q) => q.arn === r || q.url === r),
    audit: (entries: readonly AuditEntry[]) => audit.push(...entries),
  };
  const options_: RedriveOptions = {
    dryRun: false,
    stack: 'Stack',
    operator: 'alice',
    now: () => new Date('2026-11-22T12:00:00Z'),
  };
  return { sqs, source, dlq, deps, audit, options: options_ };
}

describe('dlq show: peeking leaves every message in the queue', () => {
  it('reads messages, then makes them visible again at once', async () => {
    // Arrange
    const { sqs, dlq } = setup();
    for (let i = 0; i < 25; i++) sqs.put(dlq.url, { body: `m${i}` });

    // Act
    const peek = await peekMessages(sqs, dlq.url, { limit: 20 });
    const again = await peekMessages(sqs, dlq.url, { limit: 100 });

    // Assert
    expect(peek.messages).toHaveLength(20);
    expect(peek.notReset).toBe(0);
    expect(again.messages).toHaveLength(25);
    expect(sqs.messages(dlq.url).every((m) => m.invisibleUntil <= Date.now())).toBe(true);
  });
});

describe('dlq show: a failing scan still returns what it held', () => {
  it('makes the messages already read visible again when a later receive fails', async () => {
    // Arrange
    const { sqs, dlq } = setup();
    for (let i = 0; i < 15; i++) sqs.put(dlq.url, { body: `m${i}` });
    let receives = 0;
    const flaky = Object.assign(Object.create(sqs), {
      receive: async (url: string, options: { maxMessages: number; visibilityTimeout: number }) => {
        if (++receives === 2) throw new Error('network down');
        return sqs.receive(url, options);
      },
    });

    // Act
    const failed = peekMessages(flaky, dlq.url, { limit: 100 });

    // Assert
    await expect(failed).rejects.toThrow('network down');
    expect(sqs.messages(dlq.url).every((m) => m.invisibleUntil <= Date.now())).toBe(true);
  });
});

describe('dlq redrive: moving messages back without losing or duplicating any', () => {
  it('moves every message to its source, deletes it only after the send, and audits each one', async () => {
    // Arrange
    const { sqs, source, dlq, deps, audit, options } = setup();
    const ids = [1, 2, 3].map((i) => sqs.put(dlq.url, { body: `{"n":${i}}` }));

    // Act
    const result = await redrive(deps, dlq, options);

    // Assert
    expect(result.moved.map((m) => m.messageId)).toEqual(ids);
    expect(sqs.messages(dlq.url)).toHaveLength(0);
    expect(sqs.messages(source.url).map((m) => m.body)).toEqual(['{"n":1}', '{"n":2}', '{"n":3}']);
    expect(audit).toHaveLength(3);
    expect(audit[0]).toEqual({
      time: '2026-11-22T12:00:00.000Z',
      operator: 'alice',
      stack: 'Stack',
      dlq: 'work-dlq',
      target: 'work',
      messageId: ids[0],
      newMessageId: sqs.messages(source.url)[0]?.messageId,
      deletedFromDlq: true,
      reason: 'exceeded maxReceiveCount (3) of work',
    });
  });

  it('moves only the selected ids and leaves the others visible in the DLQ', async () => {
    // Arrange
    const { sqs, source, dlq, deps, options } = setup();
    const ids = Array.from({ length: 15 }, (_, i) => sqs.put(dlq.url, { body: `m${i}` }));
    const wanted = [ids[3] ?? '', ids[12] ?? ''];

    // Act
    const result = await redrive(deps, dlq, { ...options, ids: [...wanted, 'not-there'] });

    // Assert
    expect(result.moved.map((m) => m.messageId)).toEqual(wanted);
    expect(result.notFound).toEqual(['not-there']);
    expect(sqs.messages(source.url).map((m) => m.body)).toEqual(['m3', 'm12']);
    expect(sqs.messages(dlq.url)).toHaveLength(13);
    expect((await peekMessages(sqs, dlq.url, { limit: 100 })).messages).toHaveLength(13);
  });

  it('moves nothing in a dry run but says where each message would go', async () => {
    const { sqs, source, dlq, deps, audit, options } = setup();
    sqs.put(dlq.url, { body: 'a' });
    const result = await redrive(deps, dlq, { ...options, dryRun: true });
    expect(result.moved).toEqual([{ messageId: expect.any(String), target: 'work' }]);
    expect(sqs.messages(source.url)).toHaveLength(0);
    expect((await peekMessages(sqs, dlq.url, { limit: 10 })).messages).toHaveLength(1);
    expect(audit).toEqual([]);
  });

  it('keeps a message in the DLQ when its send fails', async () => {
    // Arrange
    const { sqs, source, dlq, deps, options } = setup();
    const ok = sqs.put(dlq.url, { body: 'ok' });
    const refused = sqs.put(dlq.url, { body: 'refused' });
    sqs.failSend = (_url, message) => (message.body === 'refused' ? 'InternalError: try again' : undefined);

    // Act
    const result = await redrive(deps, dlq, options);

    // Assert
    expect(result.moved.map((m) => m.messageId)).toEqual([ok]);
    expect(result.skipped).toEqual([
      { messageId: refused, reason: 'send to work failed: InternalError: try again' },
    ]);
    expect(sqs.messages(source.url).map((m) => m.body)).toEqual(['ok']);
    expect(sqs.messages(dlq.url).map((m) => m.messageId)).toEqual([refused]);
  });

  it('drops the failure attributes, keeps the others and marks the copy redriven-from', async () => {
    // Arrange
    const { sqs, source, dlq, deps, options } = setup();
    sqs.put(dlq.url, {
      body: 'x',
      messageAttributes: {
        'error-code': text('VALIDATION'),
        'error-message': text('bad'),
        'failed-at': text('2026-11-22T11:00:00Z'),
        'source-queue': text(source.arn),
        'receive-count': { DataType: 'Number', StringValue: '1' },
        tenant: text('acme'),
        blob: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2]) },
      },
    });

    // Act
    await redrive(deps, dlq, options);

    // Assert
    expect(sqs.messages(source.url)[0]?.messageAttributes).toEqual({
      tenant: text('acme'),
      blob: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2]) },
      'redriven-from': text('work-dlq'),
    });
  });

  it('refuses to guess a target when the DLQ has several sources and the message names none', async () => {
    const { sqs, dlq, deps, options } = setup();
    const other = ref('other');
    const twoSources = { ...dlq, sources: [...dlq.sources, { kind: 'queue' as const, queueArn: other.arn }] };
    const id = sqs.put(dlq.url, { body: 'x' });
    const result = await redrive(deps, twoSources, options);
    expect(result.moved).toEqual([]);
    expect(result.skipped).toEqual([
      { messageId: id, reason: 'the DLQ has several source queues (work, other); pass --to <queue>' },
    ]);
    expect(sqs.messages(dlq.url)).toHaveLength(1);
  });
});

describe('dlq redrive: FIFO queues keep each message group in order', () => {
  it('sends each group in DLQ order with its group id and a deduplication id from the message id', async () => {
    // Arrange
    const { sqs, source, dlq, deps, options } = setup({ fifo: true });
    const puts = ['a1', 'b1', 'a2', 'a3', 'b2'].map((body) =>
      sqs.put(dlq.url, { body, groupId: body.slice(0, 1) }),
    );

    // Act
    await redrive(deps, dlq, options);

    // Assert
    const sent = sqs.messages(source.url);
    expect(sent.filter((m) => m.groupId === 'a').map((m) => m.body)).toEqual(['a1', 'a2', 'a3']);
    expect(sent.filter((m) => m.groupId === 'b').map((m) => m.body)).toEqual(['b1', 'b2']);
    expect(sent.find((m) => m.body === 'a1')?.deduplicationId).toBe(`redrive-${puts[0]}`);
    expect(sqs.messages(dlq.url)).toHaveLength(0);
  });

  it('stops a group at its first failed send so nothing overtakes it, and moves the other groups', async () => {
    // Arrange
    const { sqs, source, dlq, deps, options } = setup({ fifo: true });
    for (const body of ['a1', 'a2', 'a3', 'b1']) sqs.put(dlq.url, { body, groupId: body.slice(0, 1) });
    sqs.failSend = (_url, message) => (message.body === 'a2' ? 'ServiceUnavailable' : undefined);

    // Act
    const result = await redrive(deps, dlq, options);

    // Assert
    expect(sqs.messages(source.url).map((m) => m.body)).toEqual(['a1', 'b1']);
    expect(sqs.messages(dlq.url).map((m) => m.body)).toEqual(['a2', 'a3']);
    expect(result.skipped.map((s) => s.reason)).toEqual([
      'send to work.fifo failed: ServiceUnavailable',
      'not sent: an earlier message of its FIFO group failed, order is kept',
    ]);
  });

  it('does not deliver twice when a redrive is re-run after a crash between send and delete', async () => {
    // Arrange: the first run's deletes never happen (the process "died" after sending).
    const { sqs, source, dlq, deps, options } = setup({ fifo: true });
    sqs.put(dlq.url, { body: 'a1', groupId: 'a' });
    const crashing = {
      ...deps,
      port: Object.assign(Object.create(sqs), {
        delete: async () => {
          throw new Error('killed');
        },
      }),
    };
    await expect(redrive(crashing, dlq, options)).rejects.toThrow('killed');
    for (const m of sqs.messages(dlq.url)) m.invisibleUntil = 0;

    // Act
    await redrive(deps, dlq, options);

    // Assert
    expect(sqs.messages(source.url).map((m) => m.body)).toEqual(['a1']);
    expect(sqs.messages(dlq.url)).toHaveLength(0);
  });
});

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendAudit, auditFile, auditLine, currentOperator } from '../../cli/dlq/audit.ts';
import type { DeadLetterQueue } from '../../cli/dlq/model.ts';
import type { ReceivedMessage } from '../../cli/dlq/queue-port.ts';
import {
  chooseTarget,
  entryBytes,
  outgoingMessage,
  redriveAttributes,
  redriveDeduplicationId,
  sendBatches,
} from '../../cli/dlq/redrive-plan.ts';

const arn = (name: string) => `arn:aws:sqs:us-east-1:000000000000:${name}`;
const text = (value: string) => ({ DataType: 'String', StringValue: value });

const dlq = {
  name: 'work-dlq',
  url: 'https://sqs.local/000000000000/work-dlq',
  arn: arn('work-dlq'),
  sources: [{ kind: 'queue', queueArn: arn('work'), maxReceiveCount: 3 }],
} as unknown as DeadLetterQueue;

function message(overrides: Partial<ReceivedMessage> = {}): ReceivedMessage {
  return {
    messageId: 'm-1',
    receiptHandle: 'h',
    body: 'b',
    attributes: {},
    messageAttributes: {},
    ...overrides,
  };
}

describe('dlq redrive plan: where each message goes', () => {
  it('prefers --to, then the queue SQS moved it from, then the recorded source-queue, then the only source', () => {
    const to = {
      logicalId: 'X',
      name: 'x',
      url: 'https://sqs.local/000000000000/x',
      arn: arn('x'),
      fifo: false,
    };
    const moved = message({ attributes: { DeadLetterQueueSourceArn: arn('moved-from') } });
    const recorded = message({ messageAttributes: { 'source-queue': text(arn('recorded')) } });
    const eventBridge = message({ messageAttributes: { TARGET_ARN: text(arn('rule-target')) } });

    expect(chooseTarget(moved, dlq, to)).toMatchObject({ kind: 'target', ref: to.url, why: '--to' });
    expect(chooseTarget(moved, dlq)).toMatchObject({
      ref: arn('moved-from'),
      why: 'DeadLetterQueueSourceArn',
    });
    expect(chooseTarget(recorded, dlq)).toMatchObject({ ref: arn('recorded'), why: 'source-queue' });
    expect(chooseTarget(eventBridge, dlq)).toMatchObject({ ref: arn('rule-target'), why: 'TARGET_ARN' });
    expect(chooseTarget(message(), dlq)).toMatchObject({ ref: arn('work'), why: 'the DLQ source' });
  });

  it('asks for --to when the DLQ has no queue source (a Lambda failure destination)', () => {
    const lambdaDlq = { ...dlq, sources: [{ kind: 'lambda', resource: 'function f' }] } as DeadLetterQueue;
    expect(chooseTarget(message(), lambdaDlq)).toEqual({
      kind: 'skip',
      reason: 'no source queue is known for this DLQ; pass --to <queue>',
    });
  });
});

describe('dlq redrive plan: what is sent', () => {
  it('does not add redriven-from when the message already has the 10 attributes SQS allows', () => {
    const ten = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`a${i}`, text(String(i))]));
    const { attributes, marked } = redriveAttributes(message({ messageAttributes: ten }), 'work-dlq');
    expect(marked).toBe(false);
    expect(Object.keys(attributes)).toHaveLength(10);
  });

  it('keeps the body byte for byte and the trace header, and adds FIFO fields only for a FIFO target', () => {
    // Arrange
    const original = message({
      body: '{"ü": "ñ"}  ',
      attributes: { MessageGroupId: 'order-7', AWSTraceHeader: 'Root=1-abc' },
    });

    // Act
    const toFifo = outgoingMessage(original, 'work-dlq', { fifo: true }, '0');
    const toStandard = outgoingMessage(original, 'work-dlq', { fifo: false }, '0');

    // Assert
    expect(toFifo).toMatchObject({
      body: '{"ü": "ñ"}  ',
      groupId: 'order-7',
      deduplicationId: 'redrive-m-1',
      traceHeader: 'Root=1-abc',
    });
    expect(toStandard.groupId).toBeUndefined();
    expect(toStandard.deduplicationId).toBeUndefined();
  });

  it('derives a valid deduplication id from any message id', () => {
    expect(redriveDeduplicationId('a b\u00e9')).toBe('redrive-a_b_');
    expect(redriveDeduplicationId('x'.repeat(200))).toHaveLength(128);
  });

  it('splits sends into batches of at most 10 entries and the byte limit, keeping order', () => {
    const entries = Array.from({ length: 23 }, (_, i) =>
      outgoingMessage(
        message({ messageId: `m${i}`, body: i === 5 ? 'x'.repeat(200) : 'y' }),
        'd',
        { fifo: false },
        String(i),
      ),
    );
    const batches = sendBatches(entries, 300);
    expect(batches.flat().map((e) => e.entryId)).toEqual(entries.map((e) => e.entryId));
    expect(batches.every((b) => b.length <= 10)).toBe(true);
    expect(batches.every((b) => b.reduce((sum, e) => sum + entryBytes(e), 0) <= 300)).toBe(true);
    expect(batches.length).toBeGreaterThan(3);
    expect(
      sendBatches(
        [entries[5], entries[5]].filter((e) => e !== undefined),
        300,
      ),
    ).toHaveLength(2);
  });
});

describe('dlq redrive audit', () => {
  const entry = {
    reason: 'exceeded maxReceiveCount (3) of work',
    deletedFromDlq: true,
    newMessageId: 'new-1',
    messageId: 'm-1',
    target: 'work',
    dlq: 'work-dlq',
    stack: 'Stack',
    operator: 'alice',
    time: '2026-11-22T12:00:00.000Z',
  };

  it('writes one JSON line per moved message with the keys in a fixed order', () => {
    expect(auditLine(entry)).toBe(
      '{"time":"2026-11-22T12:00:00.000Z","operator":"alice","stack":"Stack","dlq":"work-dlq","target":"work",' +
        '"messageId":"m-1","newMessageId":"new-1","deletedFromDlq":true,"reason":"exceeded maxReceiveCount (3) of work"}\n',
    );
  });

  it('appends to .local/audit/dlq-redrive.jsonl, creating it on first use', () => {
    // Arrange
    const dir = mkdtempSync(join(tmpdir(), 'dlq-audit-'));
    const file = auditFile(dir);

    // Act
    appendAudit(file, [entry]);
    appendAudit(file, [{ ...entry, messageId: 'm-2' }]);

    // Assert
    expect(file).toBe(join(dir, 'audit', 'dlq-redrive.jsonl'));
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines.map((l) => JSON.parse(l).messageId)).toEqual(['m-1', 'm-2']);
  });

  it('names the operator from $USER', () => {
    expect(currentOperator({ USER: 'bob' })).toBe('bob');
    expect(currentOperator({})).toEqual(expect.any(String));
  });
});

import { describe, expect, it } from 'vitest';
import { pickQueue } from '../../cli/dlq/context.ts';
import { matchQueue, nearestQueues, substringDistance } from '../../cli/dlq/match.ts';
import {
  classifyDeadLetterQueues,
  defaultTargetArns,
  type StackQueue,
  stackQueueFrom,
} from '../../cli/dlq/model.ts';

const endpoint = 'http://127.0.0.1:4566/000000000000';
const arnOf = (name: string) => `arn:aws:sqs:us-east-1:000000000000:${name}`;

function queue(logicalId: string, name: string, extra: Record<string, string> = {}): StackQueue {
  return stackQueueFrom(logicalId, `${endpoint}/${name}`, {
    QueueArn: arnOf(name),
    ApproximateNumberOfMessages: '0',
    ApproximateNumberOfMessagesNotVisible: '0',
    ...extra,
  });
}

const redriveTo = (dlqName: string, maxReceiveCount: number) => ({
  RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arnOf(dlqName), maxReceiveCount }),
});

const recorderDlq = queue('RecorderWorkDlqQueue6E3736D1', 'Stack-RecorderWorkDlqQueue6E3736D1-AAA');
const recorderQueue = queue(
  'RecorderWorkQueue0D3FE4F9',
  'Stack-RecorderWorkQueue0D3FE4F9-BBB',
  redriveTo('Stack-RecorderWorkDlqQueue6E3736D1-AAA', 3),
);
const ruleDlq = queue('RuleTargetsDlqQueue1234', 'Stack-RuleTargetsDlqQueue1234-CCC');
const emailDlq = queue('FanOutEmailWorkDlqQueue99', 'Stack-FanOutEmailWorkDlqQueue99-DDD');

describe('dlq: which queues of a stack are dead-letter queues', () => {
  it('finds a DLQ through the RedrivePolicy of its source queue, with maxReceiveCount', () => {
    // Act
    const dlqs = classifyDeadLetterQueues([recorderQueue, recorderDlq], []);

    // Assert
    expect(dlqs.map((d) => d.logicalId)).toEqual(['RecorderWorkDlqQueue6E3736D1']);
    expect(dlqs[0]?.sources).toEqual([
      {
        kind: 'queue',
        queueArn: recorderQueue.arn,
        maxReceiveCount: 3,
        queue: expect.objectContaining({ logicalId: 'RecorderWorkQueue0D3FE4F9', url: recorderQueue.url }),
      },
    ]);
  });

  it('finds a DLQ through its RedriveAllowPolicy and merges it with the redrive policy of the same source', () => {
    // Arrange
    const allowing = queue('RecorderWorkDlqQueue6E3736D1', 'Stack-RecorderWorkDlqQueue6E3736D1-AAA', {
      RedriveAllowPolicy: JSON.stringify({
        redrivePermission: 'byQueue',
        sourceQueueArns: [recorderQueue.arn, arnOf('outside-the-stack')],
      }),
    });

    // Act
    const [dlq] = classifyDeadLetterQueues([recorderQueue, allowing], []);

    // Assert
    expect(dlq?.sources).toHaveLength(2);
    expect(dlq?.sources[0]).toMatchObject({ kind: 'queue', queueArn: recorderQueue.arn, maxReceiveCount: 3 });
    expect(dlq?.sources[1]).toEqual({ kind: 'queue', queueArn: arnOf('outside-the-stack') });
  });

  it('finds rule-target and subscription DLQs from the links discovery reports, and never by name', () => {
    // Arrange: a queue named like a DLQ that nothing dead-letters into is not one.
    const links = [
      {
        dlqArn: ruleDlq.arn,
        source: { kind: 'rule-target' as const, rule: 'Rule1', targetArn: recorderQueue.arn },
      },
    ];

    // Act
    const dlqs = classifyDeadLetterQueues([recorderQueue, recorderDlq, ruleDlq, emailDlq], links);

    // Assert
    expect(dlqs.map((d) => d.logicalId).sort()).toEqual([
      'RecorderWorkDlqQueue6E3736D1',
      'RuleTargetsDlqQueue1234',
    ]);
    const rule = dlqs.find((d) => d.logicalId === 'RuleTargetsDlqQueue1234');
    expect(rule?.sources[0]).toMatchObject({
      kind: 'rule-target',
      queue: { logicalId: 'RecorderWorkQueue0D3FE4F9' },
    });
    expect(rule && defaultTargetArns(rule)).toEqual([recorderQueue.arn]);
  });

  it('reads depth, FIFO-ness and policies from the queue attributes', () => {
    const fifo = stackQueueFrom('Orders', `${endpoint}/orders.fifo`, {
      QueueArn: arnOf('orders.fifo'),
      FifoQueue: 'true',
      ApproximateNumberOfMessages: '4',
      ApproximateNumberOfMessagesNotVisible: '2',
      RedrivePolicy: 'not json',
    });
    expect(fifo).toMatchObject({
      name: 'orders.fifo',
      fifo: true,
      depth: { visible: 4, inFlight: 2, delayed: 0 },
    });
    expect(fifo.redrivePolicy).toBeUndefined();
  });
});

describe('dlq: finding the queue a user names', () => {
  const dlqs = [recorderDlq, ruleDlq, emailDlq];

  it('accepts the logical id, the queue name, the URL and the ARN', () => {
    for (const input of [recorderDlq.logicalId, recorderDlq.name, recorderDlq.url, recorderDlq.arn]) {
      expect(matchQueue(input, dlqs)).toEqual({ kind: 'found', queue: recorderDlq });
    }
  });

  it('accepts a unique part of the name, ignoring case', () => {
    expect(matchQueue('recorder', dlqs)).toEqual({ kind: 'found', queue: recorderDlq });
    expect(matchQueue('RULETARGETS', dlqs)).toEqual({ kind: 'found', queue: ruleDlq });
  });

  it('refuses to guess when a part of the name matches several queues', () => {
    const match = matchQueue('WorkDlq', dlqs);
    expect(match.kind).toBe('ambiguous');
    expect(match.kind === 'ambiguous' && match.candidates.map((q) => q.logicalId)).toEqual([
      recorderDlq.logicalId,
      emailDlq.logicalId,
    ]);
  });

  it('lists every real name, nearest first, for an unknown queue', () => {
    // Act
    const match = matchQueue('recordr-dlq', dlqs);

    // Assert
    expect(match.kind).toBe('none');
    expect(match.kind === 'none' && match.nearest.map((q) => q.logicalId)).toEqual([
      recorderDlq.logicalId,
      expect.any(String),
      expect.any(String),
    ]);
    expect(nearestQueues('emial', dlqs)[0]).toBe(emailDlq);
  });

  it('measures typos against the closest part of a long name', () => {
    expect(substringDistance('recordr', 'stack-recorderworkdlqqueue')).toBe(1);
    expect(substringDistance('email', 'stack-fanoutemailworkdlq')).toBe(0);
    expect(substringDistance('xyz', 'abc')).toBe(3);
  });

  it('answers an unknown queue with an error that lists the real DLQ names, nearest first', () => {
    // Act
    let error: unknown;
    try {
      pickQueue('emial-dlq', dlqs, 'Stack', 'dead-letter queue');
    } catch (caught) {
      error = caught;
    }

    // Assert
    expect(error).toMatchObject({ message: 'No dead-letter queue "emial-dlq" in stack Stack.', exitCode: 1 });
    const hint = (error as { hint: string }).hint.split('\n');
    expect(hint[0]).toBe('Dead-letter queues of Stack, nearest first:');
    expect(hint[1]?.trim()).toBe(`${emailDlq.name} (${emailDlq.logicalId})`);
    expect(hint).toHaveLength(4);
  });
});

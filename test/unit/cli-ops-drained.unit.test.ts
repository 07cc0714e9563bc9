import type { SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { backlogOf, waitForEmptyQueues, workQueues } from '../../cli/ops/drained.ts';

/** GetQueueAttributes double: each call answers the next backlog of the script (then stays on the last). */
function scriptedSqs(script: readonly Record<string, number>[]): { client: SQSClient; calls: () => number } {
  let call = 0;
  const send = async (command: { input: { QueueUrl: string } }) => {
    const backlog = script[Math.min(call, script.length - 1)] ?? {};
    const messages = backlog[command.input.QueueUrl] ?? 0;
    return {
      Attributes: {
        ApproximateNumberOfMessages: String(messages),
        ApproximateNumberOfMessagesNotVisible: '0',
        ApproximateNumberOfMessagesDelayed: '0',
      },
    };
  };
  const client = {
    send: async (command: { input: { QueueUrl: string } }) => {
      const answer = await send(command);
      if (command.input.QueueUrl === 'q-inventory') call += 1;
      return answer;
    },
  } as unknown as SQSClient;
  return { client, calls: () => call };
}

const queues = new Map([
  ['InventoryQueueUrl', 'q-inventory'],
  ['SagaQueueUrl', 'q-saga'],
]);

describe('waiting for a drained pipeline: the store is read once the consumer queues are empty', () => {
  it('takes the work queues of the stack outputs, not their DLQs', () => {
    expect([...workQueues({ SagaQueueUrl: 'a', SagaDlqUrl: 'b', EventBusName: 'c' }).keys()]).toEqual([
      'SagaQueueUrl',
    ]);
  });

  it('waits while a consumer still works through a backlog, until every queue is empty several polls in a row', async () => {
    const sqs = scriptedSqs([{ 'q-inventory': 4 }, { 'q-saga': 1 }, {}, { 'q-inventory': 1 }, {}, {}, {}]);

    const left = await waitForEmptyQueues(sqs.client, queues, {
      deadline: Date.now() + 60_000,
      emptyPolls: 3,
      intervalMs: 1,
    });

    expect(left).toEqual([]);
    // Empty at poll 3, not at poll 4, then empty at polls 5, 6 and 7.
    expect(sqs.calls()).toBe(7);
  });

  it('gives up at the deadline and says what is still queued', async () => {
    const sqs = scriptedSqs([{ 'q-saga': 2 }]);

    const left = await waitForEmptyQueues(sqs.client, queues, { deadline: Date.now() + 30, intervalMs: 5 });

    expect(left).toEqual([{ queue: 'SagaQueueUrl', messages: 2 }]);
  });

  it('counts delayed saga timers as work unless asked to leave them out', async () => {
    const client = {
      send: async () => ({
        Attributes: {
          ApproximateNumberOfMessages: '0',
          ApproximateNumberOfMessagesNotVisible: '1',
          ApproximateNumberOfMessagesDelayed: '2',
        },
      }),
    } as unknown as SQSClient;
    const saga = new Map([['SagaQueueUrl', 'q-saga']]);

    expect(await backlogOf(client, saga)).toEqual([{ queue: 'SagaQueueUrl', messages: 3 }]);
    expect(await backlogOf(client, saga, false)).toEqual([{ queue: 'SagaQueueUrl', messages: 1 }]);
  });
});

import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { createQueueWithDlq, receive } from '../resources.ts';
import { type Check, CheckFailed } from '../types.ts';

const MAX_RECEIVE_COUNT = 2;

export const sqsRedrive: Check = {
  id: 'sqs-redrive',
  title: 'SQS redrive to a DLQ after maxReceiveCount',
  breaks: 'poison messages are retried forever instead of parking in the DLQ; DLQ alarms never fire',
  async run(ctx) {
    const { queue, dlq } = await createQueueWithDlq(ctx, {
      maxReceiveCount: MAX_RECEIVE_COUNT,
      visibilityTimeout: 1,
    });
    await ctx.clients.sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: 'poison' }));

    // Receive without deleting; the receive after the last allowed one should move it to the DLQ.
    let receives = 0;
    await ctx.poll(
      async () => {
        receives += (await receive(ctx, queue.url, { visibilityTimeout: 1 })).length;
        if (receives > MAX_RECEIVE_COUNT) {
          throw new CheckFailed(
            `the message was received ${receives} times; with maxReceiveCount ${MAX_RECEIVE_COUNT} it should have moved to the DLQ`,
          );
        }
        if (receives < MAX_RECEIVE_COUNT) return undefined;
        return (await receive(ctx, dlq.url, { waitSeconds: 0 })).length > 0 ? true : undefined;
      },
      {
        what: `the message in the DLQ after ${MAX_RECEIVE_COUNT} receives`,
        timeoutMs: 20_000,
        intervalMs: 0,
      },
    );
    return `moved to the DLQ after ${receives} receives`;
  },
};

import { DeleteMessageCommand, type Message, SendMessageCommand } from '@aws-sdk/client-sqs';
import { createQueue, receive } from '../resources.ts';
import { type Check, CheckFailed } from '../types.ts';

export const sqsFifo: Check = {
  id: 'sqs-fifo',
  title: 'SQS FIFO: order within a message group, one message of a group in flight at a time',
  breaks: 'saga steps of one order run out of order or concurrently',
  async run(ctx) {
    const { sqs } = ctx.clients;
    const queue = await createQueue(ctx, 'q.fifo', {
      FifoQueue: 'true',
      ContentBasedDeduplication: 'true',
      VisibilityTimeout: '30',
    });
    const send = (body: string, group: string) =>
      sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: body, MessageGroupId: group }));
    const remove = (message: Message) =>
      sqs.send(new DeleteMessageCommand({ QueueUrl: queue.url, ReceiptHandle: message.ReceiptHandle }));
    for (const body of ['order-1:step-1', 'order-1:step-2', 'order-1:step-3']) await send(body, 'order-1');

    const [first] = await receive(ctx, queue.url, { max: 1 });
    if (first?.Body !== 'order-1:step-1') {
      throw new CheckFailed(
        `the first receive returned ${JSON.stringify(first?.Body)}; expected order-1:step-1`,
      );
    }
    const whileInFlight = await receive(ctx, queue.url, { waitSeconds: 1 });
    if (whileInFlight.length > 0) {
      throw new CheckFailed(
        `while step-1 was in flight the queue handed out ${whileInFlight.map((m) => m.Body).join(', ')} of the same group`,
      );
    }
    await send('order-2:step-1', 'order-2');
    const otherGroup = await receive(ctx, queue.url, { waitSeconds: 2 });
    if (otherGroup.map((m) => m.Body).join() !== 'order-2:step-1') {
      throw new CheckFailed(
        `with order-1 blocked, a receive returned [${otherGroup.map((m) => m.Body).join(', ')}]; expected [order-2:step-1]`,
      );
    }

    await remove(first);
    const rest: string[] = [];
    await ctx.poll(
      async () => {
        for (const message of await receive(ctx, queue.url, { waitSeconds: 1 })) {
          rest.push(message.Body ?? '');
          await remove(message);
        }
        return rest.length >= 2 ? true : undefined;
      },
      { what: 'order-1 step-2 and step-3 after step-1 was deleted', timeoutMs: 10_000, intervalMs: 0 },
    );
    if (rest.join() !== 'order-1:step-2,order-1:step-3') {
      throw new CheckFailed(
        `after step-1 the group delivered [${rest.join(', ')}]; expected step-2, step-3 in order`,
      );
    }
    return 'in order within the group; the group was blocked while a message was in flight, another group was not';
  },
};

import {
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  DeleteEventSourceMappingCommand,
  DeleteFunctionCommand,
  GetEventSourceMappingCommand,
  GetFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { collectBodies, createQueueWithDlq, type Queue, queueAttributes } from '../resources.ts';
import { type Check, type CheckContext, CheckFailed } from '../types.ts';
import { createZip } from '../zip.ts';
import { createLambdaRole } from './lambda-role.ts';

/** Fails every record whose body contains "fail", the rest succeed: a partial batch response. */
const HANDLER = `'use strict';
exports.handler = async (event) => {
  const batchItemFailures = event.Records.filter((record) => record.body.includes('fail')).map(
    (record) => ({ itemIdentifier: record.messageId }),
  );
  console.log(JSON.stringify({ records: event.Records.length, failed: batchItemFailures.length }));
  return { batchItemFailures };
};
`;

const MAX_RECEIVE_COUNT = 2;

export const lambdaSqsBatch: Check = {
  id: 'lambda-sqs-batch',
  title: 'Lambda SQS event source mapping invokes and honours ReportBatchItemFailures',
  breaks:
    'consumers never run, or one bad record makes the whole batch retry (duplicates) or vanish (lost events)',
  timeoutMs: 120_000,
  async run(ctx) {
    const { queue, dlq } = await createQueueWithDlq(ctx, {
      maxReceiveCount: MAX_RECEIVE_COUNT,
      visibilityTimeout: 3,
    });
    const functionName = await createConsumer(ctx, queue);
    const started = performance.now();
    await ctx.clients.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queue.url,
        Entries: ['ok-1', 'please-fail', 'ok-2'].map((body, i) => ({ Id: String(i), MessageBody: body })),
      }),
    );

    const deadLetters = await collectDeadLetters(ctx, dlq).catch(async (error: unknown) => {
      throw await explainTimeout(ctx, queue, error);
    });
    if (deadLetters.join() !== 'please-fail') {
      throw new CheckFailed(
        `the DLQ holds [${deadLetters.join(', ')}]; only "please-fail" should be there: the batch item failures were not honoured`,
      );
    }
    const left = await queueAttributes(ctx, queue.url, [
      'ApproximateNumberOfMessages',
      'ApproximateNumberOfMessagesNotVisible',
    ]);
    const remaining =
      Number(left.ApproximateNumberOfMessages) + Number(left.ApproximateNumberOfMessagesNotVisible);
    if (remaining > 0) throw new CheckFailed(`${remaining} message(s) are still in ${functionName}'s queue`);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    return `good records deleted, the failing one reached the DLQ after ${MAX_RECEIVE_COUNT} receives (${seconds} s)`;
  },
};

async function createConsumer(ctx: CheckContext, queue: Queue): Promise<string> {
  const { lambda } = ctx.clients;
  const role = await createLambdaRole(ctx, [
    {
      Effect: 'Allow',
      Action: [
        'sqs:ReceiveMessage',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        'sqs:ChangeMessageVisibility',
      ],
      Resource: queue.arn,
    },
  ]);
  const functionName = ctx.name('fn');
  const zip = createZip([
    { name: 'index.js', content: HANDLER },
    // CommonJS regardless of any package.json above the unpacked code (as /var/task has none).
    { name: 'package.json', content: '{"type":"commonjs"}\n' },
  ]);
  await role.retryWhilePropagating(() =>
    lambda.send(
      new CreateFunctionCommand({
        FunctionName: functionName,
        Runtime: 'nodejs22.x',
        Handler: 'index.handler',
        Role: role.arn,
        Code: { ZipFile: zip },
        Timeout: 3,
        MemorySize: 128,
      }),
    ),
  );
  ctx.defer(`function ${functionName}`, () =>
    lambda.send(new DeleteFunctionCommand({ FunctionName: functionName })),
  );
  await ctx.poll(
    async () => {
      const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
      if (config.State === 'Failed') throw new CheckFailed(`function state Failed: ${config.StateReason}`);
      return config.State === undefined || config.State === 'Active' ? true : undefined;
    },
    { what: `function ${functionName} to become Active`, timeoutMs: 60_000, intervalMs: 500 },
  );
  // On AWS the mapping is refused until the new role's SQS permissions have propagated.
  const mapping = await role.retryWhilePropagating(() =>
    lambda.send(
      new CreateEventSourceMappingCommand({
        EventSourceArn: queue.arn,
        FunctionName: functionName,
        BatchSize: 10,
        MaximumBatchingWindowInSeconds: 1,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        Enabled: true,
      }),
    ),
  );
  const uuid = mapping.UUID;
  if (!uuid) throw new CheckFailed('CreateEventSourceMapping returned no UUID');
  ctx.defer(`event source mapping ${uuid}`, () =>
    lambda.send(new DeleteEventSourceMappingCommand({ UUID: uuid })),
  );
  if (!mapping.FunctionResponseTypes?.includes('ReportBatchItemFailures')) {
    throw new CheckFailed('the event source mapping dropped FunctionResponseTypes ReportBatchItemFailures');
  }
  await ctx.poll(
    async () => {
      const state = (await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }))).State;
      return state === undefined || state === 'Enabled' ? true : undefined;
    },
    { what: 'the event source mapping to become Enabled', timeoutMs: 60_000, intervalMs: 1000 },
  );
  return functionName;
}

/** Waits for "please-fail" in the DLQ, then listens a little longer for records that should not come. */
async function collectDeadLetters(ctx: CheckContext, dlq: Queue): Promise<string[]> {
  const bodies = await collectBodies(ctx, dlq.url, {
    done: (seen) => seen.includes('please-fail'),
    what: `the failing record in the DLQ after ${MAX_RECEIVE_COUNT} failed attempts`,
    timeoutMs: 40_000,
    settleMs: 3_000,
  });
  return bodies.sort();
}

/** Tells "never invoked" apart from "failure report ignored" when the failing record never arrives. */
async function explainTimeout(ctx: CheckContext, queue: Queue, error: unknown): Promise<unknown> {
  if (!(error instanceof CheckFailed)) return error;
  const left = await queueAttributes(ctx, queue.url, [
    'ApproximateNumberOfMessages',
    'ApproximateNumberOfMessagesNotVisible',
  ]).catch(() => undefined);
  const remaining =
    Number(left?.ApproximateNumberOfMessages ?? 0) + Number(left?.ApproximateNumberOfMessagesNotVisible ?? 0);
  if (left && remaining >= 3) {
    return new CheckFailed(
      `${error.message}: all 3 messages are still in the queue, so the mapping never invoked the function`,
    );
  }
  if (left && remaining === 0) {
    return new CheckFailed(
      `${error.message}: the queue is empty, so the whole batch was deleted and the failure report was ignored`,
    );
  }
  return error;
}

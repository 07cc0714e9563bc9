import { setTimeout as sleep } from 'node:timers/promises';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import { skipWithoutLambda } from '../support/endpoint.ts';
import {
  deleteCreatedStacks,
  deployTemplate,
  inlineFunction,
  lambdaRole,
  region,
} from './emulator-gaps.support.ts';

/**
 * SQS batching windows on the local cloud. AWS gathers an SQS event source mapping's records until the
 * batch is full or `MaximumBatchingWindowInSeconds` has passed; MiniStack's own poller ignores the
 * window, so the local cloud's launcher (cli/cloud/ministack_launch.py) applies it. These tests hold the
 * local cloud to AWS's behaviour: they fail if the fix-up stops working, and they pass unchanged once
 * the emulator honours the window itself (the launcher then stands down and says so in its log).
 */
const sqs = new SQSClient({ region });
const logs = new CloudWatchLogsClient({ region });

afterAll(deleteCreatedStacks);

/** A queue and a function that logs the size of every batch it gets from it. */
async function deployCounter(mapping: Record<string, unknown>) {
  const deployed = await deployTemplate({
    Work: { Type: 'AWS::SQS::Queue', Properties: { VisibilityTimeout: 60 } },
    Role: lambdaRole,
    Fn: inlineFunction(
      'exports.handler = async (e) => { console.log(JSON.stringify({ batch: e.Records.length })); };',
    ),
    Mapping: {
      Type: 'AWS::Lambda::EventSourceMapping',
      Properties: {
        FunctionName: { Ref: 'Fn' },
        EventSourceArn: { 'Fn::GetAtt': ['Work', 'Arn'] },
        ...mapping,
      },
    },
  });
  return { queueUrl: deployed.Work ?? '', functionName: deployed.Fn ?? '' };
}

/** Batch sizes the function logged, once `total` records are accounted for (or after 20 s). */
async function batchesOf(functionName: string, total: number): Promise<number[]> {
  let batches: number[] = [];
  for (let i = 0; i < 40; i += 1) {
    const found = await logs
      .send(new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${functionName}` }))
      .catch(() => ({ events: [] }));
    batches = (found.events ?? []).flatMap((e) => {
      const match = /\{"batch":(\d+)\}/.exec(e.message ?? '');
      return match ? [Number(match[1])] : [];
    });
    if (batches.reduce((a, b) => a + b, 0) >= total) return batches;
    await sleep(500);
  }
  return batches;
}

async function sendSpaced(queueUrl: string, count: number, gapMs: number): Promise<void> {
  for (let i = 0; i < count; i += 1) {
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: `m${i}` }));
    if (i < count - 1) await sleep(gapMs);
  }
}

describe.skipIf(skipWithoutLambda('SQS batching windows (a function counts its batches)'))(
  'SQS batching windows on the local cloud, as on AWS',
  () => {
    it('gathers records that arrive within the window into one batch instead of invoking once per record', async () => {
      // Arrange
      const { queueUrl, functionName } = await deployCounter({
        BatchSize: 10,
        MaximumBatchingWindowInSeconds: 4,
      });

      // Act: five records, 300 ms apart, all within the window.
      await sendSpaced(queueUrl, 5, 300);
      const batches = await batchesOf(functionName, 5);

      // Assert: every record handled, in one batch or two (a poll may land mid-stream), never five.
      expect(batches.reduce((a, b) => a + b, 0)).toBe(5);
      expect(batches.length).toBeLessThanOrEqual(2);
    });

    it('takes records at once when the mapping has no window', async () => {
      // Arrange
      const { queueUrl, functionName } = await deployCounter({ BatchSize: 10 });

      // Act: three records, 1.5 s apart.
      await sendSpaced(queueUrl, 3, 1_500);
      const batches = await batchesOf(functionName, 3);

      // Assert: nothing waits for company: one invocation per record.
      expect(batches).toEqual([1, 1, 1]);
    });
  },
);

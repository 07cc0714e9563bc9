import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { waitForEmptyQueues, workQueues } from '../../cli/ops/drained.ts';

/** SDK clients for the emulator the global setup started (its endpoint is in the environment). */
export function testClients() {
  const config = { region: process.env.AWS_REGION ?? 'us-east-1' };
  return {
    events: new EventBridgeClient(config),
    sqs: new SQSClient(config),
    dynamo: new DynamoDBClient(config),
  };
}

/** Polls `probe` until it returns a value (not undefined) or the time is up; returns undefined on timeout. */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  { timeoutMs = 30_000, intervalMs = 250 } = {},
): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await sleep(intervalMs);
  }
  return undefined;
}

/**
 * Waits until every consumer work queue of the stack has been empty (visible and in flight) for three
 * polls a second apart: what a test set off has been handled, retried or dead-lettered. Saga timers
 * still delayed are left out; a timer for a finished step changes nothing when it fires.
 */
export async function drained(
  outputs: Readonly<Record<string, string>>,
  sqs: SQSClient,
  timeoutMs = 90_000,
): Promise<void> {
  const left = await waitForEmptyQueues(sqs, workQueues(outputs), {
    deadline: Date.now() + timeoutMs,
    emptyPolls: 3,
    intervalMs: 1_000,
    includeDelayed: false,
  });
  if (left.length > 0)
    throw new Error(`queues still working after ${timeoutMs / 1000} s: ${JSON.stringify(left)}`);
}

import type { SQSClient } from '@aws-sdk/client-sqs';
import { inject } from 'vitest';
import { waitForEmptyQueues, workQueues } from '../../cli/ops/drained.ts';
import type { StackOutputName } from '../../infra/stacks/outputs.ts';

/** An output of the stack the test project deployed; a missing one fails the test, naming them all. */
export function stackOutput(name: StackOutputName): string {
  const outputs = inject('stackOutputs');
  const value = outputs[name];
  if (!value) throw new Error(`stack output ${name} missing: ${JSON.stringify(outputs)}`);
  return value;
}

/**
 * Waits until every consumer work queue of the deployed stack has been empty (visible and in flight)
 * for three polls a second apart: what a test set off has been handled, retried or dead-lettered.
 * Saga timers still delayed are left out; a timer for a finished step changes nothing when it fires.
 */
export async function drained(sqs: SQSClient, timeoutMs = 90_000): Promise<void> {
  const left = await waitForEmptyQueues(sqs, workQueues(inject('stackOutputs')), {
    deadline: Date.now() + timeoutMs,
    emptyPolls: 3,
    intervalMs: 1_000,
    includeDelayed: false,
    log: (line) => console.info(`waiting for the pipeline to drain: ${line}`),
  });
  if (left.length > 0)
    throw new Error(`queues still working after ${timeoutMs / 1000} s: ${JSON.stringify(left)}`);
}

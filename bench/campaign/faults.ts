/**
 * The campaign's two product-side faults, observed from outside:
 * - a consumer stopped for a while in the middle of the run (its event source mappings disabled, then
 *   enabled again: the queue fills and drains);
 * - what the consumers' fault-injection switch (`pipeline deploy --faults …`) actually injected,
 *   counted from their logs.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CloudWatchLogsClient,
  type CloudWatchLogsClientConfig,
  paginateFilterLogEvents,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  GetEventSourceMappingCommand,
  type LambdaClient,
  paginateListEventSourceMappings,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import { FAULT_LOG_MESSAGES, type FaultPlan } from '../../shared/harness/faults.ts';
import { CONSUMER_LOG_MESSAGES } from '../../shared/kit/consumer/runtime.ts';
import type { StackFunction } from '../saga/cloud.ts';
import type { CheckResult } from './reconcile.ts';

/** What happened to the consumer that was stopped. */
export interface ConsumerStop {
  readonly consumer: string;
  readonly mappings: number;
  readonly stoppedForSeconds: number;
}

async function setEnabled(lambda: LambdaClient, uuid: string, enabled: boolean): Promise<void> {
  await lambda.send(new UpdateEventSourceMappingCommand({ UUID: uuid, Enabled: enabled }));
  const want = enabled ? 'Enabled' : 'Disabled';
  for (let i = 0; i < 100; i++) {
    const now = await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }));
    if (now.State === want) return;
    await sleep(100);
  }
  throw new Error(`event source mapping ${uuid} did not become ${want}`);
}

/**
 * Disables every event source mapping of `fn` for `seconds`, then enables them again. Records in
 * flight finish; nothing more is received until the consumer is back.
 */
export async function stopConsumerFor(
  lambda: LambdaClient,
  fn: StackFunction,
  seconds: number,
  log: (line: string) => void,
): Promise<ConsumerStop> {
  const uuids: string[] = [];
  for await (const page of paginateListEventSourceMappings({ client: lambda }, { FunctionName: fn.name })) {
    for (const m of page.EventSourceMappings ?? []) if (m.UUID) uuids.push(m.UUID);
  }
  if (uuids.length === 0) throw new Error(`${fn.appId} has no event source mapping to stop`);
  for (const uuid of uuids) await setEnabled(lambda, uuid, false);
  const stoppedAt = Date.now();
  log(`Consumer ${fn.appId} stopped (${uuids.length} event source mapping(s) disabled) for ${seconds} s`);
  try {
    await sleep(seconds * 1000);
  } finally {
    for (const uuid of uuids) await setEnabled(lambda, uuid, true);
  }
  const stoppedForSeconds = Math.round((Date.now() - stoppedAt) / 100) / 10;
  log(`Consumer ${fn.appId} resumed after ${stoppedForSeconds} s`);
  return { consumer: fn.appId, mappings: uuids.length, stoppedForSeconds };
}

/** Injected faults and handled records of one function, from its structured logs. */
export interface FaultCounts {
  /** Records that failed once on purpose (`INJECTED_FAULT`, retried). */
  transient: number;
  /** Invocations stopped mid-batch on purpose. */
  crashes: number;
  /** Records handled or skipped as duplicates (each delivery that reached the handler map). */
  handled: number;
  duplicates: number;
}

/** Tallies one log line of the consumer runtime (Powertools JSON) into `counts`. */
export function tallyLogLine(line: string, counts: FaultCounts): void {
  if (!line.startsWith('{')) return;
  let entry: { message?: unknown; errorCode?: unknown };
  try {
    entry = JSON.parse(line);
  } catch {
    return;
  }
  const messages = CONSUMER_LOG_MESSAGES;
  if (entry.message === FAULT_LOG_MESSAGES.stoppedMidBatch) counts.crashes += 1;
  else if (entry.message === messages.retry && entry.errorCode === 'INJECTED_FAULT') counts.transient += 1;
  else if (entry.message === messages.handled) counts.handled += 1;
  else if (entry.message === messages.duplicate) counts.duplicates += 1;
}

/** Sums {@link FaultCounts} over the functions' log groups. */
export async function countInjectedFaults(
  functions: readonly StackFunction[],
  clientConfig: CloudWatchLogsClientConfig,
): Promise<FaultCounts> {
  const logs = new CloudWatchLogsClient(clientConfig);
  const counts: FaultCounts = { transient: 0, crashes: 0, handled: 0, duplicates: 0 };
  for (const fn of functions) {
    try {
      for await (const page of paginateFilterLogEvents({ client: logs }, { logGroupName: fn.logGroup })) {
        for (const event of page.events ?? []) {
          // A log line may be prefixed by the runtime (timestamp, request id, level) before the JSON.
          const message = event.message ?? '';
          const json = message.indexOf('{');
          if (json >= 0) tallyLogLine(message.slice(json), counts);
        }
      }
    } catch (error) {
      if (!/ResourceNotFound|does not exist/i.test(String(error))) throw error;
    }
  }
  return counts;
}

/**
 * Share of records whose first delivery failed on purpose: transient ÷ records handled. A transient
 * fault fails a record once and its next delivery handles it, so every record is handled once whether
 * or not it failed first; duplicates and redeliveries are left out, since the fault never applies to
 * them (dividing by every delivery made the share fall as load added redeliveries).
 */
export function transientShare(counts: FaultCounts): number {
  return counts.handled === 0 ? 0 : counts.transient / counts.handled;
}

/**
 * The faults asked for must have happened, or the campaign proved nothing about them: transient
 * failures at no less than 80 % of the configured share (hash draws vary), at least one crashed batch
 * when crashes were asked for, and the consumer stop when one was asked for.
 */
export function faultChecks(
  plan: FaultPlan,
  counts: FaultCounts,
  stop: { asked: boolean; done?: ConsumerStop },
): CheckResult[] {
  const failures: string[] = [];
  const share = transientShare(counts);
  if (plan.transient > 0 && share < plan.transient * 0.8) {
    failures.push(
      `transient failures hit ${(100 * share).toFixed(1)} % of records, asked for ${100 * plan.transient} %`,
    );
  }
  if (plan.crash > 0 && counts.crashes === 0) failures.push('no batch was stopped mid-batch');
  if (stop.asked && stop.done === undefined) failures.push('the consumer was not stopped');
  return [
    {
      name: 'faults asked for were injected',
      severity: 'violation',
      checked: (plan.transient > 0 ? 1 : 0) + (plan.crash > 0 ? 1 : 0) + (stop.asked ? 1 : 0),
      failures,
    },
  ];
}

/**
 * Turns one measured window of the saga (the proxy's records, the deployed topology, the functions'
 * log groups) into the usage the cost model prices, and the per-function message accounting behind
 * "DynamoDB transactions per handled message".
 */

import { OUTPUTS } from '../../infra/stacks/outputs.ts';
import type { FunctionRun, RunUsage } from '../cost/model.ts';
import type { RequestRecord } from '../requests/classify.ts';
import { indexWriteUnits } from '../requests/dynamodb-capacity.ts';
import {
  functionUsage,
  queueDeliveries,
  readRules,
  readSubscriptions,
  readTableIndexes,
} from '../requests/platform.ts';
import type { SagaCloud, StackFunction } from './cloud.ts';

export interface HandledMessages {
  readonly appId: string;
  readonly messagesIn: number;
  readonly invocations: number;
  readonly transactions: number;
  /** Of those, refused (a version conflict or a failed condition: the write is retried or dropped). */
  readonly failedTransactions: number;
  /** Actions in those transactions. */
  readonly transactionItems: number;
  readonly durationMs: number;
  readonly logBytes: number;
}

export interface MeasuredWindow {
  readonly usage: RunUsage;
  readonly handled: readonly HandledMessages[];
}

const triggerOf = (fn: StackFunction): FunctionRun['trigger'] =>
  fn.sources.some((s) => s.startsWith('arn:aws:sqs:'))
    ? 'sqs'
    : fn.sources.some((s) => s.includes(':dynamodb:'))
      ? 'stream'
      : 'none';

const callerOf = (r: RequestRecord) => r.caller.replace(/-PT-.*$/, '');

/** Everything the window cost, per order completed in it. */
export async function measureWindow(
  cloud: SagaCloud,
  records: readonly RequestRecord[],
  orders: number,
  window: { startMs: number; endMs: number },
): Promise<MeasuredWindow> {
  const busName = cloud.outputs[OUTPUTS.busName] ?? '';
  const topic = cloud.outputs[OUTPUTS.notificationsTopicArn] ?? '';
  const rules = await readRules(cloud.endpoint, busName);
  const subscriptions = topic ? await readSubscriptions(cloud.endpoint, topic) : [];
  const deliveries = await queueDeliveries(cloud.endpoint, records, rules, subscriptions);
  const into = (queue: string) =>
    (deliveries.fromRules.get(queue) ?? 0) +
    (deliveries.fromSns.get(queue) ?? 0) +
    (deliveries.direct.get(queue) ?? 0);
  const outboxEntries = records
    .filter((r) => callerOf(r) === 'outbox-publisher' && r.entries)
    .reduce((sum, r) => sum + (r.entries?.length ?? 0), 0);
  const functions: FunctionRun[] = [];
  const handled: HandledMessages[] = [];
  for (const fn of cloud.functions) {
    const trigger = triggerOf(fn);
    const usage = await functionUsage(cloud.endpoint, fn.logGroup, window.startMs, window.endMs);
    const messagesIn =
      trigger === 'sqs'
        ? fn.sources.reduce((sum, q) => sum + into(q), 0)
        : trigger === 'stream'
          ? outboxEntries
          : 0;
    functions.push({ appId: fn.appId, memoryMb: fn.memoryMb, trigger, usage, messagesIn });
    const transactions = records.filter(
      (r) => callerOf(r) === fn.appId && r.service === 'dynamodb' && r.action === 'TransactWriteItems',
    );
    if (usage.invocations > 0 || messagesIn > 0) {
      handled.push({
        appId: fn.appId,
        messagesIn,
        invocations: usage.invocations,
        transactions: transactions.length,
        failedTransactions: transactions.filter((r) => r.status >= 400).length,
        transactionItems: transactions.reduce((sum, r) => sum + (r.items ?? 0), 0),
        durationMs: usage.durationMs,
        logBytes: usage.logBytes,
      });
    }
  }
  const sum = (map: Map<string, number>) => [...map.values()].reduce((a, b) => a + b, 0);
  return {
    usage: {
      orders,
      records: await withIndexWrites(cloud.endpoint, records),
      ruleDeliveries: sum(deliveries.fromRules),
      snsDeliveries: sum(deliveries.fromSns),
      functions,
    },
    handled,
  };
}

/** The records with the write units their PutItems cost in the tables' global secondary indexes. */
async function withIndexWrites(
  endpoint: string,
  records: readonly RequestRecord[],
): Promise<RequestRecord[]> {
  const tables = [...new Set(records.flatMap((r) => (r.put ? [r.put.table] : [])))];
  const indexes = new Map(
    await Promise.all(tables.map(async (t) => [t, await readTableIndexes(endpoint, t)] as const)),
  );
  return records.map((record) => {
    const shapes = record.put ? (indexes.get(record.put.table) ?? []) : [];
    if (!record.put || shapes.length === 0) return record;
    const wru = record.capacity.wru + indexWriteUnits(record.put, shapes);
    return { ...record, capacity: { ...record.capacity, wru } };
  });
}

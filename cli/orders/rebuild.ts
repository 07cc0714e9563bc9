import { type AttributeValue, ScanCommand } from '@aws-sdk/client-dynamodb';
import {
  ORDER_SAGA_STREAM_PREFIX,
  orderEvents,
} from '../../shared/contexts/orders/use-cases/order-history.ts';
import { rebuildOrderSummaries } from '../../shared/contexts/orders/use-cases/order-summary.ts';
import { EVENT_STORE_KEYS, EVENT_STORE_PREFIXES } from '../../shared/kit/event-store/dynamodb-items.ts';
import type { OrdersContext } from './context.ts';

/** What a rebuild did. */
export interface RebuildResult {
  /** Orders whose summary was rebuilt from the event store. */
  readonly orders: number;
  /** Events folded into them. */
  readonly events: number;
  /** Summaries deleted first (a full rebuild deletes every summary, orphans included). */
  readonly deleted: number;
}

/** Orders rebuilt at the same time: enough to hide read latency, few enough not to throttle. */
const CONCURRENCY = 8;

/**
 * Rebuilds order summaries from the event store: deletes each summary, then folds the order's stored
 * events (`orderEvents`) into an empty slot. With `orderIds`, only those; otherwise every order that
 * has a saga stream, after deleting every summary in the table. The projector keeps running meanwhile;
 * both fold the same events and duplicates change nothing, so they agree.
 */
export async function rebuildSummaries(
  context: OrdersContext,
  orderIds?: readonly string[],
): Promise<RebuildResult> {
  let deleted = 0;
  if (orderIds === undefined) {
    const existing = await context.summaries.allOrderIds();
    await forEachLimited(existing, async (id) => context.summaries.delete(id));
    deleted = existing.length;
  }
  const ids = orderIds ?? (await sagaOrderIds(context));
  let events = 0;
  await forEachLimited(ids, async (id) => {
    if (orderIds !== undefined) await context.summaries.delete(id);
    events += await rebuildOrderSummaries(context.summaries, orderEvents(context.store, id));
  });
  return { orders: ids.length, events, deleted: orderIds === undefined ? deleted : ids.length };
}

/** Ids of every order with a saga stream (a scan of the event store table: operator tool only). */
async function sagaOrderIds(context: OrdersContext): Promise<string[]> {
  const { partitionKey, sortKey } = EVENT_STORE_KEYS;
  const prefix = `${EVENT_STORE_PREFIXES.stream}${ORDER_SAGA_STREAM_PREFIX}`;
  const ids: string[] = [];
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await context.dynamo.send(
      new ScanCommand({
        TableName: context.eventStoreTable,
        FilterExpression: 'begins_with(#pk, :prefix) AND #sk = :first',
        ProjectionExpression: '#pk',
        ExpressionAttributeNames: { '#pk': partitionKey, '#sk': sortKey },
        ExpressionAttributeValues: {
          ':prefix': { S: prefix },
          ':first': { S: `${EVENT_STORE_PREFIXES.event}${'1'.padStart(10, '0')}` },
        },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) ids.push((item[partitionKey]?.S ?? '').slice(prefix.length));
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return ids.filter((id) => id.length > 0);
}

async function forEachLimited<T>(items: readonly T[], work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, worker));
}

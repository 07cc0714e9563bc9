import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import {
  ORDER_SAGA_STREAM_PREFIX,
  orderEvents,
} from '../../shared/contexts/orders/use-cases/order-history.ts';
import { rebuildOrderSummaries } from '../../shared/contexts/orders/use-cases/order-summary.ts';
import {
  type StreamCatalogPosition,
  streamCatalogPage,
} from '../../shared/kit/event-store/dynamodb-index-queries.ts';
import { streamTypeOf } from '../../shared/kit/event-store/dynamodb-indexes.ts';
import { EVENT_STORE_KEYS, EVENT_STORE_PREFIXES } from '../../shared/kit/event-store/dynamodb-items.ts';
import type { OrdersContext } from './context.ts';

/** What a rebuild did. */
export interface RebuildResult {
  /** Orders whose summary was rebuilt from the event store (this run and the runs it resumed). */
  readonly orders: number;
  /** Events folded into them. */
  readonly events: number;
  /** Summaries deleted: the rebuilt orders' old ones, and orphans no saga stream backs. */
  readonly deleted: number;
  /** True when it continued from a checkpoint an interrupted run left. */
  readonly resumed: boolean;
  /**
   * Index entries read to find the order saga streams (the event store's stream catalog holds one per
   * stream, and only the order saga type is queried; this run's pages only).
   */
  readonly itemsRead: number;
}

/** Options of {@link rebuildSummaries}. */
export interface RebuildOptions {
  /** Only these orders (no scan, no checkpoint). */
  readonly orderIds?: readonly string[];
  /** At most this many orders per second. @default unpaced */
  readonly ratePerSecond?: number;
  /** Where progress is saved after each page of the event store, to resume from. */
  readonly checkpointFile?: string;
  /** Saga streams listed per page (a checkpoint follows each page). @default up to 1 MB */
  readonly pageSize?: number;
  /** Continue from `checkpointFile` when it holds an interrupted run of the same stack. */
  readonly resume?: boolean;
  /** Called after each page: orders and events so far. */
  readonly onProgress?: (done: { orders: number; events: number }) => void;
}

/**
 * Saved after each page of a full rebuild; removed when the rebuild ends. `position` is where the walk
 * over the stream catalog continues (its shard, and the last index key read in it).
 */
interface Checkpoint {
  readonly table: string;
  readonly position: StreamCatalogPosition;
  readonly orders: number;
  readonly events: number;
}

/** The stream type of order sagas in the stream catalog (`saga-order`). */
const ORDER_SAGA_STREAM_TYPE = streamTypeOf(ORDER_SAGA_STREAM_PREFIX);

/** Orders rebuilt at the same time: enough to hide read latency, few enough not to throttle. */
const CONCURRENCY = 8;

/**
 * Rebuilds order summaries from the event store, one order at a time: its summary is deleted and its
 * stored events (`orderEvents`) folded into an empty slot, so the rest of the read model stays
 * readable throughout and the projector keeps running (both fold the same events; duplicates change
 * nothing, so they agree). With `orderIds`, only those. Otherwise every order with a saga stream,
 * page by page of the event store's stream catalog (the order saga streams only, never a scan of the
 * table), saving a checkpoint after each page (an interrupted run resumes there), and at the end the
 * summaries no saga stream backs are deleted.
 */
export async function rebuildSummaries(
  context: OrdersContext,
  options: RebuildOptions = {},
): Promise<RebuildResult> {
  const pace = pacer(options.ratePerSecond);
  const rebuild = async (id: string) => {
    await pace();
    await context.summaries.delete(id);
    return rebuildOrderSummaries(context.summaries, orderEvents(context.store, id));
  };
  if (options.orderIds !== undefined) {
    let events = 0;
    await forEachLimited(options.orderIds, async (id) => {
      events += await rebuild(id);
    });
    return {
      orders: options.orderIds.length,
      events,
      deleted: options.orderIds.length,
      resumed: false,
      itemsRead: 0,
    };
  }
  const saved = options.resume ? readCheckpoint(options.checkpointFile, context.eventStoreTable) : undefined;
  let { orders, events } = saved ?? { orders: 0, events: 0 };
  let position: StreamCatalogPosition | undefined = saved?.position ?? { shard: 0 };
  let itemsRead = 0;
  const table = { client: context.dynamo, tableName: context.eventStoreTable };
  do {
    const page = await streamCatalogPage(table, ORDER_SAGA_STREAM_TYPE, position, options.pageSize);
    const ids = page.streamIds.map((streamId) => streamId.slice(ORDER_SAGA_STREAM_PREFIX.length));
    itemsRead += page.itemsRead;
    await forEachLimited(ids, async (id) => {
      events += await rebuild(id);
    });
    orders += ids.length;
    position = page.next;
    if (position !== undefined && options.checkpointFile !== undefined)
      writeCheckpoint(options.checkpointFile, { table: context.eventStoreTable, position, orders, events });
    options.onProgress?.({ orders, events });
  } while (position !== undefined);
  const orphans: string[] = [];
  await forEachLimited(await context.summaries.allOrderIds(), async (id) => {
    if (!(await hasSagaStream(context, id))) orphans.push(id);
  });
  await forEachLimited(orphans, (id) => context.summaries.delete(id));
  if (options.checkpointFile !== undefined) rmSync(options.checkpointFile, { force: true });
  // Each rebuilt order's old summary was deleted first, then the orphans.
  return { orders, events, deleted: orders + orphans.length, resumed: saved !== undefined, itemsRead };
}

/** Waits so that calls start at most `rate` per second (none when unpaced). */
function pacer(rate: number | undefined): () => Promise<void> {
  if (rate === undefined) return async () => {};
  let next = Date.now();
  return async () => {
    const at = next;
    next = Math.max(next, Date.now()) + 1000 / rate;
    const wait = at - Date.now();
    if (wait > 0) await sleep(wait);
  };
}

function readCheckpoint(file: string | undefined, table: string): Checkpoint | undefined {
  if (file === undefined) return undefined;
  try {
    const checkpoint = JSON.parse(readFileSync(file, 'utf8')) as Partial<Checkpoint>;
    // A checkpoint of the scan this replaced has no catalog position: start over rather than guess.
    return checkpoint.table === table && typeof checkpoint.position?.shard === 'number'
      ? (checkpoint as Checkpoint)
      : undefined;
  } catch {
    return undefined;
  }
}

function writeCheckpoint(file: string, checkpoint: Checkpoint): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(checkpoint)}\n`);
}

/** Whether the order has a saga stream (its first commit exists). */
async function hasSagaStream(context: OrdersContext, orderId: string): Promise<boolean> {
  const { partitionKey, sortKey } = EVENT_STORE_KEYS;
  const { Item } = await context.dynamo.send(
    new GetItemCommand({
      TableName: context.eventStoreTable,
      Key: {
        [partitionKey]: { S: `${EVENT_STORE_PREFIXES.stream}${ORDER_SAGA_STREAM_PREFIX}${orderId}` },
        [sortKey]: { S: FIRST_COMMIT },
      },
      ProjectionExpression: '#pk',
      ExpressionAttributeNames: { '#pk': partitionKey },
    }),
  );
  return Item !== undefined;
}

const FIRST_COMMIT = `${EVENT_STORE_PREFIXES.event}${'1'.padStart(10, '0')}`;

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

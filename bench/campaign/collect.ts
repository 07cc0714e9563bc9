/**
 * What the reconciliation looks at, read back after a campaign: every stream of every order and of
 * every SKU from the event store, each order's summary from the read model next to the one rebuilt
 * from the store, what each dead-letter queue holds (through the product's own `pipeline dlq`
 * commands), and every event the capture tap saw on the bus.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { TailTap } from '../../cli/ops/tail.ts';
import { pipelineCatalog } from '../../shared/contexts/index.ts';
import type { AnyEvent } from '../../shared/contexts/orders/events/catalog.ts';
import { inventoryStreams } from '../../shared/contexts/orders/use-cases/inventory.ts';
import { orderEvents, orderStreamIds } from '../../shared/contexts/orders/use-cases/order-history.ts';
import type { OrderSummaryRepository } from '../../shared/contexts/orders/use-cases/order-summary.ts';
import type { EventStore } from '../../shared/kit/event-store/port.ts';
import { isPublishable } from '../../shared/kit/events/internal.ts';
import { isStoredEvent } from '../../shared/kit/events/stored.ts';
import { pipelineEnv, requireSuccess, runPipeline } from '../local-cloud.ts';
import { readingDiffers, rebuildSummary, type SummaryReading } from './reconcile-read-model.ts';

/** One stored event, as the checks need it. */
export interface StoredFact {
  readonly streamId: string;
  readonly id: string;
  readonly type: string;
  readonly data: Record<string, unknown>;
  readonly publishable: boolean;
}

/** One event seen on the bus by the tap. */
export interface CapturedFact {
  readonly id: string;
  readonly type: string;
  readonly source: string;
  /** Carried the outbox's stored mark: published from the event store, not put by a producer. */
  readonly stored?: boolean;
  readonly orderId?: string;
}

/** One dead-lettered message. */
export interface DeadLetter {
  readonly queue: string;
  /** The decoded failure reason (`consumer`, `max-receive`, `eventbridge`…; `unknown` when none). */
  readonly kind: string;
  readonly reason: string;
  readonly body: string;
}

async function readStream(store: EventStore, streamId: string): Promise<StoredFact[]> {
  const facts: StoredFact[] = [];
  for await (const stored of store.readAll(streamId)) {
    facts.push({
      streamId,
      id: stored.event.id,
      type: stored.event.type,
      data: (stored.event.data ?? {}) as Record<string, unknown>,
      publishable: isPublishable(pipelineCatalog, stored.event),
    });
  }
  return facts;
}

/** Every stream of each order (saga, reservation, payment, notifications), `concurrency` orders at a time. */
export async function readOrders(
  store: EventStore,
  orderIds: readonly string[],
  concurrency = 8,
): Promise<Map<string, StoredFact[]>> {
  const result = new Map<string, StoredFact[]>();
  await forEachLimited(orderIds, concurrency, async (id) => {
    const facts: StoredFact[] = [];
    for (const streamId of orderStreamIds(id)) facts.push(...(await readStream(store, streamId)));
    result.set(id, facts);
  });
  return result;
}

/** Runs `work` on every item, `concurrency` at a time (the local cloud has two cores to share). */
async function forEachLimited<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/**
 * One order id's {@link SummaryReading}. The store is read first: the projector follows the store, so
 * reading the read model second gives it the most time to have caught up.
 */
async function readSummary(
  store: EventStore,
  summaries: Pick<OrderSummaryRepository, 'get'>,
  orderId: string,
): Promise<SummaryReading> {
  try {
    const events: AnyEvent[] = [];
    for await (const event of orderEvents(store, orderId)) events.push(event);
    const rebuilt = rebuildSummary(orderId, events);
    const read = (await summaries.get(orderId))?.summary;
    return { ...(read ? { read } : {}), ...(rebuilt ? { rebuilt } : {}) };
  } catch (error) {
    return { error: `could not read: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** How long {@link readSummaries} waits for the read model to catch up, and how often it looks. */
export interface ReadSummariesOptions {
  /**
   * Total time from the first read to the last re-read: longer than a gathered queue's visibility
   * timeout (91 s), after which a crashed projector batch is redelivered. @default 150_000
   */
  readonly patienceMs?: number;
  /** Pause between two rounds of re-reading. @default 3_000 */
  readonly pauseMs?: number;
  /** @default 8 */
  readonly concurrency?: number;
}

/** What {@link readSummaries} found. */
export interface SummariesRead {
  /** The last reading of each order id. */
  readonly summaries: Map<string, SummaryReading>;
  /** Ids whose first reading differed and were read again. */
  readonly reread: number;
  /** Ids that still differ after the last round (the checks report them). */
  readonly stillDiffering: number;
}

/**
 * Each order id's summary in the read model next to the one the product's fold rebuilds from the
 * event store. The projector is eventually consistent, so ids whose two sides differ are read again
 * (both sides, only those ids) every `pauseMs` until they agree or `patienceMs` is spent; what still
 * differs then is left for the checks to report.
 */
export async function readSummaries(
  store: EventStore,
  summaries: Pick<OrderSummaryRepository, 'get'>,
  orderIds: readonly string[],
  options: ReadSummariesOptions = {},
): Promise<SummariesRead> {
  const { patienceMs = 150_000, pauseMs = 3_000, concurrency = 8 } = options;
  const deadline = Date.now() + patienceMs;
  const readings = new Map<string, SummaryReading>();
  const readAll = (ids: readonly string[]) =>
    forEachLimited(ids, concurrency, async (id) => {
      readings.set(id, await readSummary(store, summaries, id));
    });
  const differing = (ids: readonly string[]) => ids.filter((id) => readingDiffers(readings.get(id) ?? {}));
  await readAll(orderIds);
  const first = differing(orderIds);
  let pending = first;
  while (pending.length > 0 && Date.now() < deadline) {
    await sleep(Math.min(pauseMs, Math.max(0, deadline - Date.now())));
    await readAll(pending);
    pending = differing(pending);
  }
  return { summaries: readings, reread: first.length, stillDiffering: pending.length };
}

/** The stock stream of each SKU. */
export async function readSkus(
  store: EventStore,
  skus: readonly string[],
): Promise<Map<string, StoredFact[]>> {
  const result = new Map<string, StoredFact[]>();
  for (const sku of skus) result.set(sku, await readStream(store, inventoryStreams.sku(sku)));
  return result;
}

/** Drains the tap until it has been quiet for `quietMs`. */
export async function drainTap(tap: TailTap, into: CapturedFact[], quietMs = 10_000): Promise<void> {
  let quietSince = Date.now();
  while (Date.now() - quietSince < quietMs) {
    const events = await tap.next(1);
    if (events.length > 0) quietSince = Date.now();
    for (const event of events) into.push(capturedOf(event));
  }
}

/** What the checks keep of a tapped event. */
export function capturedOf(event: {
  id: string;
  type: string;
  source: string;
  detail: unknown;
}): CapturedFact {
  const detail = event.detail as { data?: { orderId?: unknown }; metadata?: Record<string, unknown> };
  const data = detail?.data;
  return {
    id: event.id,
    type: event.type,
    source: event.source,
    stored: isStoredEvent({ metadata: detail?.metadata }),
    ...(typeof data?.orderId === 'string' ? { orderId: data.orderId } : {}),
  };
}

interface DlqListJson {
  readonly dlqs: readonly { readonly name: string; readonly depth: { readonly total: number } }[];
}
interface DlqShowJson {
  readonly messages: readonly {
    readonly failure: { readonly summary?: string; readonly kind?: string };
    readonly body: string;
  }[];
}

/** Every message of every non-empty DLQ of the stack, through `pipeline dlq list/show --json`. */
export async function readDeadLetters(instance: string): Promise<DeadLetter[]> {
  const env = pipelineEnv(instance);
  const list = requireSuccess(
    await runPipeline(['dlq', 'list', '--json', '--age', 'none'], env),
    'pipeline dlq list',
  );
  const dlqs = (JSON.parse(list.stdout) as DlqListJson).dlqs.filter((d) => d.depth.total > 0);
  const letters: DeadLetter[] = [];
  for (const dlq of dlqs) {
    const limit = String(Math.min(1000, dlq.depth.total));
    const shown = requireSuccess(
      await runPipeline(['dlq', 'show', dlq.name, '--json', '--limit', limit], env),
      `pipeline dlq show ${dlq.name}`,
    );
    for (const message of (JSON.parse(shown.stdout) as DlqShowJson).messages) {
      letters.push({
        queue: dlq.name,
        kind: message.failure.kind ?? 'unknown',
        reason: message.failure.summary ?? '',
        body: message.body,
      });
    }
  }
  return letters;
}

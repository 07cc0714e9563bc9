/**
 * What the reconciliation looks at, read back after a campaign: every stream of every order and of
 * every SKU from the event store, what each dead-letter queue holds (through the product's own
 * `pipeline dlq` commands), and every event the capture tap saw on the bus.
 */
import type { TailTap } from '../../cli/ops/tail.ts';
import type { EventStore } from '../../shared/event-store/port.ts';
import { isPublishable } from '../../shared/events/internal.ts';
import { inventoryStreams } from '../../shared/use-cases/inventory.ts';
import { orderStreamIds } from '../../shared/use-cases/order-history.ts';
import { pipelineEnv, requireSuccess, runPipeline } from '../local-cloud.ts';

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
      publishable: isPublishable(stored.event),
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
  const queue = [...orderIds];
  const worker = async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      const facts: StoredFact[] = [];
      for (const streamId of orderStreamIds(id)) facts.push(...(await readStream(store, streamId)));
      result.set(id, facts);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return result;
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
  const data = (event.detail as { data?: { orderId?: unknown } } | undefined)?.data;
  return {
    id: event.id,
    type: event.type,
    source: event.source,
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

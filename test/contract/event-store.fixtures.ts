import { randomUUID } from 'node:crypto';
import type { EventStore, ReadPage, StoredEvent } from '../../shared/kit/event-store/port.ts';
import type { EventEnvelope } from '../../shared/kit/events/envelope.ts';

/** A valid envelope; every call gets a fresh id so retried appends look like regenerated commands. */
export function anEvent(overrides: Partial<EventEnvelope> = {}): EventEnvelope {
  return {
    id: randomUUID(),
    type: 'OrderPlaced',
    version: 1,
    source: 'test.orders',
    time: '2026-11-22T10:00:00.000Z',
    correlationId: 'corr-1',
    data: { orderId: 'o-1', total: 10 },
    ...overrides,
  };
}

/** `count` events whose data carries their position, so order mistakes show in assertions. */
export function someEvents(count: number, data: Record<string, unknown> = {}): EventEnvelope[] {
  return Array.from({ length: count }, (_, i) => anEvent({ data: { ...data, n: i + 1 } }));
}

/** A stream id no other test uses, so one table serves a whole test file. */
export function aStreamId(prefix = 'order'): string {
  return `${prefix}-${randomUUID()}`;
}

/** Reads every page by hand, keeping the pages so tests can see how the store cut them. */
export async function readPages(
  store: EventStore,
  streamId: string,
  limit?: number,
): Promise<{ pages: ReadPage[]; events: StoredEvent[] }> {
  const pages: ReadPage[] = [];
  let page = await store.read(streamId, limit === undefined ? {} : { limit });
  pages.push(page);
  while (page.nextCursor !== undefined) {
    page = await store.read(streamId, { cursor: page.nextCursor, ...(limit === undefined ? {} : { limit }) });
    pages.push(page);
  }
  return { pages, events: pages.flatMap((p) => p.events) };
}

/** Collects an async iterable. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

/** Fold used by the snapshot tests: order totals and how many events were seen. */
export interface OrderTotals {
  readonly count: number;
  readonly total: number;
}

export const orderTotals = {
  initial: (): OrderTotals => ({ count: 0, total: 0 }),
  evolve: (state: OrderTotals, event: EventEnvelope): OrderTotals => ({
    count: state.count + 1,
    total: state.total + Number(event.data.n ?? 0),
  }),
};

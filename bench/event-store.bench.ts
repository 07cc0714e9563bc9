import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { EventStore } from '../shared/kit/event-store/port.ts';
import type { EventEnvelope } from '../shared/kit/events/envelope.ts';

/** Latency percentiles of single-event appends, in milliseconds. */
export interface AppendLatency {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly n: number;
}

/**
 * Appends `n` single events, one after the other, to a fresh stream and reports p50/p99 latency.
 * Sequential on purpose: it measures one command handler's append round trip, not throughput, and each
 * append carries the version the previous one returned, like a real handler.
 */
export async function benchAppendLatency(store: EventStore, n = 1000): Promise<AppendLatency> {
  if (!Number.isInteger(n) || n < 1) throw new RangeError('n must be an integer >= 1');
  const streamId = `bench-${randomUUID()}`;
  const samples: number[] = [];
  for (let version = 0; version < n; version += 1) {
    const event = benchEvent(version + 1);
    const started = performance.now();
    await store.append(streamId, [event], { expectedVersion: version });
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return { p50Ms: percentile(samples, 0.5), p99Ms: percentile(samples, 0.99), n };
}

/** Nearest-rank percentile of sorted samples. */
function percentile(sorted: readonly number[], p: number): number {
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return round(sorted[rank - 1] ?? Number.NaN);
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

function benchEvent(n: number): EventEnvelope {
  return {
    id: randomUUID(),
    type: 'OrderPlaced',
    version: 1,
    source: 'bench.orders',
    time: new Date().toISOString(),
    correlationId: 'bench',
    data: { orderId: `o-${n}`, lines: [{ sku: 'SKU-1', qty: 1 }], total: 10 },
  };
}

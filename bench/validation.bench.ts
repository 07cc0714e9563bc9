import { setImmediate as yieldToLoop } from 'node:timers/promises';
import {
  definitionOf,
  exampleEvent,
  ordersCatalog,
  parseEvent,
} from '../shared/contexts/orders/events/catalog.ts';
import { fromSqsBody, toPutEventsEntry } from '../shared/kit/events/eventbridge.ts';

/** Result of {@link benchValidation}; times are per event, in microseconds (median of the runs). */
export interface ValidationBenchResult {
  /** `parseEvent` of a small OrderPlaced v1: envelope + data validation and the v1 → v2 upcast. */
  readonly smallEventMicros: number;
  /** The same for an OrderPlaced v1 of about `targetBytes` (many items). */
  readonly largeEventMicros: number;
  /** `parseEvent` of a small OrderPlaced at the newest version: validation only, no upcast. */
  readonly smallLatestEventMicros: number;
  /** `fromSqsBody` of the large event as an SQS body: JSON.parse + validation + upcast. */
  readonly largeSqsBodyMicros: number;
  readonly smallEventBytes: number;
  readonly largeEventBytes: number;
  readonly largeEventItems: number;
  readonly runs: number;
}

/** Knobs of {@link benchValidation}; the defaults take about two seconds. */
export interface ValidationBenchOptions {
  /** Runs per case; the median is reported. @default 7 */
  readonly runs?: number;
  /** Each run repeats the case until it lasts at least this long. @default 50 */
  readonly minRunMillis?: number;
  /** Approximate JSON size of the large event. @default 100_000 */
  readonly targetBytes?: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? 0;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? 0) + upper) / 2;
}

function timeIterations(work: () => unknown, iterations: number): bigint {
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) work();
  return process.hrtime.bigint() - start;
}

/** Median microseconds per call: iterations are calibrated first so that timer resolution is negligible. */
async function measure(work: () => unknown, runs: number, minRunMillis: number): Promise<number> {
  const minNanos = BigInt(Math.round(minRunMillis * 1e6));
  let iterations = 1;
  while (timeIterations(work, iterations) < minNanos) iterations *= 2; // doubles as warm-up
  const perCall: number[] = [];
  for (let run = 0; run < runs; run++) {
    await yieldToLoop(); // let GC and pending work run between runs, not inside them
    perCall.push(Number(timeIterations(work, iterations)) / 1e3 / iterations);
  }
  return Math.round(median(perCall) * 100) / 100;
}

/** A wire-shaped OrderPlaced v1 (plain JSON, as consumers receive it) with `itemCount` items. */
function orderPlacedV1(itemCount: number): Record<string, unknown> {
  const latest = exampleEvent('OrderPlaced', {
    id: 'bench-event',
    correlationId: 'bench-correlation',
    time: '2026-01-01T00:00:00.000Z',
  });
  const v1Example = definitionOf('OrderPlaced').previous[0]?.example as Record<string, unknown>;
  const items = Array.from({ length: itemCount }, (_, i) => ({
    sku: `SKU-${String(i).padStart(6, '0')}`,
    qty: (i % 5) + 1,
    unitPrice: 9.99 + (i % 7),
  }));
  const data = itemCount > 0 ? { ...v1Example, items } : v1Example;
  return JSON.parse(JSON.stringify({ ...latest, version: 1, data }));
}

/** Smallest number of items whose event serializes to at least `targetBytes`. */
function itemsForSize(targetBytes: number): number {
  const perItem = JSON.stringify(orderPlacedV1(100)).length / 100;
  let count = Math.max(1, Math.floor(targetBytes / perItem));
  while (JSON.stringify(orderPlacedV1(count)).length < targetBytes) count += 10;
  return count;
}

/**
 * Measures what validating and upcasting one incoming event costs, for a small event and a large one
 * (about 100 KB, many items). Plain async function, not a vitest bench: `npm run bench` calls it.
 */
export async function benchValidation(options: ValidationBenchOptions = {}): Promise<ValidationBenchResult> {
  const runs = options.runs ?? 7;
  const minRunMillis = options.minRunMillis ?? 50;
  const small = orderPlacedV1(0);
  const largeEventItems = itemsForSize(options.targetBytes ?? 100_000);
  const large = orderPlacedV1(largeEventItems);
  const smallLatest = JSON.parse(JSON.stringify(exampleEvent('OrderPlaced')));
  const largeBody = JSON.stringify({
    version: '0',
    id: 'bench',
    'detail-type': 'OrderPlaced',
    source: 'orders.api',
    detail: large,
  });
  // The large event must still be publishable, or the benchmark measures an event we would reject.
  toPutEventsEntry(parseEvent(large), 'bench-bus');

  return {
    smallEventMicros: await measure(() => parseEvent(small), runs, minRunMillis),
    largeEventMicros: await measure(() => parseEvent(large), runs, minRunMillis),
    smallLatestEventMicros: await measure(() => parseEvent(smallLatest), runs, minRunMillis),
    largeSqsBodyMicros: await measure(() => fromSqsBody(ordersCatalog, largeBody), runs, minRunMillis),
    smallEventBytes: Buffer.byteLength(JSON.stringify(small)),
    largeEventBytes: Buffer.byteLength(JSON.stringify(large)),
    largeEventItems,
    runs,
  };
}

import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { pipelineCatalog } from '../../shared/contexts/index.ts';
import { ValidationError } from '../../shared/kit/errors/pipeline-error.ts';
import { type PutEventsEntry, toPutEventsEntry } from '../../shared/kit/events/eventbridge.ts';
import { nearestNames } from '../../shared/kit/events/suggest.ts';
import { CliError } from '../output.ts';

/** Outcome of one injected event. */
export interface InjectedEvent {
  readonly eventId: string;
  readonly correlationId: string;
  readonly status: 'accepted' | 'failed';
  readonly eventBridgeId?: string;
  readonly error?: string;
}

/** A type of some context's catalog. */
export type EventType = string;

/** Checks the type against every context's catalog; a typo gets the nearest names. */
export function catalogType(name: string): EventType {
  if (pipelineCatalog.isType(name)) return name;
  const near = nearestNames(name, pipelineCatalog.types);
  throw new CliError(
    `Unknown event type "${name}".`,
    near.length > 0
      ? `Did you mean ${near.join(', ')}? \`pipeline catalog\` lists every type.`
      : '`pipeline catalog` lists every type.',
  );
}

/**
 * Replaces `{{seq}}` and `{{uuid}}` in every string of the data, so `--count` can make distinct
 * orders from one template (e.g. "orderId": "ord-{{seq}}"). Walks the value with a work list rather
 * than recursion: data nested thousands of levels deep must reach validation (and be refused there
 * with its field path), not overflow the stack here.
 */
export function fillPlaceholders(value: unknown, seq: number): unknown {
  const fill = (text: string) =>
    text.replaceAll('{{seq}}', String(seq)).replaceAll('{{uuid}}', () => randomUUID());
  const root: { value?: unknown } = {};
  const work: { from: unknown; into: Record<string, unknown> | unknown[]; key: string | number }[] = [
    { from: value, into: root as Record<string, unknown>, key: 'value' },
  ];
  for (let next = work.pop(); next !== undefined; next = work.pop()) {
    const { from, into, key } = next;
    let copy: unknown = from;
    if (typeof from === 'string') copy = fill(from);
    else if (Array.isArray(from)) {
      const items: unknown[] = new Array(from.length);
      from.forEach((item, index) => {
        work.push({ from: item, into: items, key: index });
      });
      copy = items;
    } else if (from !== null && typeof from === 'object') {
      // Own properties only, keys in their order, `__proto__` kept as data (as JSON.parse made it).
      const entries = Object.entries(from);
      const fields: Record<string, unknown> = Object.fromEntries(entries.map(([name]) => [name, undefined]));
      for (const [name, item] of entries) work.push({ from: item, into: fields, key: name });
      copy = fields;
    }
    Object.defineProperty(into, key, { value: copy, enumerable: true, writable: true, configurable: true });
  }
  return root.value;
}

/** The data template: `--data`, `--file` contents, or the catalog example (distinct orderIds when counting). */
export function dataTemplate(
  type: EventType,
  source: { data?: string; example?: boolean },
  count: number,
): unknown {
  if (source.data !== undefined) {
    try {
      return JSON.parse(source.data);
    } catch (error) {
      throw new CliError(
        `--data is not valid JSON: ${(error as Error).message}`,
        'Quote it for the shell: --data \'{"orderId":"o-1"}\'',
      );
    }
  }
  if (!source.example) {
    throw new CliError('No event data given.', 'Pass --data JSON, --file FILE, or --example.', 2);
  }
  const example = pipelineCatalog.definitionOf(type).example as Record<string, unknown>;
  // Distinct instances when counting: each context's example names its key (an order, a user).
  if (count > 1) {
    for (const key of ['orderId', 'userId'] as const) {
      if (typeof example[key] === 'string') return { ...example, [key]: `${example[key]}-{{uuid}}` };
    }
  }
  return example;
}

/** Builds and validates every event before anything is sent: bad input sends nothing. */
export function buildEvents(type: EventType, template: unknown, count: number, correlationId?: string) {
  return Array.from({ length: count }, (_, i) => {
    const data = fillPlaceholders(template, i + 1);
    try {
      return pipelineCatalog.create(type, data, { correlationId: correlationId ?? randomUUID() });
    } catch (error) {
      if (error instanceof ValidationError) {
        throw new CliError(
          `Invalid ${type} event: ${error.message}`,
          `\`pipeline inject ${type} --example --dry-run --json\` shows a valid event.`,
        );
      }
      throw error;
    }
  });
}

/** PutEvents in batches of 10 at about `rate` events per second; reports every entry's outcome. */
export async function putAll(
  client: EventBridgeClient,
  busName: string,
  events: ReturnType<typeof buildEvents>,
  options: { rate?: number; onProgress?: (done: number) => void } = {},
): Promise<InjectedEvent[]> {
  const results: InjectedEvent[] = [];
  const batchSize = options.rate && options.rate < 10 ? Math.max(1, Math.floor(options.rate)) : 10;
  for (let start = 0; start < events.length; start += batchSize) {
    const batch = events.slice(start, start + batchSize);
    const began = Date.now();
    const entries: PutEventsEntry[] = batch.map((e) => toPutEventsEntry(e, busName));
    const response = await client.send(new PutEventsCommand({ Entries: entries }));
    batch.forEach((event, i) => {
      const entry = response.Entries?.[i];
      const failed = Boolean(entry?.ErrorCode) || !entry?.EventId;
      results.push({
        eventId: event.id,
        correlationId: event.correlationId,
        status: failed ? 'failed' : 'accepted',
        ...(entry?.EventId ? { eventBridgeId: entry.EventId } : {}),
        ...(failed
          ? { error: `${entry?.ErrorCode ?? 'NoEntry'}: ${entry?.ErrorMessage ?? 'no result for entry'}` }
          : {}),
      });
    });
    options.onProgress?.(results.length);
    if (options.rate) {
      const due = (batch.length / options.rate) * 1000 - (Date.now() - began);
      if (due > 0) await sleep(due);
    }
  }
  return results;
}

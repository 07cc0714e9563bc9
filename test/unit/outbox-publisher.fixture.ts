import { randomUUID } from 'node:crypto';
import type { PublishDependencies, PutEventsResult } from '../../functions/outbox-publisher/publish.ts';
import type { OutboxStreamRecord } from '../../functions/outbox-publisher/stream-records.ts';
import { commitItems, type ItemImage } from '../../shared/kit/event-store/dynamodb-items.ts';
import type { EventEnvelope } from '../../shared/kit/events/envelope.ts';
import type { PutEventsEntry } from '../../shared/kit/events/eventbridge.ts';

/** Builders and an EventBridge double for the outbox publisher's unit tests. */

export const BUS = 'test-bus';

export function anEnvelope(n: number, data: Record<string, unknown> = {}): EventEnvelope {
  return {
    id: `evt-${n}-${randomUUID()}`,
    type: 'OrderPlaced',
    version: 2,
    source: 'orders.api',
    time: '2026-11-22T10:00:00.000Z',
    correlationId: 'corr-1',
    causationId: 'cmd-1',
    data: { orderId: `ord-${n}`, ...data },
  };
}

let sequence = 100;
export function record(eventName: string, image: ItemImage): OutboxStreamRecord {
  sequence += 1;
  return { eventName, dynamodb: { SequenceNumber: String(sequence), NewImage: image } };
}

export function inserted(envelope: EventEnvelope, version = 1): OutboxStreamRecord {
  const stored = {
    streamId: 'order-1',
    streamVersion: version,
    recordedAt: '2026-11-22T10:00:01.000Z',
    event: envelope,
  };
  return record('INSERT', commitItems([stored], undefined)[0] as ItemImage);
}

/** One inserted commit item holding several envelopes, versions `from`, `from + 1`, … */
export function insertedCommit(envelopes: readonly EventEnvelope[], from = 1): OutboxStreamRecord {
  const stored = envelopes.map((event, i) => ({
    streamId: 'order-1',
    streamVersion: from + i,
    recordedAt: '2026-11-22T10:00:01.000Z',
    event,
  }));
  return record('INSERT', commitItems(stored, undefined)[0] as ItemImage);
}

/** EventBridge double: records every request; `reject` decides per entry and call whether it fails. */
export class FakeEventBridge {
  readonly requests: PutEventsEntry[][] = [];
  constructor(
    private readonly reject: (entry: PutEventsEntry, call: number) => string | undefined = () => undefined,
  ) {}

  readonly putEvents = async (entries: readonly PutEventsEntry[]): Promise<PutEventsResult> => {
    this.requests.push([...entries]);
    const call = this.requests.length;
    const results = entries.map((entry) => {
      const code = this.reject(entry, call);
      return code ? { ErrorCode: code, ErrorMessage: 'rejected by the fake' } : { EventId: randomUUID() };
    });
    return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
  };
}

export function deps(fake: FakeEventBridge, overrides: Partial<PublishDependencies> = {}) {
  const sleeps: number[] = [];
  const dependencies: PublishDependencies = {
    putEvents: fake.putEvents,
    busName: BUS,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    ...overrides,
  };
  return { dependencies, sleeps };
}

export const idOf = (entry: PutEventsEntry) => JSON.parse(entry.Detail).id as string;

import { describe, expect, it } from 'vitest';
import type { StoredFact } from '../../bench/campaign/collect.ts';
import {
  type PlacedCommand,
  type ReadModelFacts,
  reconcileReadModel,
  type SummaryReading,
  summaryDifferences,
} from '../../bench/campaign/reconcile-read-model.ts';
import type { OrderSummary } from '../../shared/contexts/orders/domain/order-summary.ts';

const MATCH = 'every summary equals the one rebuilt from the store';
const NONE = 'no summary for a refused or never-started order';
const CONFLICT = 'conflicting commands refused, first order unchanged';

const fact = (
  streamId: string,
  type: string,
  data: Record<string, unknown> = {},
  id = `${streamId}-${type}`,
): StoredFact => ({ streamId, id, type, data, publishable: true });

const items = [{ sku: 'S1', qty: 2, unitPrice: 12.5 }];

function summary(overrides: Partial<OrderSummary> = {}): OrderSummary {
  return {
    orderId: 'o1',
    status: 'CONFIRMED',
    customerId: 'cus-1',
    items,
    total: 25,
    currency: 'EUR',
    authorizationId: 'a1',
    timeline: [
      { eventId: 'e1', type: 'OrderPlaced', at: '2025-01-01T00:00:00.000Z' },
      { eventId: 'e2', type: 'OrderConfirmed', at: '2025-01-01T00:00:01.000Z' },
    ],
    ...overrides,
  };
}

const original: PlacedCommand = {
  id: 'placed-1',
  data: { customerId: 'cus-1', items, total: 25, paymentToken: 'tok_ok' },
};
const conflicting: PlacedCommand = {
  id: 'placed-2',
  data: { customerId: 'cus-2', items: [{ sku: 'S2', qty: 1 }], total: 9, paymentToken: 'tok_declined' },
};

/** The streams of order o1 after the saga accepted `accepted` and refused `refused`. */
function conflictStream(accepted: PlacedCommand, refused: PlacedCommand): StoredFact[] {
  const stock = accepted.data.items.map(({ sku, qty }) => ({ sku, qty }));
  const { total, paymentToken } = accepted.data;
  return [
    fact('saga-order#o1', 'OrderPlaced', { orderId: 'o1', ...accepted.data }, accepted.id),
    fact('saga-order#o1', 'OrderRejected', { orderId: 'o1', reason: 'conflict', refusedEventId: refused.id }),
    fact('saga-order#o1', 'InventoryReservationRequested', { orderId: 'o1', items: stock }),
    fact('inventory-order#o1', 'InventoryReserved', { orderId: 'o1', items: stock }),
    fact('saga-order#o1', 'PaymentAuthorizationRequested', { orderId: 'o1', total, paymentToken }),
    fact('payment#o1', 'PaymentAuthorized', { orderId: 'o1', authorizationId: 'a1', amount: total }),
  ];
}

function facts(overrides: Partial<ReadModelFacts> = {}): ReadModelFacts {
  return {
    streams: new Map([['o1', [fact('saga-order#o1', 'OrderConfirmed', { orderId: 'o1' })]]]),
    summaries: new Map<string, SummaryReading>([['o1', { read: summary(), rebuilt: summary() }]]),
    conflicts: [],
    ...overrides,
  };
}

const failuresOf = (f: ReadModelFacts) =>
  Object.fromEntries(reconcileReadModel(f).map((c) => [c.name, c.failures]));

describe('campaign read model: summaries against the event store', () => {
  it('finds no difference between a summary and its JSON round trip with undefined fields dropped', () => {
    // Arrange
    const rebuilt = summary({ reason: undefined });
    const read = JSON.parse(JSON.stringify(rebuilt)) as OrderSummary;

    // Act & Assert
    expect(summaryDifferences(read, rebuilt)).toEqual([]);
    expect(summaryDifferences(undefined, undefined)).toEqual([]);
  });

  it('names each differing field, timeline event ids included, and fields it does not know', () => {
    // Arrange
    const read = { ...summary({ items: [{ sku: 'S9', qty: 1, unitPrice: 1 }] }), refusals: [] };
    const rebuilt = summary({
      timeline: [...summary().timeline, { eventId: 'e3', type: 'NotificationSent', at: 'z' }],
    });

    // Act
    const differences = summaryDifferences(read, rebuilt);

    // Assert
    expect(differences).toEqual([
      expect.stringMatching(/^items .*S9.* in the read model, .*S1.* rebuilt$/),
      'refusals [] in the read model, absent rebuilt',
      'timeline lacks NotificationSent e3',
    ]);
    expect(summaryDifferences(undefined, rebuilt)).toEqual(['no summary in the read model']);
  });

  it('passes when every summary equals the one rebuilt from the store', () => {
    // Assert
    expect(failuresOf(facts())).toEqual({ [MATCH]: [], [NONE]: [], [CONFLICT]: [] });
  });

  it('reports a summary whose items differ from the store, and one that could not be read', () => {
    // Arrange
    const streams = new Map([
      ['o1', [fact('saga-order#o1', 'OrderConfirmed')]],
      ['o2', [fact('saga-order#o2', 'OrderConfirmed')]],
    ]);
    const summaries = new Map<string, SummaryReading>([
      ['o1', { read: summary({ items: [{ sku: 'S2', qty: 1, unitPrice: 9 }] }), rebuilt: summary() }],
      ['o2', { error: 'could not read: throttled' }],
    ]);

    // Act
    const failures = failuresOf(facts({ streams, summaries }));

    // Assert
    expect(failures[MATCH]).toEqual([
      expect.stringMatching(/^o1: items .*S2.* in the read model/),
      'o2: could not read: throttled',
    ]);
  });

  it('passes a poison order and a dead-lettered order that have no summary', () => {
    // Arrange
    const summaries = new Map<string, SummaryReading>([['poison-1', {}]]);

    // Act
    const [match, none] = reconcileReadModel(facts({ streams: new Map(), summaries }));

    // Assert
    expect(match?.checked).toBe(0);
    expect(none).toMatchObject({ checked: 1, failures: [] });
  });

  it('reports a summary present for a poison order that has no saga stream', () => {
    // Arrange
    const summaries = new Map<string, SummaryReading>([
      ['poison-1', { read: summary({ status: 'PLACED' }) }],
    ]);

    // Act
    const failures = failuresOf(facts({ streams: new Map([['poison-1', []]]), summaries }));

    // Assert
    expect(failures[NONE]).toEqual(['poison-1: never started (no saga stream), yet a PLACED summary']);
    expect(failures[MATCH]).toEqual([]);
  });
});

describe('campaign read model: conflicting commands', () => {
  const conflictFacts = (stream: StoredFact[], read = summary()) =>
    facts({
      streams: new Map([['o1', stream]]),
      summaries: new Map([['o1', { read, rebuilt: read }]]),
      conflicts: [{ orderId: 'o1', original, conflicting }],
    });

  it('passes a refused conflict whether the planned or the conflicting command reached the saga first', () => {
    // Arrange
    const swappedSummary = summary({ customerId: 'cus-2', items: conflicting.data.items as never, total: 9 });

    // Act
    const planned = failuresOf(conflictFacts(conflictStream(original, conflicting)));
    const swapped = failuresOf(conflictFacts(conflictStream(conflicting, original), swappedSummary));

    // Assert
    expect(planned[CONFLICT]).toEqual([]);
    expect(swapped[CONFLICT]).toEqual([]);
  });

  it('reports a conflict without an OrderRejected and one whose summary shows the refused command', () => {
    // Arrange
    const stream = conflictStream(original, conflicting).filter((f) => f.type !== 'OrderRejected');
    const read = summary({ customerId: 'cus-2' });

    // Act
    const failures = failuresOf(conflictFacts(stream, read));

    // Assert
    expect(failures[CONFLICT]).toEqual([
      'o1: 0 OrderRejected refusing placed-2, expected 1',
      'o1: summary customerId "cus-2", accepted "cus-1"',
    ]);
  });

  it('reports a conflict whose refused command was charged and reserved', () => {
    // Arrange
    const stream = [
      ...conflictStream(original, conflicting),
      fact(
        'saga-order#o1',
        'PaymentAuthorizationRequested',
        { total: 9, paymentToken: 'tok_declined' },
        'p2',
      ),
      fact('inventory-order#o1', 'InventoryReserved', { items: [{ sku: 'S2', qty: 1 }] }, 'r2'),
    ];

    // Act
    const failures = failuresOf(conflictFacts(stream));

    // Assert
    expect(failures[CONFLICT]).toEqual([
      'o1: PaymentAuthorizationRequested p2 for 9 with tok_declined',
      expect.stringMatching(/^o1: InventoryReserved r2 for items .*S2/),
    ]);
  });

  it('reports a saga stream that stores neither command, or both', () => {
    // Arrange
    const both = [
      ...conflictStream(original, conflicting),
      fact('saga-order#o1', 'OrderPlaced', { ...conflicting.data }, conflicting.id),
    ];

    // Act
    const none = failuresOf(conflictFacts([fact('saga-order#o1', 'SagaStarted')]));
    const twice = failuresOf(conflictFacts(both));

    // Assert
    expect(none[CONFLICT]).toEqual([
      'o1: saga stream stores no OrderPlaced; checked against the planned placed-1',
      'o1: 0 OrderRejected refusing placed-2, expected 1',
    ]);
    expect(twice[CONFLICT]).toEqual([
      'o1: saga stream stores OrderPlaced placed-1, placed-2; expected one of placed-1, placed-2',
    ]);
  });
});

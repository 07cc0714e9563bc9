import { describe, expect, it } from 'vitest';
import type { StoredFact } from '../../bench/campaign/collect.ts';
import { DEFAULT_CAMPAIGN, kindsFor, planCampaign, seededRandom } from '../../bench/campaign/plan.ts';
import { type CampaignFacts, reconcile } from '../../bench/campaign/reconcile.ts';

const fact = (
  streamId: string,
  type: string,
  data: Record<string, unknown> = {},
  id = `${streamId}-${type}`,
): StoredFact => ({
  streamId,
  id,
  type,
  data,
  publishable: !type.startsWith('Stock'),
});

/** A confirmed order with everything in place: reservation, authorization, one notification. */
function confirmedOrder(orderId: string): StoredFact[] {
  return [
    fact(`inventory-order#${orderId}`, 'InventoryReserved', { orderId, items: [{ sku: 'S', qty: 2 }] }),
    fact(`payment#${orderId}`, 'PaymentAuthorized', { orderId, authorizationId: 'a1' }),
    fact(`saga-order#${orderId}`, 'OrderConfirmed', { orderId }),
    fact(`notifications#${orderId}`, 'NotificationSent', { orderId, channel: 'email' }),
  ];
}

function facts(overrides: Partial<CampaignFacts> = {}): CampaignFacts {
  const streams = new Map([['o1', confirmedOrder('o1')]]);
  return {
    orders: new Map([['o1', { kind: 'happy', conflicted: false }]]),
    streams,
    skus: new Map([
      [
        'S',
        [
          fact('inventory-sku#S', 'StockAdded', { sku: 'S', qty: 10 }),
          fact('inventory-sku#S', 'StockReserved', { sku: 'S', qty: 2, orderId: 'o1' }),
        ],
      ],
    ]),
    deadLetters: [],
    // What the bus carries of a clean order: its integration events, once each.
    captured: [...streams.values()]
      .flat()
      .filter((f) => f.type.startsWith('Order'))
      .map((f) => ({ id: f.id, type: f.type, source: 'orders.x', orderId: 'o1', stored: true })),
    poisonMarkers: [],
    ...overrides,
  };
}

const failuresOf = (all: ReturnType<typeof reconcile>) =>
  Object.fromEntries(all.filter((c) => c.failures.length > 0).map((c) => [c.name, c.failures]));

describe('campaign plan', () => {
  it('is the same for the same seed and has the asked mix, duplicates and poison', () => {
    // Act
    const a = planCampaign('r1', { ...DEFAULT_CAMPAIGN, orders: 200 });
    const b = planCampaign('r1', { ...DEFAULT_CAMPAIGN, orders: 200 });

    // Assert
    expect(a.orders.map((o) => o.kind)).toEqual(b.orders.map((o) => o.kind));
    expect(a.orders.filter((o) => o.kind === 'happy')).toHaveLength(120);
    expect(a.duplicates).toHaveLength(50);
    expect(a.conflicts).toHaveLength(4);
    expect(a.poison).toHaveLength(2);
    for (const c of a.conflicts) {
      const original = a.orders.find((o) => o.orderId === c.orderId);
      expect(c.event.data.orderId).toBe(c.orderId);
      expect(c.event.id).not.toBe(original?.event.id);
      // What a summary shows differs, so the read-model checks can tell which command it is from.
      expect(c.event.data.customerId).not.toBe(original?.event.data.customerId);
      expect(c.event.data.items).not.toEqual(original?.event.data.items);
    }
    for (const d of a.duplicates)
      expect(d.event.id).toBe(a.orders.find((o) => o.orderId === d.orderId)?.event.id);
  });

  it('draws exactly the rounded share of each kind', () => {
    // Act
    const kinds = kindsFor(
      10,
      { happy: 0.5, declined: 0.5, outOfStock: 0, flaky: 0, timeout: 0 },
      seededRandom(1),
    );

    // Assert
    expect(kinds.filter((k) => k === 'happy')).toHaveLength(5);
    expect(kinds).toHaveLength(10);
  });
});

describe('campaign reconciliation', () => {
  it('passes a clean confirmed order', () => {
    // Assert
    expect(failuresOf(reconcile(facts()))).toEqual({});
  });

  it('finds a double charge, a double notification and a second outcome', () => {
    // Arrange
    const stream = [
      ...confirmedOrder('o1'),
      fact('payment#o1', 'PaymentAuthorized', { orderId: 'o1', authorizationId: 'a2' }, 'second-auth'),
      fact('notifications#o1', 'NotificationSent', { orderId: 'o1', channel: 'email' }, 'second-mail'),
      fact('saga-order#o1', 'OrderCancelled', { orderId: 'o1' }),
    ];
    const captured = stream.map((f) => ({
      id: f.id,
      type: f.type,
      source: 'orders.x',
      orderId: 'o1',
      stored: true,
    }));

    // Act
    const failures = failuresOf(reconcile(facts({ streams: new Map([['o1', stream]]), captured })));

    // Assert
    expect(Object.keys(failures)).toEqual(
      expect.arrayContaining([
        'every order terminal (once) or dead-lettered with a reason',
        'no double charge; cancelled orders keep no authorization',
        'no double notification (per order and channel)',
      ]),
    );
  });

  it('finds stock that the SKU stream holds but no order does, and events published twice or never', () => {
    // Arrange
    const skus = new Map([
      [
        'S',
        [
          fact('inventory-sku#S', 'StockAdded', { sku: 'S', qty: 10 }),
          fact('inventory-sku#S', 'StockReserved', { sku: 'S', qty: 2, orderId: 'o1' }),
          fact('inventory-sku#S', 'StockReserved', { sku: 'S', qty: 2, orderId: 'o1' }, 'again'),
        ],
      ],
    ]);
    const stored = confirmedOrder('o1');
    const captured = [stored[0], stored[0], stored[1], stored[3]].map((f) => ({
      id: f?.id ?? '',
      type: f?.type ?? '',
      source: 'orders.x',
      orderId: 'o1',
      stored: true,
    }));
    // A producer's command on the bus (no stored mark) is not a publication of the outbox.
    const intake = { id: stored[1]?.id ?? '', type: 'OrderPlaced', source: 'orders.api', orderId: 'o1' };

    // Act
    const failures = failuresOf(reconcile(facts({ skus, captured: [...captured, intake] })));

    // Assert
    expect(failures['no double reservation; held stock matches the outcome']?.[0]).toContain(
      'reserved 2 times',
    );
    expect(failures['stock conserved (initial = available + held by orders)']?.[0]).toContain('holds 4');
    const published = failures['every stored integration event published on the bus exactly once'] ?? [];
    expect(
      published.filter((f) => f.startsWith('OrderConfirmed') && f.endsWith('published 0 times')),
    ).toHaveLength(1);
    // The pipeline's own events go to the consumers' queues; on the bus they are a failure each time.
    expect(
      published.filter((f) => f.includes('on the bus, though only integration events go there')),
    ).toHaveLength(4);
  });

  it('accepts an order without outcome only when its message is dead-lettered with a reason, and checks poison', () => {
    // Arrange
    const orders = new Map([
      ['o1', { kind: 'happy' as const, conflicted: false }],
      ['o2', { kind: 'happy' as const, conflicted: false }],
    ]);
    const deadLetters = [
      { queue: 'q-dlq', kind: 'consumer', reason: 'validation failed', body: '{"orderId":"o2"}' },
      { queue: 'q-dlq', kind: 'consumer', reason: 'invalid', body: '{"orderId":"poison-1"}' },
    ];

    // Act
    const failures = failuresOf(
      reconcile(facts({ orders, deadLetters, poisonMarkers: ['poison-1', 'poison-2'] })),
    );

    // Assert
    expect(failures['every order terminal (once) or dead-lettered with a reason']).toBeUndefined();
    expect(failures['poison messages dead-lettered with a reason, nothing started']).toEqual([
      'poison-2: in no DLQ with a reason',
    ]);
  });
});

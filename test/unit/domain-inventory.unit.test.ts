import { describe, expect, it } from 'vitest';
import {
  decideRelease,
  decideReservation,
  decideRestock,
  evolveReservation,
  evolveSkuStock,
  initialReservation,
  initialSkuStock,
  MAX_SKUS_PER_RESERVATION,
  mergeItems,
  type OrderReservation,
  type SkuStock,
} from '../../shared/contexts/orders/domain/inventory.ts';
import { createEvent } from '../../shared/contexts/orders/events/catalog.ts';
import {
  availableStock,
  inventoryStreams,
  releaseInventory,
  reserveInventory,
  restockInventory,
} from '../../shared/contexts/orders/use-cases/inventory.ts';
import { ValidationError } from '../../shared/kit/errors/pipeline-error.ts';
import { InMemoryEventStore } from '../../shared/kit/event-store/in-memory.ts';
import { ManualClock } from '../fakes/clock.ts';
import { contextFor } from '../fakes/context.ts';

const stockOf = (...levels: [string, number][]): Map<string, SkuStock> =>
  new Map(levels.map(([sku, available]) => [sku, { sku, available }]));

const reserved = (orderId: string, items: { sku: string; qty: number }[]): OrderReservation =>
  evolveReservation(initialReservation(orderId), { type: 'InventoryReserved', data: { orderId, items } });

describe('inventory decisions', () => {
  it('reserves every item of an order and takes the stock of each SKU', () => {
    // Arrange
    const stock = stockOf(['BOOK', 5], ['MUG', 1]);

    // Act
    const decision = decideReservation(initialReservation('ord-1'), stock, [
      { sku: 'MUG', qty: 1 },
      { sku: 'BOOK', qty: 2 },
    ]);

    // Assert
    expect(decision.order).toEqual([
      {
        type: 'InventoryReserved',
        data: {
          orderId: 'ord-1',
          items: [
            { sku: 'BOOK', qty: 2 },
            { sku: 'MUG', qty: 1 },
          ],
        },
      },
    ]);
    expect(decision.stock).toEqual([
      { type: 'StockReserved', data: { sku: 'BOOK', qty: 2, orderId: 'ord-1' } },
      { type: 'StockReserved', data: { sku: 'MUG', qty: 1, orderId: 'ord-1' } },
    ]);
  });

  it('reserves nothing when one SKU is short and names that SKU in the reason', () => {
    // Arrange
    const stock = stockOf(['BOOK', 5], ['MUG', 1]);

    // Act
    const decision = decideReservation(initialReservation('ord-1'), stock, [
      { sku: 'BOOK', qty: 2 },
      { sku: 'MUG', qty: 3 },
      { sku: 'LAMP', qty: 1 },
    ]);

    // Assert
    expect(decision.stock).toEqual([]);
    expect(decision.order).toEqual([
      {
        type: 'InventoryReservationFailed',
        data: {
          orderId: 'ord-1',
          reason: 'insufficient stock: LAMP (requested 1, available 0), MUG (requested 3, available 1)',
        },
      },
    ]);
  });

  it('adds up repeated lines of one SKU before checking the stock', () => {
    // Arrange
    const stock = stockOf(['BOOK', 3]);

    // Act
    const decision = decideReservation(initialReservation('ord-1'), stock, [
      { sku: 'BOOK', qty: 2 },
      { sku: 'BOOK', qty: 2 },
    ]);

    // Assert
    expect(decision.order[0]?.type).toBe('InventoryReservationFailed');
    expect(
      mergeItems([
        { sku: 'B', qty: 1 },
        { sku: 'A', qty: 1 },
        { sku: 'B', qty: 2 },
      ]),
    ).toEqual([
      { sku: 'A', qty: 1 },
      { sku: 'B', qty: 3 },
    ]);
  });

  it('decides nothing new for an order that already has a reservation or a failure', () => {
    // Arrange
    const stock = stockOf(['BOOK', 5]);
    const failed = evolveReservation(initialReservation('ord-2'), {
      type: 'InventoryReservationFailed',
      data: { orderId: 'ord-2', reason: 'x' },
    });

    // Act
    const again = decideReservation(reserved('ord-1', [{ sku: 'BOOK', qty: 1 }]), stock, [
      { sku: 'BOOK', qty: 1 },
    ]);
    const afterFailure = decideReservation(failed, stock, [{ sku: 'BOOK', qty: 1 }]);

    // Assert
    expect(again).toEqual({ order: [], stock: [] });
    expect(afterFailure).toEqual({ order: [], stock: [] });
  });

  it('fails an order with more SKUs than one transaction can reserve', () => {
    // Arrange
    const lines = Array.from({ length: MAX_SKUS_PER_RESERVATION + 1 }, (_, i) => ({ sku: `S${i}`, qty: 1 }));
    const stock = new Map(lines.map((l) => [l.sku, { sku: l.sku, available: 9 }]));

    // Act
    const decision = decideReservation(initialReservation('ord-1'), stock, lines);

    // Assert
    expect(decision.order[0]).toMatchObject({ type: 'InventoryReservationFailed' });
    expect(decision.stock).toEqual([]);
  });

  it('releases exactly what the order reserved', () => {
    // Arrange
    const reservation = reserved('ord-1', [
      { sku: 'BOOK', qty: 2 },
      { sku: 'MUG', qty: 1 },
    ]);

    // Act
    const decision = decideRelease(reservation);

    // Assert
    expect(decision.order).toEqual([
      {
        type: 'InventoryReleased',
        data: {
          orderId: 'ord-1',
          items: [
            { sku: 'BOOK', qty: 2 },
            { sku: 'MUG', qty: 1 },
          ],
        },
      },
    ]);
    expect(decision.stock.map((e) => [e.type, e.data.sku, e.data.qty])).toEqual([
      ['StockReleased', 'BOOK', 2],
      ['StockReleased', 'MUG', 1],
    ]);
  });

  it('releases nothing twice, and nothing for an order that never reserved', () => {
    // Arrange
    const released = evolveReservation(reserved('ord-1', [{ sku: 'BOOK', qty: 2 }]), {
      type: 'InventoryReleased',
      data: { orderId: 'ord-1', items: [{ sku: 'BOOK', qty: 2 }] },
    });

    // Act
    const twice = decideRelease(released);
    const never = decideRelease(initialReservation('ord-9'));

    // Assert
    expect(twice).toEqual({ order: [], stock: [] });
    expect(never).toEqual({ order: [], stock: [] });
  });

  it('folds stock movements into the available quantity', () => {
    // Arrange
    const events = [
      decideRestock('BOOK', 5),
      { type: 'StockReserved', data: { sku: 'BOOK', qty: 2, orderId: 'o' } },
      { type: 'StockReleased', data: { sku: 'BOOK', qty: 2, orderId: 'o' } },
      { type: 'StockReserved', data: { sku: 'BOOK', qty: 1, orderId: 'p' } },
    ];

    // Act
    const stock = events.reduce(evolveSkuStock, initialSkuStock('BOOK'));

    // Assert
    expect(stock).toEqual({ sku: 'BOOK', available: 4 });
  });

  it('refuses to restock a non-positive quantity', () => {
    // Act
    const restock = () => decideRestock('BOOK', 0);

    // Assert
    expect(restock).toThrow(ValidationError);
  });
});

describe('inventory use cases on the event store', () => {
  async function setup() {
    const clock = new ManualClock();
    const store = new InMemoryEventStore({ clock: clock.now });
    await restockInventory(store, { sku: 'BOOK', qty: 5 }, { correlationId: 'seed', events: clock });
    await restockInventory(store, { sku: 'MUG', qty: 1 }, { correlationId: 'seed', events: clock });
    const request = (orderId: string, items: { sku: string; qty: number }[]) =>
      createEvent('InventoryReservationRequested', { orderId, items }, { correlationId: orderId }, clock);
    return { clock, store, request };
  }

  it('writes the order fact and every SKU movement in one atomic append', async () => {
    // Arrange
    const { clock, store, request } = await setup();
    const event = request('ord-1', [
      { sku: 'BOOK', qty: 2 },
      { sku: 'MUG', qty: 1 },
    ]);

    // Act
    await reserveInventory({ store }, event.data, contextFor(event, clock, 'inventory'));

    // Assert
    const order = await store.read(inventoryStreams.order('ord-1'));
    expect(order.events.map((e) => e.event.type)).toEqual(['InventoryReserved']);
    expect(order.events[0]?.event.causationId).toBe(event.id);
    expect(await availableStock(store, 'BOOK')).toBe(3);
    expect(await availableStock(store, 'MUG')).toBe(0);
    const sku = await store.read(inventoryStreams.sku('MUG'));
    expect(sku.events.at(-1)?.event.metadata).toEqual({ internal: true });
  });

  it('fails an order of 1,000 SKUs without reading a single SKU stream', async () => {
    // Arrange: every read of the store is recorded with the stream it asks for.
    const { clock, store, request } = await setup();
    const streamsRead: string[] = [];
    const recording = new Proxy(store, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          if (typeof args[0] === 'string') streamsRead.push(args[0]);
          return value.apply(target, args);
        };
      },
    });
    const items = Array.from({ length: 1000 }, (_, i) => ({ sku: `SKU-${i}`, qty: 1 }));
    const event = request('ord-huge', items);

    // Act
    await reserveInventory({ store: recording }, event.data, contextFor(event, clock, 'inventory'));

    // Assert
    const order = await store.read(inventoryStreams.order('ord-huge'));
    expect(order.events.map((e) => e.event.type)).toEqual(['InventoryReservationFailed']);
    expect(order.events[0]?.event.data).toMatchObject({
      reason: `order has 1000 SKUs; at most ${MAX_SKUS_PER_RESERVATION} can be reserved together`,
    });
    expect(streamsRead.filter((id) => id.startsWith('inventory-sku#'))).toEqual([]);
  });

  it('handles the same request twice as one reservation', async () => {
    // Arrange
    const { clock, store, request } = await setup();
    const event = request('ord-1', [{ sku: 'BOOK', qty: 2 }]);

    // Act
    const first = await reserveInventory({ store }, event.data, contextFor(event, clock, 'inventory'));
    const second = await reserveInventory({ store }, event.data, contextFor(event, clock, 'inventory'));

    // Assert
    expect([first, second]).toEqual(['handled', 'duplicate']);
    expect(await availableStock(store, 'BOOK')).toBe(3);
  });

  it('answers a repeated request from one read of the order stream, no SKU stream read', async () => {
    // Arrange: reads of the store after the first reservation are recorded with their stream.
    const { clock, store, request } = await setup();
    const event = request('ord-1', [{ sku: 'BOOK', qty: 2 }]);
    await reserveInventory({ store }, event.data, contextFor(event, clock, 'inventory'));
    const reads: string[] = [];
    const readAll = store.readAll.bind(store);
    store.readAll = (streamId, fromVersion) => {
      reads.push(streamId);
      return readAll(streamId, fromVersion);
    };

    // Act
    const again = await reserveInventory({ store }, event.data, contextFor(event, clock, 'inventory'));

    // Assert
    expect(again).toBe('duplicate');
    expect(reads).toEqual([inventoryStreams.order('ord-1')]);
  });

  it('gives the last unit to one of two concurrent orders and fails the other', async () => {
    // Arrange
    const { clock, store, request } = await setup();
    const a = request('ord-a', [{ sku: 'MUG', qty: 1 }]);
    const b = request('ord-b', [{ sku: 'MUG', qty: 1 }]);
    const retry = { sleep: async () => undefined };

    // Act
    await Promise.all([
      reserveInventory({ store, retry }, a.data, contextFor(a, clock, 'inventory')),
      reserveInventory({ store, retry }, b.data, contextFor(b, clock, 'inventory')),
    ]);

    // Assert
    const outcomes = await Promise.all(
      ['ord-a', 'ord-b'].map(
        async (id) => (await store.read(inventoryStreams.order(id))).events[0]?.event.type,
      ),
    );
    expect(outcomes.sort()).toEqual(['InventoryReservationFailed', 'InventoryReserved']);
    expect(await availableStock(store, 'MUG')).toBe(0);
  });

  it('restores the stock on release and releases only once', async () => {
    // Arrange
    const { clock, store, request } = await setup();
    const event = request('ord-1', [{ sku: 'BOOK', qty: 2 }]);
    await reserveInventory({ store }, event.data, contextFor(event, clock, 'inventory'));
    const release = createEvent(
      'InventoryReleaseRequested',
      { orderId: 'ord-1', reason: 'declined' },
      { correlationId: 'c' },
      clock,
    );

    // Act
    await releaseInventory({ store }, 'ord-1', contextFor(release, clock, 'inventory'));
    const again = await releaseInventory({ store }, 'ord-1', contextFor(release, clock, 'inventory'));

    // Assert
    expect(again).toBe('duplicate');
    expect(await availableStock(store, 'BOOK')).toBe(5);
    const order = await store.read(inventoryStreams.order('ord-1'));
    expect(order.events.map((e) => e.event.type)).toEqual(['InventoryReserved', 'InventoryReleased']);
  });
});

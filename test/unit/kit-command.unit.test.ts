import { describe, expect, it, vi } from 'vitest';
import {
  type Answers,
  append,
  type Decision,
  handleCommand,
  handleMultiStreamCommand,
  handleOperatorCommand,
  type MultiStreamCommand,
} from '../../shared/kit/consumer/command.ts';
import { createHandlerContext } from '../../shared/kit/consumer/context.ts';
import { EventIdReusedError } from '../../shared/kit/consumer/errors.ts';
import type { HandlerContext } from '../../shared/kit/consumer/types.ts';
import { InMemoryEventStore } from '../../shared/kit/event-store/in-memory.ts';
import type { AggregateOptions } from '../../shared/kit/event-store/load-aggregate.ts';
import type { EventEnvelope } from '../../shared/kit/events/envelope.ts';
import { createInternalEvent } from '../../shared/kit/events/internal.ts';
import { ManualClock } from '../fakes/clock.ts';
import { given } from '../fakes/given-when-then.ts';
import { RecordingLogger } from '../fakes/logger.ts';
import { type Shop, shopCatalog, shopEvent, shopFact } from '../fakes/test-context.ts';

/** A cart: the quantity per SKU and whether it was checked out; the decider below is pure. */
interface Cart {
  readonly items: Readonly<Record<string, number>>;
  readonly checkedOut: boolean;
  readonly added: readonly string[];
}
const cart: AggregateOptions<Cart> = {
  initial: () => ({ items: {}, checkedOut: false, added: [] }),
  evolve: (state, event) => {
    const data = event.data as { sku?: string; qty?: number };
    if (event.type === 'ItemAdded' && data.sku !== undefined) {
      const items = { ...state.items, [data.sku]: (state.items[data.sku] ?? 0) + (data.qty ?? 0) };
      return { ...state, items, added: [...state.added, event.causationId ?? ''] };
    }
    if (event.type === 'CartCheckedOut') return { ...state, checkedOut: true };
    return state;
  },
};

/** Adding to a checked-out cart changes nothing; an add already caused by this input is a duplicate. */
function decideAdd(state: Cart, inputId: string, sku: string, qty: number): Decision<Shop> {
  if (state.added.includes(inputId)) return { kind: 'duplicate' };
  if (state.checkedOut) return { kind: 'ignore', why: 'cart checked out' };
  return append<Shop>([{ type: 'ItemAdded', data: { cartId: 'cart-1', sku, qty } }]);
}

function contextOf(event: EventEnvelope, logger = new RecordingLogger()): HandlerContext<Shop> {
  return createHandlerContext({
    catalog: shopCatalog,
    consumer: 'cart',
    record: { messageId: `msg-${event.id}`, attributes: { ApproximateReceiveCount: '1' } as never },
    event,
    logger,
    factory: new ManualClock(),
  });
}

const request = (id: string, qty = 1) =>
  shopEvent('ItemAdded', { cartId: 'cart-1', sku: 'SKU-1', qty }, { id }) as EventEnvelope;

function addCommand(store: InMemoryEventStore, input: EventEnvelope) {
  const { sku, qty } = input.data as { sku: string; qty: number };
  return {
    store,
    streamId: 'cart#cart-1',
    aggregate: cart,
    decide: (state: Cart) => decideAdd(state, input.id, sku, qty),
  };
}

describe('the command kernel (load → decide → append with idempotency → retry on conflict)', () => {
  it('appends what the decider decided, caused by the input, and answers handled', async () => {
    // Arrange
    const store = new InMemoryEventStore();
    const input = request('req-1', 2);

    // Act
    const outcome = await handleCommand(addCommand(store, input), contextOf(input));

    // Assert
    expect(outcome).toBe('handled');
    const [stored] = (await store.read('cart#cart-1')).events;
    expect(stored?.event).toMatchObject({ type: 'ItemAdded', causationId: 'req-1', data: { qty: 2 } });
  });

  it('answers duplicate for a redelivered input and writes nothing twice', async () => {
    const store = new InMemoryEventStore();
    const input = request('req-1');
    await handleCommand(addCommand(store, input), contextOf(input));

    const again = await handleCommand(addCommand(store, input), contextOf(input));

    expect(again).toBe('duplicate');
    expect((await store.read('cart#cart-1')).events).toHaveLength(1);
  });

  it('refuses the same input id with other content instead of skipping it', async () => {
    const store = new InMemoryEventStore();
    await handleCommand(addCommand(store, request('req-1', 1)), contextOf(request('req-1', 1)));
    const reused = request('req-1', 5);

    const attempt = handleCommand(addCommand(store, reused), contextOf(reused));

    await expect(attempt).rejects.toBeInstanceOf(EventIdReusedError);
    expect((await store.read('cart#cart-1')).events).toHaveLength(1);
  });

  it('logs why an input changes nothing and answers handled', async () => {
    const store = new InMemoryEventStore();
    await store.append(
      'cart#cart-1',
      [shopEvent('CartCheckedOut', { cartId: 'cart-1', total: 10 }) as EventEnvelope],
      { expectedVersion: 0 },
    );
    const logger = new RecordingLogger();
    const input = request('req-2');

    const outcome = await handleCommand(addCommand(store, input), contextOf(input, logger));

    expect(outcome).toBe('handled');
    expect(logger.lines).toContainEqual(
      expect.objectContaining({
        message: 'input changes nothing',
        fields: expect.objectContaining({ reason: 'cart checked out' }),
      }),
    );
    expect((await store.read('cart#cart-1')).events).toHaveLength(1);
  });

  it('stores an accepted input as it arrived (the intake write), same id', async () => {
    const store = new InMemoryEventStore();
    const input = request('cmd-1');

    const outcome = await handleCommand(
      { store, streamId: 'cart#cart-1', aggregate: cart, decide: () => ({ kind: 'accept' }) },
      contextOf(input),
    );

    expect(outcome).toBe('handled');
    expect((await store.read('cart#cart-1')).events.map((e) => e.event.id)).toEqual(['cmd-1']);
  });

  it('refuses with EventIdReusedError when the decider recognises a reused id from state', async () => {
    const store = new InMemoryEventStore();
    const input = request('cmd-1');

    const attempt = handleCommand(
      {
        store,
        streamId: 'cart#cart-1',
        aggregate: cart,
        decide: () => ({ kind: 'reused', storedHash: 'sha256:other' }),
      },
      contextOf(input),
    );

    await expect(attempt).rejects.toBeInstanceOf(EventIdReusedError);
  });

  it('decides again on the new state after a concurrent writer took the version', async () => {
    // Arrange: two different inputs race for the same stream version.
    const store = new InMemoryEventStore();
    const first = request('req-a');
    const second = request('req-b');

    // Act
    const outcomes = await Promise.all([
      handleCommand(addCommand(store, first), contextOf(first)),
      handleCommand(addCommand(store, second), contextOf(second)),
    ]);

    // Assert: both written, one after the other, none lost.
    expect(outcomes).toEqual(['handled', 'handled']);
    const events = (await store.read('cart#cart-1')).events;
    expect(events.map((e) => e.event.causationId).sort()).toEqual(['req-a', 'req-b']);
    expect(events.map((e) => e.streamVersion)).toEqual([1, 2]);
  });

  it('refuses internal facts without the source that owns them', async () => {
    const store = new InMemoryEventStore();
    const input = request('req-1');

    const attempt = handleCommand(
      {
        store,
        streamId: 'cart#cart-1',
        aggregate: cart,
        decide: () => append<Shop>([], [{ type: 'CartTouched', data: {} }]),
      },
      contextOf(input),
    );

    await expect(attempt).rejects.toThrow(/internal facts need the command's internalSource/);
  });
});

/** Counts the stream reads of a store (`readAll` is how every load and reuse check reads). */
function countingReads(store: InMemoryEventStore): { store: InMemoryEventStore; reads: string[] } {
  const reads: string[] = [];
  const readAll = store.readAll.bind(store);
  store.readAll = (streamId: string, fromVersion?: number) => {
    reads.push(`${streamId}@${fromVersion ?? 1}`);
    return readAll(streamId, fromVersion);
  };
  return { store, reads };
}

describe('the command kernel without a second read for a duplicate', () => {
  it('answers a redelivery from the load alone, reading the stream once', async () => {
    // Arrange
    const { store, reads } = countingReads(new InMemoryEventStore());
    const input = request('req-1');
    await handleCommand(addCommand(store, input), contextOf(input));
    reads.length = 0;

    // Act
    const again = await handleCommand(addCommand(store, input), contextOf(input));

    // Assert
    expect(again).toBe('duplicate');
    expect(reads).toEqual(['cart#cart-1@1']);
  });

  it('still refuses a reused id hidden behind a snapshot, reading only up to the snapshot', async () => {
    // Arrange: a snapshot after every event, so the redelivery's load folds nothing of the first write.
    const { store, reads } = countingReads(new InMemoryEventStore());
    const snapshotting = (input: EventEnvelope) => ({
      ...addCommand(store, input),
      aggregate: { ...cart, snapshotEvery: 1 },
    });
    await handleCommand(snapshotting(request('req-1', 1)), contextOf(request('req-1', 1)));
    await handleCommand(snapshotting(request('req-2', 1)), contextOf(request('req-2', 1)));
    reads.length = 0;
    const reused = request('req-1', 5);

    // Act
    const attempt = handleCommand(snapshotting(reused), contextOf(reused));

    // Assert: the tail after the snapshot (taken at version 1, req-1's write), then the covered part.
    await expect(attempt).rejects.toBeInstanceOf(EventIdReusedError);
    expect(reads).toEqual(['cart#cart-1@2', 'cart#cart-1@1']);
  });
});

/** A payment: taken once; the charge at the provider is an effect the decider asks for. */
interface Payment {
  readonly taken?: string;
}
const payment: AggregateOptions<Payment> = {
  initial: () => ({}),
  evolve: (state, event) =>
    event.type === 'PaymentTaken' ? { taken: (event.data as { paymentId: string }).paymentId } : state,
};
type Charge = { readonly key: 'charge'; readonly amount: number };

/** Pure: a taken payment is a duplicate; otherwise the charge's answer, once there is one, is stored. */
function decidePayment(state: Payment, answers: Answers<string>, amount: number): Decision<Shop, Charge> {
  if (state.taken !== undefined) return { kind: 'duplicate' };
  const paymentId = answers.get('charge');
  if (paymentId === undefined) return { kind: 'effect', effect: { key: 'charge', amount } };
  return append<Shop>([{ type: 'PaymentTaken', data: { cartId: 'cart-1', paymentId, amount } }]);
}

const payRequest = (id: string) =>
  shopEvent('PaymentRequested', { cartId: 'cart-1', amount: 12, currency: 'EUR' }, { id }) as EventEnvelope;

function payCommand(store: InMemoryEventStore, charges: number[], during?: () => Promise<void>) {
  return {
    store,
    streamId: 'payment#cart-1',
    aggregate: payment,
    decide: (state: Payment, answers: Answers<string>) => decidePayment(state, answers, 12),
    effect: async (effect: Charge) => {
      charges.push(effect.amount);
      await during?.();
      return `pay-${charges.length}`;
    },
    retry: { sleep: async () => undefined },
  };
}

describe('the command kernel with an effect step', () => {
  it('performs the effect the decider asks for, then stores what its answer decides', async () => {
    const store = new InMemoryEventStore();
    const charges: number[] = [];
    const input = payRequest('pay-req-1');

    const outcome = await handleCommand(payCommand(store, charges), contextOf(input));

    expect(outcome).toBe('handled');
    expect(charges).toEqual([12]);
    const [stored] = (await store.read('payment#cart-1')).events;
    expect(stored?.event).toMatchObject({ type: 'PaymentTaken', data: { paymentId: 'pay-1' } });
  });

  it('does not perform the effect again when a concurrent writer forces a second attempt', async () => {
    // Arrange: while the provider answers, another writer takes the stream's next version.
    const store = new InMemoryEventStore();
    const charges: number[] = [];
    const concurrent = async () => {
      if (charges.length > 1) return;
      const other = shopEvent('ReceiptSent', { cartId: 'cart-1', channel: 'email' }) as EventEnvelope;
      await store.append('payment#cart-1', [other], { expectedVersion: 0 });
    };
    const input = payRequest('pay-req-1');

    // Act
    const outcome = await handleCommand(payCommand(store, charges, concurrent), contextOf(input));

    // Assert: one charge; its answer stored on the reloaded stream, after the other writer's event.
    expect(outcome).toBe('handled');
    expect(charges).toEqual([12]);
    const events = (await store.read('payment#cart-1')).events;
    expect(events.map((e) => [e.streamVersion, e.event.type])).toEqual([
      [1, 'ReceiptSent'],
      [2, 'PaymentTaken'],
    ]);
  });

  it('answers a redelivery after the write as a duplicate without performing the effect', async () => {
    const store = new InMemoryEventStore();
    const charges: number[] = [];
    const input = payRequest('pay-req-1');
    await handleCommand(payCommand(store, charges), contextOf(input));

    const again = await handleCommand(payCommand(store, charges), contextOf(input));

    expect(again).toBe('duplicate');
    expect(charges).toEqual([12]);
  });

  it('writes nothing when the effect fails, so the redelivery performs it again', async () => {
    const store = new InMemoryEventStore();
    const input = payRequest('pay-req-1');
    const failing = {
      ...payCommand(store, []),
      effect: async (): Promise<string> => {
        throw new Error('provider down');
      },
    };

    const attempt = handleCommand(failing, contextOf(input));

    await expect(attempt).rejects.toThrow('provider down');
    expect((await store.read('payment#cart-1')).events).toEqual([]);
  });

  it('refuses a decider that asks for an effect without the command performing effects', async () => {
    const store = new InMemoryEventStore();
    const input = payRequest('pay-req-1');
    const { effect: _none, ...withoutEffect } = payCommand(store, []);

    const attempt = handleCommand(withoutEffect, contextOf(input));

    await expect(attempt).rejects.toThrow(/effect charge needs the command's effect/);
  });
});

/** Stock of one SKU: 3 units, less what was taken. */
interface Stock {
  readonly available: number;
}
const stock: AggregateOptions<Stock> = {
  initial: () => ({ available: 3 }),
  evolve: (state, event) =>
    event.type === 'StockTaken'
      ? { available: state.available - (event.data as { qty: number }).qty }
      : state,
};
/** A cart's reservation: whether one was decided. */
const reservation: AggregateOptions<{ readonly decided: boolean }> = {
  initial: () => ({ decided: false }),
  evolve: (state, event) => (event.type.startsWith('StockReserv') ? { decided: true } : state),
};
const LINES = [
  { sku: 'SKU-1', qty: 2 },
  { sku: 'SKU-2', qty: 1 },
];
const stockStream = (sku: string) => `stock#${sku}`;

/** Reserves every line or none: the cart's fact in its stream, one internal movement per SKU stream. */
function reserveCommand(
  store: InMemoryEventStore,
): MultiStreamCommand<{ readonly decided: boolean }, Stock, Shop> {
  return {
    store,
    streamId: 'reservation#cart-1',
    aggregate: reservation,
    related: (state) => (state.decided ? [] : LINES.map((line) => stockStream(line.sku))),
    relatedAggregate: () => stock,
    decide: (state, levels) => {
      if (state.decided) return { kind: 'duplicate' };
      const short = LINES.filter((line) => (levels.get(stockStream(line.sku))?.available ?? 0) < line.qty);
      if (short.length > 0) {
        const reason = `short: ${short.map((line) => line.sku).join(', ')}`;
        return {
          kind: 'append',
          writes: [
            {
              streamId: 'reservation#cart-1',
              facts: [shopFact('StockReservationFailed', { cartId: 'cart-1', reason })],
            },
          ],
        };
      }
      return {
        kind: 'append',
        writes: [
          {
            streamId: 'reservation#cart-1',
            facts: [shopFact('StockReserved', { cartId: 'cart-1', lines: LINES })],
          },
          ...LINES.map((line) => ({
            streamId: stockStream(line.sku),
            internal: [{ type: 'StockTaken', data: line }],
          })),
        ],
      };
    },
    internalSource: 'shop.stock',
    retry: { sleep: async () => undefined },
  };
}

const reserveRequest = (id: string) =>
  shopEvent('StockReservationRequested', { cartId: 'cart-1' }, { id }) as EventEnvelope;

const taken = (sku: string, qty: number) =>
  createInternalEvent(
    shopCatalog,
    'StockTaken',
    { sku, qty },
    { correlationId: 'other', source: 'shop.stock' },
  );

describe('the multi-stream command kernel', () => {
  it('writes the input stream and every related stream in one atomic append, caused by the input', async () => {
    // Arrange
    const store = new InMemoryEventStore();
    const appendMany = vi.spyOn(store, 'appendMany');
    const input = reserveRequest('res-1');

    // Act
    const outcome = await handleMultiStreamCommand(reserveCommand(store), contextOf(input));

    // Assert
    expect(outcome).toBe('handled');
    expect(appendMany).toHaveBeenCalledTimes(1);
    expect(appendMany.mock.calls[0]?.[0].map((part) => [part.streamId, part.expectedVersion])).toEqual([
      ['reservation#cart-1', 0],
      ['stock#SKU-1', 0],
      ['stock#SKU-2', 0],
    ]);
    const [movement] = (await store.read('stock#SKU-1')).events;
    expect(movement?.event).toMatchObject({ type: 'StockTaken', causationId: 'res-1', source: 'shop.stock' });
  });

  it('loads and decides again when a concurrent writer took a related stream version', async () => {
    // Arrange: another order takes 2 units of SKU-1 between this command's load and its write.
    const store = new InMemoryEventStore();
    const appendMany = store.appendMany.bind(store);
    let raced = false;
    store.appendMany = async (appends, options) => {
      if (!raced) {
        raced = true;
        await store.append('stock#SKU-1', [taken('SKU-1', 2)], { expectedVersion: 0 });
      }
      return appendMany(appends, options);
    };
    const input = reserveRequest('res-1');

    // Act
    const outcome = await handleMultiStreamCommand(reserveCommand(store), contextOf(input));

    // Assert: decided again on 1 unit left, so the whole reservation fails and no stock moves.
    expect(outcome).toBe('handled');
    const events = (await store.read('reservation#cart-1')).events;
    expect(events.map((e) => e.event.type)).toEqual(['StockReservationFailed']);
    expect((await store.read('stock#SKU-2')).events).toEqual([]);
  });

  it('answers a redelivery as a duplicate from the input stream alone', async () => {
    const { store, reads } = countingReads(new InMemoryEventStore());
    const input = reserveRequest('res-1');
    await handleMultiStreamCommand(reserveCommand(store), contextOf(input));
    reads.length = 0;

    const again = await handleMultiStreamCommand(reserveCommand(store), contextOf(input));

    expect(again).toBe('duplicate');
    expect(reads).toEqual(['reservation#cart-1@1']);
  });

  it('refuses a write to a stream the decision never loaded', async () => {
    const store = new InMemoryEventStore();
    const input = reserveRequest('res-1');
    const unloaded: MultiStreamCommand<{ readonly decided: boolean }, Stock, Shop> = {
      ...reserveCommand(store),
      related: () => [],
      decide: () => ({
        kind: 'append',
        writes: [
          { streamId: 'stock#SKU-1', internal: [{ type: 'StockTaken', data: { sku: 'SKU-1', qty: 1 } }] },
        ],
      }),
    };

    const attempt = handleMultiStreamCommand(unloaded, contextOf(input));

    await expect(attempt).rejects.toThrow(/stock#SKU-1: written but not among the command's related streams/);
  });
});

describe('the operator command kernel (no input behind it)', () => {
  it('appends at the version it loaded, loading again after a concurrent writer took it', async () => {
    // Arrange: another writer stores a movement between the first load and the append.
    const store = new InMemoryEventStore();
    const appendOnce = store.append.bind(store);
    let raced = false;
    store.append = async (streamId, events, options) => {
      if (!raced) {
        raced = true;
        await appendOnce('stock#SKU-1', [taken('SKU-1', 1)], { expectedVersion: 0 });
      }
      return appendOnce(streamId, events, options);
    };
    const added = createInternalEvent(
      shopCatalog,
      'StockAdded',
      { sku: 'SKU-1', qty: 5 },
      { correlationId: 'seed', source: 'shop.stock' },
    );
    const seen: number[] = [];

    // Act
    const stored = await handleOperatorCommand({
      store,
      streamId: 'stock#SKU-1',
      aggregate: stock,
      decide: (state) => {
        seen.push(state.available);
        return [added];
      },
      retry: { sleep: async () => undefined },
    });

    // Assert: decided again on the new state; the same event (same id) stored after the other one.
    expect(stored).toBe(true);
    expect(seen).toEqual([3, 2]);
    const events = (await store.read('stock#SKU-1')).events;
    expect(events.map((e) => [e.streamVersion, e.event.type])).toEqual([
      [1, 'StockTaken'],
      [2, 'StockAdded'],
    ]);
    expect(events[1]?.event.id).toBe(added.id);
  });

  it('stores nothing when the decider returns no event', async () => {
    const store = new InMemoryEventStore();

    const stored = await handleOperatorCommand({
      store,
      streamId: 'stock#SKU-1',
      aggregate: stock,
      decide: () => [],
    });

    expect(stored).toBe(false);
    expect((await store.read('stock#SKU-1')).events).toEqual([]);
  });
});

describe('given/when/then for deciders', () => {
  it('folds the history with the aggregate before deciding', () => {
    const added = shopEvent(
      'ItemAdded',
      { cartId: 'cart-1', sku: 'SKU-1', qty: 1 },
      { causationId: 'req-1' },
    );

    given(cart, [added as EventEnvelope])
      .when((state) => decideAdd(state, 'req-1', 'SKU-1', 1))
      .thenCheck((decision) => expect(decision).toEqual({ kind: 'duplicate' }));
    given(cart, [])
      .when((state) => decideAdd(state, 'req-1', 'SKU-1', 3))
      .thenCheck((decision) =>
        expect(decision).toEqual({
          kind: 'append',
          facts: [{ type: 'ItemAdded', data: { cartId: 'cart-1', sku: 'SKU-1', qty: 3 } }],
          internal: [],
        }),
      );
  });
});

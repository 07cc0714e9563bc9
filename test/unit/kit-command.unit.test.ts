import { describe, expect, it } from 'vitest';
import { append, type Decision, handleCommand } from '../../shared/kit/consumer/command.ts';
import { createHandlerContext } from '../../shared/kit/consumer/context.ts';
import { EventIdReusedError } from '../../shared/kit/consumer/errors.ts';
import type { HandlerContext } from '../../shared/kit/consumer/types.ts';
import { InMemoryEventStore } from '../../shared/kit/event-store/in-memory.ts';
import type { AggregateOptions } from '../../shared/kit/event-store/load-aggregate.ts';
import type { EventEnvelope } from '../../shared/kit/events/envelope.ts';
import { ManualClock } from '../fakes/clock.ts';
import { given } from '../fakes/given-when-then.ts';
import { RecordingLogger } from '../fakes/logger.ts';
import { type Shop, shopCatalog, shopEvent } from '../fakes/test-context.ts';

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

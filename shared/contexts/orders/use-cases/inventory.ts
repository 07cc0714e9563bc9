import {
  handleMultiStreamCommand,
  handleOperatorCommand,
  type MultiStreamDecision,
} from '../../../kit/consumer/command.ts';
import type { EventHandlers, Handled, HandlerContext } from '../../../kit/consumer/types.ts';
import { type AggregateOptions, loadAggregate } from '../../../kit/event-store/load-aggregate.ts';
import type { EventStore } from '../../../kit/event-store/port.ts';
import type { RetryOnConflictOptions } from '../../../kit/event-store/retry.ts';
import { createInternalEvent } from '../../../kit/events/internal.ts';
import {
  decideRelease,
  decideReservation,
  decideRestock,
  evolveReservation,
  evolveSkuStock,
  type InventoryDecision,
  initialReservation,
  initialSkuStock,
  MAX_SKUS_PER_RESERVATION,
  mergeItems,
  type OrderReservation,
  type SkuStock,
  type StockItem,
  skuOf,
} from '../domain/inventory.ts';
import type { Orders } from '../events/catalog.ts';
import { defaultEventFactoryDeps, type EventFactoryDeps, ordersCatalog } from '../events/catalog.ts';

/** What the inventory consumer needs. */
export interface InventoryDeps {
  readonly store: EventStore;
  readonly retry?: RetryOnConflictOptions;
  /** SKU streams grow with every order: snapshot them every n events. @default 50 */
  readonly snapshotEvery?: number;
}

const SKU_STREAM_PREFIX = 'inventory-sku#';

/** Stream ids of the inventory (see `shared/contexts/orders/domain/inventory.ts` for why two kinds). */
export const inventoryStreams = {
  order: (orderId: string): string => `inventory-order#${orderId}`,
  sku: (sku: string): string => `${SKU_STREAM_PREFIX}${sku}`,
};

/** The SKU whose stock stream this is (the inverse of `inventoryStreams.sku`). */
function skuOfStream(streamId: string): string {
  return streamId.slice(SKU_STREAM_PREFIX.length);
}

/** Source of the SKU streams' internal stock events. */
const SOURCE = 'orders.inventory';

function reservationAggregate(orderId: string): AggregateOptions<OrderReservation> {
  return { initial: () => initialReservation(orderId), evolve: evolveReservation };
}

function stockAggregate(sku: string, snapshotEvery?: number): AggregateOptions<SkuStock> {
  return {
    initial: () => initialSkuStock(sku),
    evolve: evolveSkuStock,
    ...(snapshotEvery === undefined ? {} : { snapshotEvery }),
  };
}

/**
 * The kernel's writes for an inventory decision (pure): the order's facts in its stream, each SKU's
 * stock event in that SKU's stream, all in one transaction at the versions decided on, so a
 * concurrent order for the same SKU makes one of them decide again.
 */
function toWrites(orderId: string, decision: InventoryDecision): MultiStreamDecision<Orders> {
  return {
    kind: 'append',
    writes: [
      { streamId: inventoryStreams.order(orderId), facts: decision.order },
      ...decision.stock.map((event) => ({ streamId: inventoryStreams.sku(skuOf(event)), internal: [event] })),
    ],
  };
}

/** A command on an order's reservation and the stock streams of the SKUs it names. */
function handle(
  deps: InventoryDeps,
  orderId: string,
  skusFor: (state: OrderReservation) => readonly string[],
  decide: (state: OrderReservation, stock: ReadonlyMap<string, SkuStock>) => MultiStreamDecision<Orders>,
  context: HandlerContext<Orders>,
): Promise<Handled> {
  return handleMultiStreamCommand(
    {
      store: deps.store,
      streamId: inventoryStreams.order(orderId),
      aggregate: reservationAggregate(orderId),
      related: (state) => skusFor(state).map(inventoryStreams.sku),
      relatedAggregate: (streamId) => stockAggregate(skuOfStream(streamId), deps.snapshotEvery ?? 50),
      decide: (state, related) =>
        decide(state, new Map([...related.values()].map((stock) => [stock.sku, stock]))),
      internalSource: SOURCE,
      ...(deps.retry === undefined ? {} : { retry: deps.retry }),
    },
    context,
  );
}

/** Reserves all items of an order or none; a second request for the same order is a duplicate. */
export async function reserveInventory(
  deps: InventoryDeps,
  request: { readonly orderId: string; readonly items: readonly StockItem[] },
  context: HandlerContext<Orders>,
): Promise<Handled> {
  const { orderId, items } = request;
  return handle(
    deps,
    orderId,
    (state) => {
      if (state.status !== 'none') return [];
      const lines = mergeItems(items);
      // An order with too many SKUs is refused without reading any stock: the decision needs none, and
      // an order of thousands of SKUs would otherwise load thousands of streams first (and time out).
      return lines.length > MAX_SKUS_PER_RESERVATION ? [] : lines.map((line) => line.sku);
    },
    (state, stock) =>
      state.status !== 'none'
        ? { kind: 'duplicate' }
        : toWrites(orderId, decideReservation(state, stock, items)),
    context,
  );
}

/** Gives back what the order holds; nothing happens when it holds nothing (released, failed, never). */
export async function releaseInventory(
  deps: InventoryDeps,
  orderId: string,
  context: HandlerContext<Orders>,
): Promise<Handled> {
  return handle(
    deps,
    orderId,
    (state) => (state.status === 'reserved' ? state.items.map((line) => line.sku) : []),
    (state) => {
      const decision = decideRelease(state);
      if (decision.order.length > 0) return toWrites(orderId, decision);
      if (state.status === 'released') return { kind: 'duplicate' };
      return { kind: 'ignore', why: `nothing to release (${state.status})` };
    },
    context,
  );
}

/** Handlers of the inventory consumer. */
export function inventoryHandlers(deps: InventoryDeps): EventHandlers<Orders> {
  return {
    InventoryReservationRequested: (event, context) => reserveInventory(deps, event.data, context),
    InventoryReleaseRequested: (event, context) => releaseInventory(deps, event.data.orderId, context),
  };
}

/** Adds stock to a SKU outside any consumer (goods received, demo seeding, tests). */
export async function restockInventory(
  store: EventStore,
  item: StockItem,
  options: {
    readonly correlationId: string;
    readonly events?: EventFactoryDeps;
    readonly retry?: RetryOnConflictOptions;
  },
): Promise<void> {
  const event = decideRestock(item.sku, item.qty);
  const envelope = createInternalEvent(
    ordersCatalog,
    event.type,
    event.data,
    { correlationId: options.correlationId, source: 'orders.inventory' },
    options.events ?? defaultEventFactoryDeps,
  );
  // Stock may be added whatever the SKU holds: the load only gives the version the append is checked at.
  await handleOperatorCommand({
    store,
    streamId: inventoryStreams.sku(item.sku),
    aggregate: stockAggregate(item.sku),
    decide: () => [envelope],
    ...(options.retry === undefined ? {} : { retry: options.retry }),
  });
}

/** Quantity of a SKU that can still be reserved. */
export async function availableStock(store: EventStore, sku: string): Promise<number> {
  const { state } = await loadAggregate(store, inventoryStreams.sku(sku), stockAggregate(sku));
  return state.available;
}

import { appendOutcome } from '../../../kit/consumer/append-outcome.ts';
import { refuseReusedId } from '../../../kit/consumer/reuse.ts';
import type { EventHandlers, Handled, HandlerContext } from '../../../kit/consumer/types.ts';
import { loadAggregate } from '../../../kit/event-store/load-aggregate.ts';
import type { EventStore, StreamAppend } from '../../../kit/event-store/port.ts';
import { type RetryOnConflictOptions, retryOnConflict } from '../../../kit/event-store/retry.ts';
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

/** Stream ids of the inventory (see `shared/contexts/orders/domain/inventory.ts` for why two kinds). */
export const inventoryStreams = {
  order: (orderId: string): string => `inventory-order#${orderId}`,
  sku: (sku: string): string => `inventory-sku#${sku}`,
};

interface Loaded<State> {
  readonly state: State;
  readonly version: number;
}

async function loadReservation(store: EventStore, orderId: string): Promise<Loaded<OrderReservation>> {
  return loadAggregate(store, inventoryStreams.order(orderId), {
    initial: () => initialReservation(orderId),
    evolve: evolveReservation,
  });
}

async function loadStock(
  deps: InventoryDeps,
  skus: readonly string[],
): Promise<Map<string, Loaded<SkuStock>>> {
  const loaded = await Promise.all(
    skus.map(async (sku) => {
      const stock = await loadAggregate(deps.store, inventoryStreams.sku(sku), {
        initial: () => initialSkuStock(sku),
        evolve: evolveSkuStock,
        snapshotEvery: deps.snapshotEvery ?? 50,
      });
      return [sku, stock] as const;
    }),
  );
  return new Map(loaded);
}

/**
 * Writes a decision in one transaction: the order's facts at its version and each SKU's stock event
 * at that SKU's version, so a concurrent order for the same SKU makes one of them retry.
 */
async function write(
  store: EventStore,
  reservation: Loaded<OrderReservation>,
  stock: ReadonlyMap<string, Loaded<SkuStock>>,
  decision: InventoryDecision,
  context: HandlerContext<Orders>,
): Promise<Handled> {
  const appends: StreamAppend[] = [
    {
      streamId: inventoryStreams.order(reservation.state.orderId),
      events: decision.order.map((fact) => context.emitFact(fact)),
      expectedVersion: reservation.version,
    },
    ...decision.stock.map((event) => ({
      streamId: inventoryStreams.sku(event.data.sku),
      events: [context.emitInternal(event, 'orders.inventory')],
      expectedVersion: stock.get(event.data.sku)?.version ?? 0,
    })),
  ];
  const results = await store.appendMany(appends, {
    idempotencyKey: context.idempotencyKey,
    idempotencyFingerprint: context.inputFingerprint,
  });
  return appendOutcome(
    results,
    appends.flatMap((append) => append.events),
  );
}

/** Reserves all items of an order or none; a second request for the same order is a duplicate. */
export async function reserveInventory(
  deps: InventoryDeps,
  request: { readonly orderId: string; readonly items: readonly StockItem[] },
  context: HandlerContext<Orders>,
): Promise<Handled> {
  return retryOnConflict(async () => {
    const reservation = await loadReservation(deps.store, request.orderId);
    if (reservation.state.status !== 'none') {
      await refuseReusedId(deps.store, inventoryStreams.order(request.orderId), context);
      return 'duplicate';
    }
    const lines = mergeItems(request.items);
    // An order with too many SKUs is refused without reading any stock: the decision needs none, and
    // an order of thousands of SKUs would otherwise load thousands of streams first (and time out).
    const skus = lines.length > MAX_SKUS_PER_RESERVATION ? [] : lines.map((line) => line.sku);
    const stock = await loadStock(deps, skus);
    const levels = new Map([...stock].map(([sku, loaded]) => [sku, loaded.state]));
    const decision = decideReservation(reservation.state, levels, request.items);
    return write(deps.store, reservation, stock, decision, context);
  }, deps.retry);
}

/** Gives back what the order holds; nothing happens when it holds nothing (released, failed, never). */
export async function releaseInventory(
  deps: InventoryDeps,
  orderId: string,
  context: HandlerContext<Orders>,
): Promise<Handled> {
  return retryOnConflict(async () => {
    const reservation = await loadReservation(deps.store, orderId);
    const decision = decideRelease(reservation.state);
    if (decision.order.length === 0) {
      context.logger.info('nothing to release', { status: reservation.state.status });
      if (reservation.state.status !== 'released') return 'handled';
      await refuseReusedId(deps.store, inventoryStreams.order(orderId), context);
      return 'duplicate';
    }
    const stock = await loadStock(
      deps,
      reservation.state.items.map((line) => line.sku),
    );
    await write(deps.store, reservation, stock, decision, context);
    return 'handled';
  }, deps.retry);
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
  await retryOnConflict(async () => {
    const { version } = await loadAggregate(store, inventoryStreams.sku(item.sku), {
      initial: () => initialSkuStock(item.sku),
      evolve: evolveSkuStock,
    });
    await store.append(inventoryStreams.sku(item.sku), [envelope], { expectedVersion: version });
  }, options.retry);
}

/** Quantity of a SKU that can still be reserved. */
export async function availableStock(store: EventStore, sku: string): Promise<number> {
  const { state } = await loadAggregate(store, inventoryStreams.sku(sku), {
    initial: () => initialSkuStock(sku),
    evolve: evolveSkuStock,
  });
  return state.available;
}

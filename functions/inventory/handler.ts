import { ordersCatalog } from '../../shared/contexts/orders/events/catalog.ts';
import { inventoryHandlers } from '../../shared/contexts/orders/use-cases/inventory.ts';
import { createSqsConsumer } from '../../shared/kit/consumer/runtime.ts';
import { consumerDeps, store, storedCheck } from './config.ts';

/**
 * Inventory: `InventoryReservationRequested` reserves every item of an order or none (per-SKU stock
 * streams and the order's reservation stream in one transaction); `InventoryReleaseRequested` gives
 * back what the order holds. Concurrent orders for a SKU conflict on its stream version and retry.
 */
export const handler = createSqsConsumer({
  catalog: ordersCatalog,
  name: 'inventory',
  handlers: inventoryHandlers({ store }),
  // Reacts only to stored events (published by the outbox); anything else is refused with its reason.
  intake: [],
  storedCheck,
  ...consumerDeps,
});

import { randomUUID } from 'node:crypto';
import type { StockItem } from '../../shared/contexts/orders/domain/inventory.ts';
import { availableStock, restockInventory } from '../../shared/contexts/orders/use-cases/inventory.ts';
import type { EventStore } from '../../shared/kit/event-store/port.ts';

/** What `pipeline seed` and `pipeline demo` put on the shelves when nothing else is asked for. */
export const DEMO_STOCK: readonly StockItem[] = [
  { sku: 'BOOK-123', qty: 20 },
  { sku: 'MUG-7', qty: 20 },
];

/** One SKU after seeding. */
export interface SeededSku {
  readonly sku: string;
  readonly added: number;
  readonly available: number;
}

/**
 * Adds stock through the inventory's own use case (`StockAdded` on the SKU's stream, an internal
 * event the outbox never publishes), one SKU after the other, and reads back what can be reserved.
 */
export async function seedStock(store: EventStore, items: readonly StockItem[]): Promise<SeededSku[]> {
  const correlationId = `seed-${randomUUID()}`;
  const seeded: SeededSku[] = [];
  for (const item of items) {
    await restockInventory(store, item, { correlationId });
    seeded.push({ sku: item.sku, added: item.qty, available: await availableStock(store, item.sku) });
  }
  return seeded;
}

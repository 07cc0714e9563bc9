import type { Command } from 'commander';
import type { StockItem } from '../../shared/contexts/orders/domain/inventory.ts';
import { globals } from '../commands/common.ts';
import { stackContext } from '../ops/stack-context.ts';
import { CliError, table } from '../output.ts';
import { ordersContext } from './context.ts';
import { DEMO_STOCK, seedStock } from './seed.ts';

const collect = (value: string, previous: string[]) => [...previous, value];

/** Pairs `--sku A --qty 5 --sku B --qty 2` by position; none at all means the demo stock. */
export function stockItems(skus: readonly string[], quantities: readonly string[]): StockItem[] {
  if (skus.length === 0 && quantities.length === 0) return [...DEMO_STOCK];
  if (skus.length !== quantities.length) {
    throw new CliError(
      `Give one --qty per --sku (got ${skus.length} --sku and ${quantities.length} --qty).`,
      'Example: pipeline seed --sku BOOK-123 --qty 10 --sku MUG-7 --qty 5',
      2,
    );
  }
  return skus.map((sku, i) => {
    const qty = Number(quantities[i]);
    if (sku.trim() === '') throw new CliError('--sku must not be empty.', undefined, 2);
    if (!Number.isInteger(qty) || qty < 1) {
      throw new CliError(
        `--qty for ${sku} must be a positive integer, got "${quantities[i]}".`,
        undefined,
        2,
      );
    }
    return { sku, qty };
  });
}

export function registerSeedCommand(program: Command): void {
  program
    .command('seed')
    .description(
      'Put stock on the shelves (StockAdded on each SKU stream of the event store).\n' +
        `Without --sku/--qty: the demo stock (${DEMO_STOCK.map((s) => `${s.sku} +${s.qty}`).join(', ')}).`,
    )
    .option('--sku <sku>', 'SKU to add stock to (repeatable, paired with --qty)', collect, [])
    .option('--qty <n>', 'units to add to the --sku at the same position (repeatable)', collect, [])
    .action(async (options: { sku: string[]; qty: string[] }, command: Command) => {
      const { reporter, stackName } = globals(command);
      const items = stockItems(options.sku, options.qty);
      const context = ordersContext(await stackContext(stackName));
      reporter.step(`Adding stock for ${items.length} SKU(s) in ${context.eventStoreTable}`);
      const seeded = await seedStock(context.store, items);
      reporter.result({ seeded }, () =>
        table([
          ['SKU', 'ADDED', 'AVAILABLE'],
          ...seeded.map((s) => [s.sku, `+${s.added}`, String(s.available)]),
        ]),
      );
    });
}

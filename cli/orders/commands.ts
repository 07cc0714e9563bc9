import type { Command } from 'commander';
import { ORDER_STATUSES } from '../../shared/contexts/orders/adapters/dynamodb-order-summaries.ts';
import type { OrderStatus } from '../../shared/contexts/orders/domain/order-summary.ts';
import { globals } from '../commands/common.ts';
import { numberIn } from '../commands/numbers.ts';
import { stackContext } from '../ops/stack-context.ts';
import { CliError } from '../output.ts';
import { localDir } from '../paths.ts';
import { ordersContext } from './context.ts';
import { rebuildSummaries } from './rebuild.ts';
import { renderList, renderSummary } from './render.ts';

function statusOption(raw: string | undefined): OrderStatus | undefined {
  if (raw === undefined) return undefined;
  const status = raw.toUpperCase() as OrderStatus;
  if (!ORDER_STATUSES.includes(status)) {
    throw new CliError(`Unknown status "${raw}".`, `Use one of ${ORDER_STATUSES.join(', ')}.`, 2);
  }
  return status;
}

export function registerOrdersCommands(program: Command): void {
  const orders = program
    .command('orders')
    .description('Order summaries (status, items, total, timeline) from the read model the projector keeps');

  orders
    .command('get <orderId>')
    .description('Show one order: status, items, total and the timeline of its events')
    .action(async (orderId: string, _options: unknown, command: Command) => {
      const { reporter, stackName } = globals(command);
      const context = ordersContext(await stackContext(stackName));
      const found = await context.summaries.get(orderId);
      if (!found) {
        throw new CliError(
          `No order ${orderId} in the read model of ${stackName}.`,
          'Orders appear a moment after their OrderPlaced reaches the bus; `pipeline orders list` shows the latest.',
        );
      }
      reporter.result(found.summary, () => renderSummary(found.summary));
    });

  orders
    .command('list')
    .description('The most recently updated orders, newest first')
    .option('--status <status>', `only this status (${ORDER_STATUSES.join(', ')})`)
    .option('--limit <n>', 'at most this many orders (1–1000)', numberIn({ min: 1, max: 1000 }), 20)
    .action(async (options: { status?: string; limit: number }, command: Command) => {
      const { reporter, stackName } = globals(command);
      const status = statusOption(options.status);
      const { limit } = options;
      const context = ordersContext(await stackContext(stackName));
      const summaries = await context.summaries.list({ ...(status ? { status } : {}), limit });
      reporter.result({ orders: summaries }, () => renderList(summaries));
    });

  orders
    .command('rebuild')
    .description(
      'Rebuild the read model from the event store, order by order (the others stay readable; the projector keeps running).\n' +
        "Without --order: every order with a saga stream, page by page of the event store's stream catalog (an index: order\n" +
        'saga streams only, no scan), with a checkpoint after each page (--resume continues an\n' +
        'interrupted run); summaries no saga stream backs are deleted at the end.',
    )
    .option('--order <orderId...>', 'rebuild only these orders')
    .option(
      '--rate <orders/s>',
      'at most this many orders per second (1–10000)',
      numberIn({ min: 1, max: 10_000 }),
    )
    .option(
      '--page-size <items>',
      'saga streams listed per page, a checkpoint after each (1–10000; default: 1 MB pages)',
      numberIn({ min: 1, max: 10_000 }),
    )
    .option('--resume', 'continue an interrupted full rebuild from its checkpoint')
    .action(
      async (
        options: { order?: string[]; rate?: number; pageSize?: number; resume?: boolean },
        command: Command,
      ) => {
        const { reporter, stackName } = globals(command);
        const context = ordersContext(await stackContext(stackName));
        const checkpointFile = `${localDir}/rebuild-${stackName}.json`;
        reporter.step(
          options.order
            ? `Rebuilding ${options.order.length} order summary(ies) from ${context.eventStoreTable}`
            : `Rebuilding every order summary from ${context.eventStoreTable}${options.resume ? ' (resuming from its checkpoint)' : ''}${options.rate ? `, at most ${options.rate} orders/s` : ''}`,
        );
        const started = Date.now();
        const result = await rebuildSummaries(context, {
          ...(options.order ? { orderIds: options.order } : { checkpointFile }),
          ...(options.rate ? { ratePerSecond: options.rate } : {}),
          ...(options.pageSize ? { pageSize: options.pageSize } : {}),
          ...(options.resume ? { resume: true } : {}),
          onProgress: ({ orders, events }) =>
            reporter.step(`${orders} order(s) rebuilt so far, ${events} event(s)`),
        });
        const seconds = Math.round((Date.now() - started) / 100) / 10;
        reporter.result(
          { ...result, seconds },
          () =>
            `Rebuilt ${result.orders} order(s) from ${result.events} stored event(s) in ${seconds} s${result.resumed ? ' (resumed)' : ''}; read ${result.itemsRead} event store items to find them.`,
        );
      },
    );
}

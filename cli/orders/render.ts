import type { OrderSummary } from '../../shared/contexts/orders/domain/order-summary.ts';
import { table } from '../output.ts';

function money(value: number | undefined, currency: string | undefined): string {
  return value === undefined ? '-' : `${value.toFixed(2)} ${currency ?? ''}`.trim();
}

/** Seconds after the first event, so a timeline reads as a story: `+0.412 s`. */
function offset(at: string, start: string): string {
  return `+${((Date.parse(at) - Date.parse(start)) / 1000).toFixed(3)} s`;
}

/** One order: status, customer, total, items and the timeline. */
export function renderSummary(summary: OrderSummary): string {
  const start = summary.timeline[0]?.at ?? '';
  const lines = [
    `Order ${summary.orderId}: ${summary.status}${summary.reason ? ` (${summary.reason})` : ''}`,
    `  customer ${summary.customerId ?? '-'} · total ${money(summary.total, summary.currency)}` +
      (summary.authorizationId ? ` · authorization ${summary.authorizationId}` : ''),
    `  items: ${
      summary.items.map((item) => `${item.qty} × ${item.sku} @ ${item.unitPrice.toFixed(2)}`).join(', ') ||
      '-'
    }`,
    ...refusalLines(summary),
    '  timeline:',
    table(summary.timeline.map((entry) => [`    ${entry.at}`, offset(entry.at, start), entry.type])),
  ];
  return lines.join('\n');
}

/** Commands refused for the order: they changed nothing, but support must see them. */
function refusalLines(summary: OrderSummary): string[] {
  const refusals = summary.refusals ?? [];
  if (refusals.length === 0) return [];
  return [
    `  refused: ${refusals.length} command(s)`,
    ...refusals.map((r) => `    ${r.at}  command ${r.eventId} from customer ${r.customerId}: ${r.reason}`),
  ];
}

/** A listing: one line per order, newest activity first. */
export function renderList(summaries: readonly OrderSummary[]): string {
  if (summaries.length === 0) return 'No orders.';
  return table([
    ['ORDER', 'STATUS', 'TOTAL', 'UPDATED', 'REASON'],
    ...summaries.map((s) => [
      s.orderId,
      s.status,
      money(s.total, s.currency),
      s.timeline.at(-1)?.at ?? '-',
      s.reason ?? '',
    ]),
  ]);
}

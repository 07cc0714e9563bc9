import { randomUUID } from 'node:crypto';
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { EventDataInput, TypedEnvelope } from '../../shared/contexts/orders/events/catalog.ts';
import { createEvent } from '../../shared/contexts/orders/events/catalog.ts';
import { toPutEventsEntry } from '../../shared/kit/events/eventbridge.ts';
import { CliError } from '../output.ts';

/** Order data as a caller gives it; the event gets fresh ids and a correlation id per order. */
export type OrderInput = EventDataInput<'OrderPlaced'>;

/** Builds a catalog-valid `OrderPlaced` (what the order API would publish). */
export function orderPlaced(data: OrderInput): TypedEnvelope<'OrderPlaced'> {
  return createEvent('OrderPlaced', data, {
    correlationId: `order-${data.orderId}-${randomUUID().slice(0, 8)}`,
  });
}

/** Puts `OrderPlaced` events on the bus in one PutEvents call (≤ 10); throws if any entry is refused. */
export async function placeOrders(
  client: EventBridgeClient,
  busName: string,
  orders: readonly TypedEnvelope<'OrderPlaced'>[],
): Promise<void> {
  const result = await client.send(
    new PutEventsCommand({ Entries: orders.map((order) => ({ ...toPutEventsEntry(order, busName) })) }),
  );
  if (result.FailedEntryCount) {
    const reasons = (result.Entries ?? []).flatMap((entry) =>
      entry.ErrorMessage ? [entry.ErrorMessage] : [],
    );
    throw new CliError(`The bus refused ${result.FailedEntryCount} order(s): ${reasons.join('; ')}`);
  }
}

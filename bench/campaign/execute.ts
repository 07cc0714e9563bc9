/**
 * Sends a campaign plan to the bus at a fixed order rate: each order in a PutEvents of its own
 * together with its immediate duplicate and its conflicting command (same batch, so they race),
 * delayed duplicates on timers, poison messages spread evenly among the orders.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { TypedEnvelope } from '../../shared/contexts/orders/events/catalog.ts';
import { putEnvelopes, putRawOrderPlaced } from '../saga/driver.ts';
import type { CampaignPlan } from './plan.ts';

export interface Sent {
  readonly orders: number;
  readonly duplicates: number;
  readonly conflicts: number;
  readonly poison: number;
  /** Entries the bus refused (each is a violation of the test set-up, reported). */
  readonly refused: number;
}

/** Places the plan at `rate` orders per second and resolves once every entry (timers too) was put. */
export async function executePlan(
  client: EventBridgeClient,
  busName: string,
  plan: CampaignPlan,
  rate: number,
  onProgress: (placed: number) => void = () => {},
): Promise<Sent> {
  const immediate = new Map<string, TypedEnvelope<'OrderPlaced'>[]>();
  const later: { orderId: string; event: TypedEnvelope<'OrderPlaced'>; delayMs: number }[] = [];
  for (const d of plan.duplicates) {
    if (d.delayMs === 0) immediate.set(d.orderId, [...(immediate.get(d.orderId) ?? []), d.event]);
    else later.push(d);
  }
  for (const c of plan.conflicts) immediate.set(c.orderId, [...(immediate.get(c.orderId) ?? []), c.event]);
  const laterByOrder = new Map(later.map((d) => [d.orderId, d]));
  const poisonEvery = plan.poison.length
    ? Math.max(1, Math.floor(plan.orders.length / plan.poison.length))
    : 0;
  let refused = 0;
  const pending: Promise<void>[] = [];
  const start = Date.now();
  let poisonSent = 0;
  for (const [i, order] of plan.orders.entries()) {
    const wait = start + (i * 1000) / rate - Date.now();
    if (wait > 0) await sleep(wait);
    order.placedAtMs = Date.now();
    const batch = [order.event, ...(immediate.get(order.orderId) ?? [])];
    pending.push(
      putEnvelopes(client, busName, batch).then((n) => {
        refused += n;
      }),
    );
    const delayed = laterByOrder.get(order.orderId);
    if (delayed) {
      pending.push(
        sleep(delayed.delayMs).then(() =>
          putEnvelopes(client, busName, [delayed.event]).then((n) => {
            refused += n;
          }),
        ),
      );
    }
    if (poisonEvery && i % poisonEvery === 0 && poisonSent < plan.poison.length) {
      const poison = plan.poison[poisonSent++];
      pending.push(
        putRawOrderPlaced(client, busName, [poison?.detail]).then((n) => {
          refused += n;
        }),
      );
    }
    if (i % 50 === 49) onProgress(i + 1);
  }
  await Promise.all(pending);
  return {
    orders: plan.orders.length,
    duplicates: plan.duplicates.length,
    conflicts: plan.conflicts.length,
    poison: poisonSent,
    refused,
  };
}

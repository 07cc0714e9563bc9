/**
 * The campaign's reconciliation: invariants that must hold whatever the load, the duplicates, the
 * poison and the races did. Pure: it reads what collect.ts loaded and returns one result per check.
 */

import { ORDER_INTEGRATION_EVENT_TYPES } from '../../shared/contexts/orders/use-cases/intake.ts';
import type { OrderKind } from '../saga/driver.ts';
import type { CapturedFact, DeadLetter, StoredFact } from './collect.ts';

const INTEGRATION: ReadonlySet<string> = new Set(ORDER_INTEGRATION_EVENT_TYPES);

export interface CheckResult {
  readonly name: string;
  /** `violation` fails the campaign; `warning` is reported only (e.g. outcomes changed by load). */
  readonly severity: 'violation' | 'warning';
  readonly checked: number;
  readonly failures: readonly string[];
}

export interface CampaignFacts {
  readonly orders: ReadonlyMap<string, { readonly kind: OrderKind; readonly conflicted: boolean }>;
  readonly streams: ReadonlyMap<string, readonly StoredFact[]>;
  readonly skus: ReadonlyMap<string, readonly StoredFact[]>;
  readonly deadLetters: readonly DeadLetter[];
  readonly captured: readonly CapturedFact[];
  readonly poisonMarkers: readonly string[];
}

const TERMINAL = new Set(['OrderConfirmed', 'OrderCancelled']);
const EXPECTED: Record<OrderKind, string> = {
  happy: 'OrderConfirmed',
  flaky: 'OrderConfirmed',
  declined: 'OrderCancelled',
  outOfStock: 'OrderCancelled',
  timeout: 'OrderCancelled',
};

const count = (facts: readonly StoredFact[], type: string) => facts.filter((f) => f.type === type).length;

function check(
  name: string,
  checked: number,
  failures: string[],
  severity: CheckResult['severity'] = 'violation',
) {
  return { name, severity, checked, failures };
}

/** Every order ends confirmed or cancelled exactly once, or its message is in a DLQ with a reason. */
function terminalOrDeadLettered(facts: CampaignFacts): CheckResult {
  const failures: string[] = [];
  for (const orderId of facts.orders.keys()) {
    const outcomes = (facts.streams.get(orderId) ?? []).filter((f) => TERMINAL.has(f.type));
    if (outcomes.length > 1)
      failures.push(`${orderId}: ${outcomes.length} outcomes (${outcomes.map((o) => o.type).join(', ')})`);
    if (outcomes.length === 1) continue;
    const letter = facts.deadLetters.find(
      (d) => d.body.includes(orderId) && d.kind !== 'unknown' && d.reason,
    );
    if (outcomes.length === 0 && !letter) failures.push(`${orderId}: no outcome and no dead letter`);
  }
  return check('every order terminal (once) or dead-lettered with a reason', facts.orders.size, failures);
}

function expectedOutcomes(facts: CampaignFacts): CheckResult {
  const failures: string[] = [];
  let checked = 0;
  for (const [orderId, { kind, conflicted }] of facts.orders) {
    if (conflicted) continue;
    checked += 1;
    const outcome = (facts.streams.get(orderId) ?? []).find((f) => TERMINAL.has(f.type));
    if (outcome && outcome.type !== EXPECTED[kind]) {
      failures.push(`${orderId} (${kind}): ${outcome.type} ${String(outcome.data.reason ?? '')}`.trim());
    }
  }
  return check('outcome as its kind implies (load may time steps out)', checked, failures, 'warning');
}

/** At most one reservation per order and per order and SKU; what is held matches the outcome. */
function noDoubleReservation(facts: CampaignFacts): CheckResult {
  const failures: string[] = [];
  const reservedPerOrderSku = new Map<string, number>();
  for (const stream of facts.skus.values()) {
    for (const f of stream.filter((e) => e.type === 'StockReserved')) {
      const key = `${String(f.data.orderId)} ${String(f.data.sku)}`;
      reservedPerOrderSku.set(key, (reservedPerOrderSku.get(key) ?? 0) + 1);
    }
  }
  for (const [key, n] of reservedPerOrderSku) if (n > 1) failures.push(`${key}: reserved ${n} times`);
  for (const [orderId] of facts.orders) {
    const stream = facts.streams.get(orderId) ?? [];
    const reserved = count(stream, 'InventoryReserved');
    const released = count(stream, 'InventoryReleased');
    if (reserved > 1) failures.push(`${orderId}: ${reserved} InventoryReserved`);
    const holds = reserved > released;
    if (holds && count(stream, 'OrderCancelled') > 0)
      failures.push(`${orderId}: cancelled but still holds stock`);
    if (!holds && count(stream, 'OrderConfirmed') > 0)
      failures.push(`${orderId}: confirmed without holding stock`);
  }
  return check('no double reservation; held stock matches the outcome', facts.orders.size, failures);
}

/** At most one authorization per order; a cancelled order's authorization is voided, a confirmed one's is not. */
function noDoubleCharge(facts: CampaignFacts): CheckResult {
  const failures: string[] = [];
  for (const [orderId] of facts.orders) {
    const stream = facts.streams.get(orderId) ?? [];
    const authorized = count(stream, 'PaymentAuthorized');
    const voided = stream.some((f) => f.type === 'PaymentVoided' && f.data.authorizationId);
    if (authorized > 1) failures.push(`${orderId}: ${authorized} PaymentAuthorized`);
    if (authorized && count(stream, 'OrderCancelled') > 0 && !voided)
      failures.push(`${orderId}: cancelled, authorization not voided`);
    if (count(stream, 'OrderConfirmed') > 0 && (authorized !== 1 || voided))
      failures.push(`${orderId}: confirmed with ${authorized} authorization(s)${voided ? ', voided' : ''}`);
  }
  return check('no double charge; cancelled orders keep no authorization', facts.orders.size, failures);
}

function noDoubleNotification(facts: CampaignFacts): CheckResult {
  const failures: string[] = [];
  for (const [orderId] of facts.orders) {
    const sent = (facts.streams.get(orderId) ?? []).filter((f) => f.type === 'NotificationSent');
    const channels = sent.map((f) => String(f.data.channel));
    const twice = channels.filter((c, i) => channels.indexOf(c) !== i);
    if (twice.length > 0) failures.push(`${orderId}: notified twice on ${[...new Set(twice)].join(', ')}`);
  }
  return check('no double notification (per order and channel)', facts.orders.size, failures);
}

/** Per SKU: stock added = available + held, and what the SKU stream holds = what orders hold. */
function stockConserved(facts: CampaignFacts): CheckResult {
  const failures: string[] = [];
  const heldByOrders = new Map<string, number>();
  for (const stream of facts.streams.values()) {
    const reserved = stream.filter((f) => f.type === 'InventoryReserved');
    if (reserved.length === 0 || count(stream, 'InventoryReleased') >= reserved.length) continue;
    for (const item of (reserved[0]?.data.items as { sku: string; qty: number }[]) ?? []) {
      heldByOrders.set(item.sku, (heldByOrders.get(item.sku) ?? 0) + item.qty);
    }
  }
  for (const [sku, stream] of facts.skus) {
    const sum = (type: string) =>
      stream.filter((f) => f.type === type).reduce((s, f) => s + Number(f.data.qty), 0);
    const added = sum('StockAdded');
    const held = sum('StockReserved') - sum('StockReleased');
    const available = added - held;
    if (available < 0) failures.push(`${sku}: available ${available}`);
    if (held !== (heldByOrders.get(sku) ?? 0))
      failures.push(`${sku}: SKU stream holds ${held}, orders hold ${heldByOrders.get(sku) ?? 0}`);
  }
  return check('stock conserved (initial = available + held by orders)', facts.skus.size, failures);
}

/**
 * Every stored integration event (`ORDER_INTEGRATION_EVENT_TYPES`) seen on the bus exactly once as the
 * outbox publishes it (with the stored mark; producers' commands travel unmarked and are not the
 * outbox's); nothing published that is not stored. The pipeline's other stored events go from the
 * outbox straight to the consumers' queues, never on the bus: the other checks see their effects.
 */
function publishedOnce(facts: CampaignFacts): CheckResult {
  const failures: string[] = [];
  const seen = new Map<string, number>();
  const published = facts.captured.filter((c) => c.stored === true);
  for (const c of published) seen.set(c.id, (seen.get(c.id) ?? 0) + 1);
  const stored = new Set<string>();
  const integration = new Set<string>();
  for (const stream of facts.streams.values()) {
    for (const f of stream.filter((e) => e.publishable)) {
      stored.add(f.id);
      if (!INTEGRATION.has(f.type)) continue;
      integration.add(f.id);
      const n = seen.get(f.id) ?? 0;
      if (n !== 1) failures.push(`${f.type} ${f.id} (${f.streamId}) published ${n} times`);
    }
  }
  const ours = new Set(facts.orders.keys());
  for (const c of published) {
    if (!c.orderId || !ours.has(c.orderId) || integration.has(c.id)) continue;
    failures.push(
      stored.has(c.id)
        ? `${c.type} ${c.id} on the bus, though only integration events go there`
        : `${c.type} ${c.id} on the bus but not in the store`,
    );
  }
  return check(
    'every stored integration event published on the bus exactly once',
    integration.size,
    failures,
  );
}

/** Each poison message sits in a DLQ with a reason, and started nothing. */
function poisonDeadLettered(facts: CampaignFacts): CheckResult {
  const failures: string[] = [];
  for (const marker of facts.poisonMarkers) {
    const letters = facts.deadLetters.filter((d) => d.body.includes(marker));
    if (!letters.some((d) => d.kind !== 'unknown' && d.reason))
      failures.push(`${marker}: in no DLQ with a reason`);
    if ((facts.streams.get(marker) ?? []).length > 0) failures.push(`${marker}: has stored events`);
  }
  return check(
    'poison messages dead-lettered with a reason, nothing started',
    facts.poisonMarkers.length,
    failures,
  );
}

/** Every check of the campaign, in reporting order. */
export function reconcile(facts: CampaignFacts): CheckResult[] {
  return [
    terminalOrDeadLettered(facts),
    noDoubleReservation(facts),
    noDoubleCharge(facts),
    noDoubleNotification(facts),
    stockConserved(facts),
    publishedOnce(facts),
    poisonDeadLettered(facts),
    expectedOutcomes(facts),
  ];
}

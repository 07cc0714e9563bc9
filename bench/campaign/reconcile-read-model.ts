/**
 * The campaign's read-model reconciliation: the order-summary read model (what the projector made of
 * the events it received from the bus) against the event store (what the pipeline decided), rebuilt
 * with the product's own fold. Pure, like reconcile.ts: collect.ts reads both sides, these functions
 * compare them. Event types the catalog may not have yet (`OrderRejected`) are matched as strings on
 * {@link StoredFact.type}, so this compiles before and after the product change that adds them.
 */
import {
  type OrderSummary,
  replayOrderSummaries,
} from '../../shared/contexts/orders/domain/order-summary.ts';
import type { AnyEvent } from '../../shared/contexts/orders/events/catalog.ts';
import { ORDER_SAGA_STREAM_PREFIX } from '../../shared/contexts/orders/use-cases/order-history.ts';
import { canonicalJson } from '../../shared/kit/events/json.ts';
import type { StoredFact } from './collect.ts';
import type { CheckResult } from './reconcile.ts';

/** Both sides of one order id, as collect.ts read them last. */
export interface SummaryReading {
  /** What the read model holds; absent when it has no item for the id. */
  readonly read?: OrderSummary;
  /** What the product's fold makes of the order's stored events; absent when there is nothing to fold. */
  readonly rebuilt?: OrderSummary;
  /** Why a side could not be read (a failed request, a stored event the catalog does not parse). */
  readonly error?: string;
}

/** What the conflict check needs of an `OrderPlaced` the campaign sent (a catalog envelope fits). */
export interface PlacedCommand {
  readonly id: string;
  readonly data: {
    readonly customerId: string;
    readonly items: readonly { readonly sku: string; readonly qty: number }[];
    readonly total: number;
    readonly paymentToken: string;
  };
}

/** A planned conflict: the order as planned, and the second command for the same order id. */
export interface PlannedConflict {
  readonly orderId: string;
  readonly original: PlacedCommand;
  readonly conflicting: PlacedCommand;
}

/** What the read-model checks look at. */
export interface ReadModelFacts {
  /** Every stored event of each order id, as `readOrders` returns them. */
  readonly streams: ReadonlyMap<string, readonly StoredFact[]>;
  /** Per order id of the campaign (orders and poison markers): the read model and the rebuilt summary. */
  readonly summaries: ReadonlyMap<string, SummaryReading>;
  readonly conflicts: readonly PlannedConflict[];
}

/** The summary of `orderId` that the product's fold builds from `events` (as `orderEvents` yields them). */
export function rebuildSummary(orderId: string, events: Iterable<AnyEvent>): OrderSummary | undefined {
  return replayOrderSummaries(events).get(orderId);
}

const SHOWN = 80;
function shown(value: unknown): string {
  const text = value === undefined ? 'absent' : canonicalJson(value);
  return text.length > SHOWN ? `${text.slice(0, SHOWN - 1)}…` : text;
}

function timelineDifference(read: OrderSummary['timeline'], rebuilt: OrderSummary['timeline']): string {
  const readIds = new Set(read.map((e) => e.eventId));
  const rebuiltIds = new Set(rebuilt.map((e) => e.eventId));
  const missing = rebuilt.filter((e) => !readIds.has(e.eventId)).map((e) => `${e.type} ${e.eventId}`);
  const extra = read.filter((e) => !rebuiltIds.has(e.eventId)).map((e) => `${e.type} ${e.eventId}`);
  const parts = [
    ...(missing.length > 0 ? [`lacks ${missing.join(', ')}`] : []),
    ...(extra.length > 0 ? [`has ${extra.join(', ')} that the store does not`] : []),
  ];
  // Same event ids but other entries: a time or a type changed between the bus and the store.
  return `timeline ${parts.length > 0 ? parts.join(', ') : 'entries differ in time or type'}`;
}

/**
 * How the read model's summary differs from the rebuilt one, one line per field; empty when they are
 * equal. Every field is compared, including ones this code does not know (e.g. `refusals`), as
 * canonical JSON: the read model went through a JSON round trip, so absent and `undefined` are equal.
 */
export function summaryDifferences(read?: OrderSummary, rebuilt?: OrderSummary): string[] {
  if (read === undefined && rebuilt === undefined) return [];
  if (read === undefined) return ['no summary in the read model'];
  if (rebuilt === undefined) return ['a summary in the read model, nothing in the store to rebuild it from'];
  const a = read as unknown as Record<string, unknown>;
  const b = rebuilt as unknown as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  const differences: string[] = [];
  for (const key of keys) {
    if (canonicalJson(a[key]) === canonicalJson(b[key])) continue;
    differences.push(
      key === 'timeline'
        ? timelineDifference(read.timeline, rebuilt.timeline)
        : `${key} ${shown(a[key])} in the read model, ${shown(b[key])} rebuilt`,
    );
  }
  return differences;
}

/** True when a reading should be read again: the projector may not have caught up yet. */
export function readingDiffers(reading: SummaryReading): boolean {
  return reading.error !== undefined || summaryDifferences(reading.read, reading.rebuilt).length > 0;
}

/** The stored events of the order's saga stream: whether the saga ever started, what it accepted. */
function sagaFacts(facts: ReadModelFacts, orderId: string): StoredFact[] {
  const streamId = `${ORDER_SAGA_STREAM_PREFIX}${orderId}`;
  return (facts.streams.get(orderId) ?? []).filter((f) => f.streamId === streamId);
}

/** Every id with a saga stream: its read model must equal the summary rebuilt from the store. */
function summariesMatchStore(facts: ReadModelFacts): CheckResult {
  const failures: string[] = [];
  let checked = 0;
  for (const [orderId, reading] of facts.summaries) {
    if (sagaFacts(facts, orderId).length === 0) continue;
    checked += 1;
    const differences = reading.error ? [reading.error] : summaryDifferences(reading.read, reading.rebuilt);
    if (differences.length > 0) failures.push(`${orderId}: ${differences.join('; ')}`);
  }
  return {
    name: 'every summary equals the one rebuilt from the store',
    severity: 'violation',
    checked,
    failures,
  };
}

/**
 * Every id without a saga stream (poison, or an OrderPlaced that was dead-lettered) has no summary:
 * the read model shows only what the pipeline accepted.
 */
function noSummaryWithoutSaga(facts: ReadModelFacts): CheckResult {
  const failures: string[] = [];
  let checked = 0;
  for (const [orderId, reading] of facts.summaries) {
    if (sagaFacts(facts, orderId).length > 0) continue;
    checked += 1;
    if (reading.error) failures.push(`${orderId}: ${reading.error}`);
    else if (reading.read)
      failures.push(`${orderId}: never started (no saga stream), yet a ${reading.read.status} summary`);
  }
  return {
    name: 'no summary for a refused or never-started order',
    severity: 'violation',
    checked,
    failures,
  };
}

const stockItems = (items: readonly { sku: unknown; qty: unknown }[]) =>
  canonicalJson(
    items.map(({ sku, qty }) => ({ sku, qty })).sort((x, y) => String(x.sku).localeCompare(String(y.sku))),
  );

/**
 * What the saga and its participants did for the order must be for the accepted command only: its
 * items reserved, its token and total charged. How many authorizations there were is
 * `noDoubleCharge`'s business (reconcile.ts); this finds a charge or a reservation of the refused one.
 */
function actedOnlyOn(accepted: PlacedCommand, stream: readonly StoredFact[]): string[] {
  const wrong: string[] = [];
  const items = stockItems(accepted.data.items);
  for (const f of stream) {
    const data = f.data;
    if (f.type === 'InventoryReservationRequested' || f.type === 'InventoryReserved') {
      const asked = Array.isArray(data.items) ? stockItems(data.items) : shown(data.items);
      if (asked !== items) wrong.push(`${f.type} ${f.id} for items ${asked}, accepted ${items}`);
    }
    if (
      f.type === 'PaymentAuthorizationRequested' &&
      (data.paymentToken !== accepted.data.paymentToken || data.total !== accepted.data.total)
    )
      wrong.push(`${f.type} ${f.id} for ${String(data.total)} with ${String(data.paymentToken)}`);
    if (f.type === 'PaymentAuthorized' && data.amount !== accepted.data.total)
      wrong.push(`${f.type} ${f.id} of ${String(data.amount)}, accepted total ${accepted.data.total}`);
  }
  return wrong;
}

/** The fields of an order that a refused command must not change. */
const ORDER_FIELDS = ['customerId', 'items', 'total'] as const;

/** The problems of one planned conflict; empty when it was refused and the accepted order stands. */
function conflictFailures(facts: ReadModelFacts, conflict: PlannedConflict): string[] {
  const { orderId, original, conflicting } = conflict;
  const saga = sagaFacts(facts, orderId);
  const stored = saga.filter((f) => f.type === 'OrderPlaced');
  const storedIds = [...new Set(stored.map((f) => f.id))];
  // Both commands are put in the same batch, so either may reach the saga first: the one the saga
  // stored is the accepted one, the other must be the refused one.
  const found = [original, conflicting].find((c) => storedIds.length === 1 && c.id === storedIds[0]);
  if (storedIds.length > 0 && !found) {
    return [
      `saga stream stores OrderPlaced ${storedIds.join(', ')}; expected one of ${original.id}, ${conflicting.id}`,
    ];
  }
  const failures: string[] = [];
  // Nothing stored: the rest is checked against the planned order, so the report still says whether
  // the other one was refused and what the summary and the charge show.
  if (!found) failures.push(`saga stream stores no OrderPlaced; checked against the planned ${original.id}`);
  const accepted = found ?? original;
  const refused = accepted === original ? conflicting : original;
  const storedData = stored[0]?.data;
  const differing = [...ORDER_FIELDS, 'paymentToken' as const].filter(
    (field) => storedData && canonicalJson(storedData[field]) !== canonicalJson(accepted.data[field]),
  );
  if (differing.length > 0)
    failures.push(`stored OrderPlaced differs from ${accepted.id} in ${differing.join(', ')}`);
  const rejections = saga.filter((f) => f.type === 'OrderRejected');
  const refusing = new Set(rejections.filter((f) => f.data.refusedEventId === refused.id).map((f) => f.id));
  if (refusing.size !== 1) failures.push(`${refusing.size} OrderRejected refusing ${refused.id}, expected 1`);
  if (rejections.some((f) => f.data.refusedEventId === accepted.id))
    failures.push(`the accepted ${accepted.id} was refused too`);
  const read = facts.summaries.get(orderId)?.read;
  if (!read) failures.push('no summary in the read model');
  for (const field of read ? ORDER_FIELDS : []) {
    if (canonicalJson(read?.[field]) !== canonicalJson(accepted.data[field]))
      failures.push(`summary ${field} ${shown(read?.[field])}, accepted ${shown(accepted.data[field])}`);
  }
  failures.push(...actedOnlyOn(accepted, facts.streams.get(orderId) ?? []));
  return failures;
}

/**
 * Every planned conflict was refused: exactly one `OrderRejected` in the saga stream naming the
 * refused command, the stored `OrderPlaced` is the accepted one, and the summary, the reservation and
 * the charge are the accepted order's.
 */
function conflictsRefused(facts: ReadModelFacts): CheckResult {
  const failures = facts.conflicts.flatMap((c) =>
    conflictFailures(facts, c).map((f) => `${c.orderId}: ${f}`),
  );
  return {
    name: 'conflicting commands refused, first order unchanged',
    severity: 'violation',
    checked: facts.conflicts.length,
    failures,
  };
}

/** The read-model checks of the campaign, in reporting order. */
export function reconcileReadModel(facts: ReadModelFacts): CheckResult[] {
  return [summariesMatchStore(facts), noSummaryWithoutSaga(facts), conflictsRefused(facts)];
}

import {
  type ContextConsumerDefinition,
  type ContextDefinition,
  contextOutputPrefix,
  pascalName,
  unstoredRuleTypes,
} from './context.ts';
import { isJsonObject } from './events/json.ts';
import { STORED_METADATA_KEY } from './events/stored.ts';

/**
 * Replays are safe by design:
 * - Every consumer rule on the bus matches live traffic only ({@link LIVE_EVENTS_ONLY}); an archive
 *   replay, whoever starts it and whatever its FilterArns, reaches no consumer through the bus.
 * - `pipeline replay` replays onto one staging rule ({@link REPLAYED_EVENTS_ONLY}, its queue drained by
 *   the CLI), which forwards each event at a chosen rate, of chosen types, to the queues of the bus
 *   consumers whose rules take it ({@link busRoutes}), or to one of them.
 * - Bus consumers are intakes: each recognises an input it handled from the stream it wrote, which the
 *   event store keeps for good, so a replayed event older than any idempotency record changes nothing.
 *   External side effects (payment calls, notifications, welcome messages) happen only downstream of
 *   an event newly stored, never on a bus consumer, so a replay cannot repeat them.
 */

/**
 * EventBridge sets `replay-name` on a replayed event only: a rule with this condition never matches one
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-archive.html).
 */
export const LIVE_EVENTS_ONLY = { 'replay-name': [{ exists: false }] } as const;

/** The staging rule's pattern: replayed events only, whatever their type or source. */
export const REPLAYED_EVENTS_ONLY = { 'replay-name': [{ exists: true }] } as const;

/** How a bus consumer takes events from the bus, as its rules match them. */
export interface BusRoute {
  /** `<context>/<consumer>`, the name `pipeline replay --consumer` takes. */
  readonly name: string;
  /** The stack output holding its queue URL. */
  readonly queueOutput: string;
  /** Types its intake rule takes before they are stored (no stored mark). */
  readonly unstored: readonly string[];
  /** Types its stored rule takes once the outbox published them (with the stored mark). */
  readonly stored: readonly string[];
  /**
   * Takes every event whose source starts with one of these, stored or not, whatever its type (the
   * walking skeleton's recorder). @default none
   */
  readonly sourcePrefixes?: readonly string[];
}

function routeOf(definition: ContextDefinition, consumer: ContextConsumerDefinition): BusRoute | undefined {
  const unstored = unstoredRuleTypes(consumer);
  const stored = consumer.fromBus ?? [];
  if (unstored.length === 0 && stored.length === 0) return undefined;
  return {
    name: `${definition.name}/${consumer.name}`,
    queueOutput: `${contextOutputPrefix(definition)}${pascalName(consumer.name)}QueueUrl`,
    unstored,
    stored,
  };
}

/**
 * The consumers that take events from the bus, derived from the definitions exactly as the
 * `BoundedContext` construct derives their rules (an intake rule for `unstoredRuleTypes`, a stored rule
 * for `fromBus`): the replay forwarder routes as the rules would have.
 */
export function busRoutes(definitions: readonly ContextDefinition[]): BusRoute[] {
  return definitions.flatMap((definition) =>
    definition.consumers.flatMap((consumer) => routeOf(definition, consumer) ?? []),
  );
}

/** The routes among `routes` whose rules take `event` (an EventBridge event, replayed or not). */
export function routesFor(event: unknown, routes: readonly BusRoute[]): BusRoute[] {
  if (!isJsonObject(event)) return [];
  const type = event['detail-type'];
  if (typeof type !== 'string') return [];
  const detail = isJsonObject(event.detail) ? event.detail : {};
  const metadata = isJsonObject(detail.metadata) ? detail.metadata : {};
  const stored = metadata[STORED_METADATA_KEY] !== undefined;
  const source = typeof event.source === 'string' ? event.source : '';
  return routes.filter(
    (route) =>
      (stored ? route.stored : route.unstored).includes(type) ||
      (route.sourcePrefixes ?? []).some((prefix) => source.startsWith(prefix)),
  );
}

/** The replay an EventBridge event came from, if it is a replayed one. */
export function replayNameOf(event: unknown): string | undefined {
  if (!isJsonObject(event)) return undefined;
  const name = event['replay-name'];
  return typeof name === 'string' ? name : undefined;
}

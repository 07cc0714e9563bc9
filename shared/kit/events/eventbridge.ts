import { ValidationError } from '../errors/pipeline-error.ts';
import type { AnyCatalog, Catalog, Definitions, EventOf } from './catalog.ts';
import type { EventDefinition } from './define.ts';
import { assertEntryFits } from './entry-size.ts';
import type { EventEnvelope } from './envelope.ts';
import { isJsonObject, parseJsonText } from './json.ts';

export { entrySize, type SizedEntry } from './entry-size.ts';

/** A PutEvents entry; structurally compatible with `PutEventsRequestEntry` of the AWS SDK. */
export interface PutEventsEntry {
  readonly EventBusName: string;
  readonly Source: string;
  readonly DetailType: string;
  readonly Detail: string;
}

/** Options of {@link toPutEventsEntry}. */
export interface ToEntryOptions {
  /** @default 262144 (256 KB); see `assertEntryFits` for why not EventBridge's newer 1 MB. */
  readonly maxBytes?: number;
}

/**
 * Maps an envelope to a PutEvents entry: the whole envelope travels as `Detail`, `source` and `type`
 * become `Source` and `DetailType` so rules can route without reading the detail.
 * Throws a {@link ValidationError} at `Detail` when the entry is above the size limit.
 */
export function toPutEventsEntry(
  envelope: EventEnvelope<unknown>,
  busName: string,
  options: ToEntryOptions = {},
): PutEventsEntry {
  if (busName.length === 0) throw new ValidationError('bus name must not be empty', 'EventBusName');
  const entry: PutEventsEntry = {
    EventBusName: busName,
    Source: envelope.source,
    DetailType: envelope.type,
    Detail: JSON.stringify(envelope),
  };
  assertEntryFits(entry, 'Detail', options.maxBytes);
  return entry;
}

/** The fields of an EventBridge event (as delivered to SQS or Lambda) that this module reads. */
export interface EventBridgeEvent {
  readonly 'detail-type': string;
  readonly source: string;
  readonly detail: unknown;
  readonly [field: string]: unknown;
}

/**
 * True when an EventBridge `detail` is one of our envelopes rather than bare event data: it has both
 * `type` and `data` (bare data of a catalog event never has both, and a broken envelope still does,
 * so it is reported as a broken envelope, field by field).
 */
export function isEnvelopeDetail(detail: Record<string, unknown>): boolean {
  return 'type' in detail && 'data' in detail;
}

/**
 * The envelope an EventBridge event carries, or, for a producer that put bare data (`Source`,
 * `DetailType` = a catalog type, `Detail` = that type's data), the envelope derived from the
 * EventBridge event: its `id` (also the correlation id, so `pipeline trace <EventId>` finds the flow),
 * `time`, `source` and `detail-type`; the newest catalog version unless the detail says otherwise in
 * a `version` field (one the event's data does not itself have). Not validated against the catalog.
 */
export function envelopeOfEventBridgeEvent(catalog: AnyCatalog, value: unknown): Record<string, unknown> {
  if (!isJsonObject(value)) throw new ValidationError('EventBridge event must be a JSON object');
  if (!('detail' in value)) throw new ValidationError('not an EventBridge event (no detail)', 'detail');
  const detail = value.detail;
  if (!isJsonObject(detail)) throw new ValidationError('must be a JSON object', 'detail');
  if (isEnvelopeDetail(detail)) return detail;
  const type = value['detail-type'];
  if (typeof type !== 'string' || !catalog.isType(type)) {
    if (typeof type === 'string') throw catalog.unknownTypeError(type, 'detail-type');
    throw new ValidationError('must name a catalog event type', 'detail-type');
  }
  const id = requiredString(value, 'id');
  const { version, data } = versionAndData(catalog.definitionOf(type), detail);
  return {
    id,
    type,
    version,
    source: requiredString(value, 'source'),
    time: isoTime(requiredString(value, 'time')),
    correlationId: id,
    data,
  };
}

function requiredString(value: Record<string, unknown>, field: string): string {
  const found = value[field];
  if (typeof found !== 'string' || found.length === 0) {
    throw new ValidationError('a bare-data EventBridge event needs it (a non-empty string)', field);
  }
  return found;
}

/** EventBridge writes whole seconds (`…:11Z`); stored times sort as text, so they get milliseconds. */
function isoTime(time: string): string {
  const parsed = Date.parse(time);
  return Number.isNaN(parsed) ? time : new Date(parsed).toISOString();
}

/** `detail.version` names the schema version only when the event's data has no field of that name. */
function versionAndData(
  definition: EventDefinition,
  detail: Record<string, unknown>,
): { version: unknown; data: unknown } {
  const shape = (definition.schema as { shape?: Record<string, unknown> }).shape;
  const dataHasVersion = shape !== undefined && 'version' in shape;
  if (dataHasVersion || !('version' in detail)) return { version: definition.version, data: detail };
  const { version, ...data } = detail;
  return { version, data };
}

/**
 * Reads the event out of an EventBridge event, validated and upcast by `catalog`: our envelope
 * in `detail` (error paths start with `detail.`; the routing fields must agree with it, otherwise rules
 * matched the event on values its consumers never see), or bare data (see
 * {@link envelopeOfEventBridgeEvent}; error paths name the field under `detail.`).
 */
export function fromEventBridgeEvent<D extends Definitions>(catalog: Catalog<D>, value: unknown): EventOf<D> {
  const envelope = envelopeOfEventBridgeEvent(catalog, value);
  const bare = envelope !== (value as { detail?: unknown }).detail;
  if (bare) return withBareDataPaths(() => catalog.parse(envelope, { pathPrefix: 'detail' }));
  const event = catalog.parse(envelope, { pathPrefix: 'detail' });
  const routed = value as Record<string, unknown>;
  if (routed['detail-type'] !== event.type) {
    throw new ValidationError(
      `does not match detail.type '${event.type}': ${JSON.stringify(routed['detail-type'])}`,
      'detail-type',
    );
  }
  if (routed.source !== event.source) {
    throw new ValidationError(
      `does not match detail.source '${event.source}': ${JSON.stringify(routed.source)}`,
      'source',
    );
  }
  return event;
}

/** Bare data sits at `detail`, not at `detail.data`: errors name the field where the producer put it. */
function withBareDataPaths<E>(parse: () => E): E {
  try {
    return parse();
  } catch (error) {
    if (!(error instanceof ValidationError) || !error.path.startsWith('detail.data')) throw error;
    const message = error.message.slice(error.path.length + 2);
    throw new ValidationError(message, `detail${error.path.slice('detail.data'.length)}`, error);
  }
}

/**
 * Parses an SQS message body holding an EventBridge event (rule → queue, or rule → SNS → queue with raw
 * delivery). A body that is an SNS notification (raw delivery off) is unwrapped first.
 */
export function fromSqsBody<D extends Definitions>(catalog: Catalog<D>, body: string): EventOf<D> {
  const parsed = parseJsonText(body, '');
  if (isJsonObject(parsed) && parsed.Type === 'Notification' && typeof parsed.Message === 'string') {
    return fromEventBridgeEvent(catalog, parseJsonText(parsed.Message, 'Message'));
  }
  return fromEventBridgeEvent(catalog, parsed);
}

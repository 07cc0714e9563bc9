import { ValidationError } from '../errors/pipeline-error.ts';
import type { AnyEvent } from './catalog.ts';
import { assertEntryFits } from './entry-size.ts';
import type { EventEnvelope } from './envelope.ts';
import { isJsonObject, parseJsonText } from './json.ts';
import { parseEvent } from './registry.ts';

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
 * Reads the envelope out of an EventBridge event and returns it validated and upcast (see
 * `parseEvent`); error paths start with `detail.`. The routing fields must agree with the envelope,
 * otherwise rules matched the event on values its consumers never see.
 */
export function fromEventBridgeEvent(value: unknown): AnyEvent {
  if (!isJsonObject(value)) throw new ValidationError('EventBridge event must be a JSON object');
  if (!('detail' in value)) throw new ValidationError('not an EventBridge event (no detail)', 'detail');
  const event = parseEvent(value.detail, { pathPrefix: 'detail' });
  if (value['detail-type'] !== event.type) {
    throw new ValidationError(
      `does not match detail.type '${event.type}': ${JSON.stringify(value['detail-type'])}`,
      'detail-type',
    );
  }
  if (value.source !== event.source) {
    throw new ValidationError(
      `does not match detail.source '${event.source}': ${JSON.stringify(value.source)}`,
      'source',
    );
  }
  return event;
}

/**
 * Parses an SQS message body holding an EventBridge event (rule → queue, or rule → SNS → queue with raw
 * delivery). A body that is an SNS notification (raw delivery off) is unwrapped first.
 */
export function fromSqsBody(body: string): AnyEvent {
  const parsed = parseJsonText(body, '');
  if (isJsonObject(parsed) && parsed.Type === 'Notification' && typeof parsed.Message === 'string') {
    return fromEventBridgeEvent(parseJsonText(parsed.Message, 'Message'));
  }
  return fromEventBridgeEvent(parsed);
}

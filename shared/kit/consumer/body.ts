import type { Catalog, Definitions, EventOf } from '../events/catalog.ts';
import { fromEventBridgeEvent } from '../events/eventbridge.ts';
import { isJsonObject, parseJsonText } from '../events/json.ts';

/** An EventBridge event (has `detail`) or a bare envelope; validated and upcast by `catalog`. */
function fromMessage<D extends Definitions>(catalog: Catalog<D>, value: unknown, path: string): EventOf<D> {
  if (isJsonObject(value) && 'detail' in value) return fromEventBridgeEvent(catalog, value);
  return catalog.parse(value, { pathPrefix: path });
}

/**
 * Reads the event out of an SQS message body, whichever way it was delivered:
 * - an EventBridge event (rule → queue, or rule → SNS → queue with raw delivery);
 * - a bare envelope (published to SNS directly, raw delivery);
 * - either of those inside an SNS notification (raw delivery off; error paths start with `Message`).
 * Every failure is a {@link ValidationError} naming the field.
 */
export function parseSqsBody<D extends Definitions>(catalog: Catalog<D>, body: string): EventOf<D> {
  const parsed = parseJsonText(body, '');
  if (isJsonObject(parsed) && parsed.Type === 'Notification' && typeof parsed.Message === 'string') {
    return fromMessage(catalog, parseJsonText(parsed.Message, 'Message'), 'Message');
  }
  return fromMessage(catalog, parsed, '');
}

import type { AnyEvent } from '../../contexts/orders/events/catalog.ts';
import { ValidationError } from '../errors/pipeline-error.ts';
import { fromEventBridgeEvent } from '../events/eventbridge.ts';
import { isJsonObject, parseJsonText } from '../events/json.ts';
import { parseEvent } from '../events/registry.ts';

/** An EventBridge event (has `detail`) or a bare envelope; validated and upcast by the catalog. */
function fromMessage(value: unknown, path: string): AnyEvent {
  if (isJsonObject(value) && 'detail' in value) return fromEventBridgeEvent(value);
  return parseEvent(value, { pathPrefix: path });
}

/**
 * Reads the event out of an SQS message body, whichever way it was delivered:
 * - an EventBridge event (rule → queue, or rule → SNS → queue with raw delivery);
 * - a bare envelope (published to SNS directly, raw delivery);
 * - either of those inside an SNS notification (raw delivery off; error paths start with `Message`).
 * Every failure is a {@link ValidationError} naming the field.
 */
export function parseSqsBody(body: string): AnyEvent {
  const parsed = parseJsonText(body, '');
  if (isJsonObject(parsed) && parsed.Type === 'Notification' && typeof parsed.Message === 'string') {
    return fromMessage(parseJsonText(parsed.Message, 'Message'), 'Message');
  }
  return fromMessage(parsed, '');
}

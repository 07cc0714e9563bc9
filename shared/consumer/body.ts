import { ValidationError } from '../errors/pipeline-error.ts';
import type { AnyEvent } from '../events/catalog.ts';
import { fromEventBridgeEvent } from '../events/eventbridge.ts';
import { parseEvent } from '../events/registry.ts';

function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    const detail = cause instanceof Error ? `: ${cause.message}` : '';
    throw new ValidationError(`not valid JSON${detail}`, path, cause);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An EventBridge event (has `detail`) or a bare envelope; validated and upcast by the catalog. */
function fromMessage(value: unknown, path: string): AnyEvent {
  if (isObject(value) && 'detail' in value) return fromEventBridgeEvent(value);
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
  const parsed = parseJson(body, '');
  if (isObject(parsed) && parsed.Type === 'Notification' && typeof parsed.Message === 'string') {
    return fromMessage(parseJson(parsed.Message, 'Message'), 'Message');
  }
  return fromMessage(parsed, '');
}

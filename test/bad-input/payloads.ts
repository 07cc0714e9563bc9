/**
 * What the bad-input cases send, built from parts: a valid order's data, our envelope around any data,
 * an EventBridge event as a rule delivers it, the outbox's stored mark, nesting deeper than
 * JSON.stringify can write. Nothing here validates: cases break these on purpose.
 */
import { STORED_METADATA_KEY, STORED_VERSION_METADATA_KEY } from '../../shared/kit/events/stored.ts';

/** `depth` nested JSON arrays around `inner`, as text (JSON.stringify recurses and overflows first). */
export function nestedArrays(depth: number, inner = ''): string {
  return `${'['.repeat(depth)}${inner}${']'.repeat(depth)}`;
}

/** A valid `OrderPlaced` data object for `orderId`. */
export function orderData(orderId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    orderId,
    customerId: 'cus-bad-input',
    items: [{ sku: 'BAD-INPUT-NONE', qty: 1, unitPrice: 10 }],
    total: 10,
    currency: 'EUR',
    paymentToken: 'tok_visa_4242',
    contact: { email: 'bad-input@example.com', channels: ['email'] },
    ...overrides,
  };
}

/** An envelope (not validated: cases break it on purpose). */
export function envelope(
  marker: string,
  type: string,
  data: unknown,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    id: `${marker}-event`,
    type,
    version: type === 'OrderPlaced' ? 2 : 1,
    source: 'orders.api',
    time: '2026-01-01T00:00:00.000Z',
    correlationId: `${marker}-corr`,
    data,
    ...overrides,
  };
}

/** An EventBridge event as a rule delivers it to SQS (`id` is EventBridge's event id). */
export function eventBridgeBody(
  detail: unknown,
  detailType: string,
  source = 'orders.api',
  id = '00000000-0000-4000-8000-000000000000',
): string {
  return JSON.stringify({
    version: '0',
    id,
    'detail-type': detailType,
    source,
    account: '000000000000',
    time: '2026-01-01T00:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail,
  });
}

/**
 * Envelope fields that make an event look as the outbox publishes it from `streamId` (see
 * `shared/kit/events/stored.ts`): consumers other than an intake take only events with this mark.
 */
export function storedMark(streamId: string, streamVersion = 1): { metadata: Record<string, unknown> } {
  return { metadata: { [STORED_METADATA_KEY]: streamId, [STORED_VERSION_METADATA_KEY]: streamVersion } };
}

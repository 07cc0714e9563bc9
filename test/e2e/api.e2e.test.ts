import { describe, expect, inject, it } from 'vitest';
import { apiBaseUrl } from '../../cli/ops/api-url.ts';
import { OUTPUTS } from '../../infra/stacks/outputs.ts';
import { PROBLEM_MEDIA_TYPE } from '../../shared/kit/http/problem.ts';
import { eventually } from '../support/aws.ts';
import { signedFetch } from '../support/signed-fetch.ts';
import { sagaWorld } from './saga-world.ts';

const world = sagaWorld();
const region = process.env.AWS_REGION ?? 'us-east-1';
const credentials = {
  accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? '000000000000',
  secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'test',
};
const base = apiBaseUrl(world.output(OUTPUTS.apiUrl), { kind: 'endpoint', endpoint: inject('endpoint') });
const signed = signedFetch(region, credentials);
/** Every e2e endpoint but AWS itself is an emulator (the tier deploys to a local cloud). */
const onEmulator = !/amazonaws\.com/.test(inject('endpoint'));

/** The body of an order for `orderId` of one item of `sku`; `data` overrides. */
function orderBody(orderId: string, sku: string, data: Record<string, unknown> = {}) {
  return {
    orderId,
    customerId: 'cus-api',
    items: [{ sku, qty: 1, unitPrice: 12.5 }],
    total: 12.5,
    currency: 'EUR',
    paymentToken: 'tok_visa_4242',
    contact: { email: 'ada@example.com', channels: ['email'] },
    ...data,
  };
}

/** A signed POST /orders with the given key, body and extra headers. */
async function post(key: string | undefined, body: unknown, headers: Record<string, string> = {}) {
  const response = await signed(`${base}orders`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(key === undefined ? {} : { 'idempotency-key': key }),
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Answer };
}

/** What the API answers as JSON: an outcome, a summary or a problem document. */
// biome-ignore lint/suspicious/noExplicitAny: the assertions say what each field must be
type Answer = Record<string, any>;

/** Every event stored for an order by its saga. */
const sagaStream = (orderId: string) => world.stream(`saga-order#${orderId}`);

describe.concurrent('the orders HTTP API on the deployed stack (SigV4-signed fetch)', () => {
  it('places a happy order with Prefer: wait=10 and answers 200 CONFIRMED, then GET shows the summary', async () => {
    const [sku, orderId] = [world.unique('API-BOOK'), world.unique('api-happy')];
    await world.stock(sku, 3);

    const placed = await post(world.unique('key'), orderBody(orderId, sku), { prefer: 'wait=10' });

    expect(placed.status).toBe(200);
    expect(placed.body).toMatchObject({ orderId, status: 'CONFIRMED' });
    expect(placed.headers.get('location')).toBe(`/orders/${orderId}`);
    expect(placed.body.correlationId).toBe(placed.headers.get('x-correlation-id'));
    const summary = await eventually(async () => {
      const response = await signed(`${base}orders/${orderId}`, { method: 'GET' });
      const answer = { status: response.status, body: (await response.json()) as Answer };
      return answer.status === 200 && answer.body.status === 'CONFIRMED' ? answer : undefined;
    });
    if (summary === undefined) throw new Error(`GET /orders/${orderId} never showed CONFIRMED`);
    expect(summary.body).toMatchObject({ orderId, status: 'CONFIRMED', total: 12.5, currency: 'EUR' });
    expect(summary.body.items).toEqual([{ sku, qty: 1, unitPrice: 12.5 }]);
    expect(summary.body.timeline[0]).toMatchObject({ type: 'OrderPlaced' });
  });

  it('answers 200 CANCELLED with the reason when the payment is declined', async () => {
    const [sku, orderId] = [world.unique('API-LAMP'), world.unique('api-declined')];
    await world.stock(sku, 3);

    const placed = await post(
      world.unique('key'),
      orderBody(orderId, sku, { paymentToken: 'tok_declined' }),
      {
        prefer: 'wait=10',
      },
    );

    expect(placed.status).toBe(200);
    expect(placed.body).toMatchObject({
      orderId,
      status: 'CANCELLED',
      reason: expect.stringContaining('declined'),
    });
  });

  it('answers a retry with the same key and body as the first time and stores one order; another body is a 409', async () => {
    const [sku, orderId, key] = [world.unique('API-MUG'), world.unique('api-dup'), world.unique('key')];
    await world.stock(sku, 3);

    const first = await post(key, orderBody(orderId, sku));
    const retry = await post(key, orderBody(orderId, sku));
    const other = await post(key, orderBody(world.unique('api-other'), sku));

    expect(first.status).toBe(202);
    expect(retry).toEqual({ ...first, headers: retry.headers });
    expect(retry.headers.get('location')).toBe(first.headers.get('location'));
    const placedEvents = (await sagaStream(orderId)).filter((event) => event.type === 'OrderPlaced');
    expect(placedEvents).toHaveLength(1);
    expect(other.status).toBe(409);
    expect(other.headers.get('content-type')).toBe(PROBLEM_MEDIA_TYPE);
  });

  it('answers an unknown order with a 404 problem document', async () => {
    const response = await signed(`${base}orders/${world.unique('api-missing')}`, { method: 'GET' });

    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe(PROBLEM_MEDIA_TYPE);
  });

  const bad: [string, string | undefined, unknown, Record<string, string>, number][] = [
    ['malformed JSON', 'k', '{"orderId":', {}, 400],
    ['a wrong content type', 'k', 'order', { 'content-type': 'text/plain' }, 415],
    ['an oversized body', 'k', 'x'.repeat(70 * 1024), {}, 413],
    ['an unknown field', 'k', 'coupon', {}, 400],
    ['a missing Idempotency-Key', undefined, 'order', {}, 400],
    ['an oversized Idempotency-Key', 'k'.repeat(300), 'order', {}, 400],
    ['a wait beyond 10 s', 'k', 'order', { prefer: 'wait=30' }, 400],
  ];
  it.each(bad)(
    'answers %s with its 4xx problem document and stores nothing',
    async (_, key, kind, headers, status) => {
      const orderId = world.unique('api-bad');
      const valid = orderBody(orderId, 'API-NONE');
      const body =
        kind === 'order'
          ? valid
          : kind === 'coupon'
            ? { ...valid, coupon: 'FREE' }
            : typeof kind === 'string' && kind.startsWith('x')
              ? { ...valid, customerId: kind }
              : kind;

      const answer = await post(key === 'k' ? world.unique('key') : key, body, headers);

      expect(answer.status).toBe(status);
      expect(answer.headers.get('content-type')).toBe(PROBLEM_MEDIA_TYPE);
      expect(answer.body).toMatchObject({ status, title: expect.any(String), detail: expect.any(String) });
      expect(await sagaStream(orderId)).toEqual([]);
    },
  );

  it('refuses an unsigned request with 403 before the function runs, and stores nothing', async () => {
    const orderId = world.unique('api-unsigned');

    const response = await fetch(`${base}orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': world.unique('key') },
      body: JSON.stringify(orderBody(orderId, 'API-NONE')),
    });

    // API Gateway's own answer (HTTP APIs have no gateway-response templates): not a problem document.
    expect(response.status).toBe(403);
    expect(await sagaStream(orderId)).toEqual([]);
  });

  // MiniStack checks that an AWS_IAM route's request carries an Authorization header but never
  // verifies the signature (conformance gap apigw-iam-signature-unverified, test/int/conformance-apigw):
  // the rejection is asserted only against an endpoint that verifies, never the emulator's acceptance.
  it.skipIf(onEmulator)(
    'refuses a wrongly signed request with 403 and stores nothing (skipped where signatures go unverified: gap apigw-iam-signature-unverified)',
    async () => {
      const orderId = world.unique('api-forged');
      const forged = signedFetch(region, {
        accessKeyId: credentials.accessKeyId,
        secretAccessKey: 'not-the-secret',
      });

      const response = await forged(`${base}orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': world.unique('key') },
        body: JSON.stringify(orderBody(orderId, 'API-NONE')),
      });

      expect(response.status).toBe(403);
      expect(await sagaStream(orderId)).toEqual([]);
    },
  );
});

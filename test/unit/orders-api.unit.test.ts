import { describe, expect, it } from 'vitest';
import { handleOrdersRequest, type OrdersApiDeps } from '../../shared/contexts/orders/use-cases/api.ts';
import { PROBLEM_MEDIA_TYPE } from '../../shared/kit/http/problem.ts';
import { TestPipeline } from '../fakes/pipeline.ts';

const order = {
  orderId: 'ord-api-1',
  customerId: 'cus-42',
  items: [{ sku: 'BOOK-123', qty: 2, unitPrice: 12.5 }],
  total: 25,
  currency: 'EUR',
  paymentToken: 'tok_visa_4242',
  contact: { email: 'ada@example.com', channels: ['email'] },
};

/** The API over the in-memory pipeline; each wait round lets the pipeline run (its clock moves). */
async function world() {
  const pipeline = new TestPipeline();
  await pipeline.stock({ sku: 'BOOK-123', qty: 10 });
  let polls = 0;
  const deps: OrdersApiDeps = {
    saga: pipeline.saga,
    store: pipeline.store,
    timers: pipeline.timers,
    inputClaims: pipeline.inputClaims,
    summaries: pipeline.summaries,
    events: pipeline.clock,
    logger: pipeline.logger,
    limits: { maxBodyBytes: 4096, maxIdempotencyKeyLength: 64, maxWaitSeconds: 10 },
    wait: {
      store: pipeline.store,
      pollIntervalMs: 250,
      now: () => pipeline.clock.now().getTime(),
      sleep: async (ms) => {
        polls += 1;
        pipeline.clock.advance(ms);
        await pipeline.run(ms);
      },
    },
  };
  const post = (
    body: unknown,
    headers: Record<string, string> = {},
    caller = 'iam:arn:aws:iam::1:role/shop',
  ) =>
    handleOrdersRequest(
      deps,
      {
        routeKey: 'POST /orders',
        method: 'POST',
        path: '/orders',
        headers: { 'content-type': 'application/json', 'idempotency-key': 'key-1', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
        caller,
      },
      'req-1',
    );
  const get = (orderId: string) =>
    handleOrdersRequest(
      deps,
      {
        routeKey: 'GET /orders/{id}',
        method: 'GET',
        path: `/orders/${orderId}`,
        headers: {},
        body: undefined,
        orderId,
      },
      'req-2',
    );
  return { pipeline, post, get, polls: () => polls };
}

const parsed = (answer: { body: string }) => JSON.parse(answer.body) as Record<string, unknown>;

describe('the orders HTTP API', () => {
  it('stores the order through the saga intake and answers 202 with its location and correlation id', async () => {
    const { pipeline, post } = await world();

    const answer = await post(order);

    expect(answer.statusCode).toBe(202);
    expect(answer.headers.location).toBe('/orders/ord-api-1');
    expect(parsed(answer)).toMatchObject({ orderId: 'ord-api-1', status: 'ACCEPTED' });
    const stored = [];
    for await (const event of pipeline.store.readAll('saga-order#ord-api-1')) stored.push(event.event);
    expect(stored[0]).toMatchObject({ type: 'OrderPlaced', correlationId: parsed(answer).correlationId });
    // The saga's first transition was decided with it: its first step's command is stored too.
    expect(stored.map((event) => event.type)).toContain('InventoryReservationRequested');
    expect(parsed(answer).correlationId).toBe(answer.headers['x-correlation-id']);
  });

  it('waits for a confirmation when asked to and answers 200 CONFIRMED', async () => {
    const { post, polls } = await world();

    const answer = await post(order, { prefer: 'wait=10' });

    expect(answer.statusCode).toBe(200);
    expect(parsed(answer)).toMatchObject({ orderId: 'ord-api-1', status: 'CONFIRMED' });
    expect(polls()).toBeGreaterThan(0);
  });

  it('answers CANCELLED with the reason when the payment is declined', async () => {
    const { post } = await world();

    const answer = await post({ ...order, paymentToken: 'tok_declined' }, { prefer: 'wait=10' });

    expect(answer.statusCode).toBe(200);
    expect(parsed(answer)).toMatchObject({
      status: 'CANCELLED',
      reason: expect.stringContaining('declined'),
    });
  });

  it('answers REJECTED when another key places other content under an existing order id', async () => {
    const { post } = await world();
    await post(order);

    const answer = await post(
      { ...order, customerId: 'cus-77' },
      { 'idempotency-key': 'key-2', prefer: 'wait=1' },
    );

    expect(answer.statusCode).toBe(200);
    expect(parsed(answer)).toMatchObject({ status: 'REJECTED' });
  });

  it('answers a retry with the same key and body as the first time and stores the order once', async () => {
    const { pipeline, post } = await world();
    const first = await post(order);

    const retry = await post(order);

    expect(retry).toEqual(first);
    const placed = [];
    for await (const stored of pipeline.store.readAll('saga-order#ord-api-1')) {
      if (stored.event.type === 'OrderPlaced') placed.push(stored);
    }
    expect(placed).toHaveLength(1);
  });

  it("keeps each caller's keys apart: another caller's same key places its own order", async () => {
    const { post } = await world();
    const first = await post(order);

    const other = await post({ ...order, orderId: 'ord-api-2' }, {}, 'iam:arn:aws:iam::2:role/partner');

    expect(other.statusCode).toBe(202);
    expect(JSON.parse(other.body).correlationId).not.toBe(JSON.parse(first.body).correlationId);
  });

  it('refuses the same key with another body with 409 and stores nothing for it', async () => {
    const { pipeline, post } = await world();
    await post(order);

    const answer = await post({ ...order, orderId: 'ord-api-2' });

    expect(answer.statusCode).toBe(409);
    expect(answer.headers['content-type']).toBe(PROBLEM_MEDIA_TYPE);
    const other = [];
    for await (const stored of pipeline.store.readAll('saga-order#ord-api-2')) other.push(stored);
    expect(other).toHaveLength(0);
  });

  it.each([
    ['malformed JSON', '{"orderId":', {}, 400, 'malformed-json'],
    ['a wrong content type', order, { 'content-type': 'text/plain' }, 415, 'unsupported-media-type'],
    ['an oversized body', { ...order, customerId: 'x'.repeat(5000) }, {}, 413, 'body-too-large'],
    ['an unknown field', { ...order, coupon: 'FREE' }, {}, 400, 'invalid-body'],
    ['a missing field', { ...order, total: undefined }, {}, 400, 'invalid-body'],
    ['a missing Idempotency-Key', order, { 'idempotency-key': '' }, 400, 'idempotency-key'],
    ['an oversized Idempotency-Key', order, { 'idempotency-key': 'k'.repeat(65) }, 400, 'idempotency-key'],
    ['a wait beyond 10 s', order, { prefer: 'wait=11' }, 400, 'invalid-prefer'],
    ['a wait that is no number', order, { prefer: 'wait=soon' }, 400, 'invalid-prefer'],
  ])('answers %s with a problem document and stores nothing', async (_, body, headers, status, kind) => {
    const { pipeline, post } = await world();

    const answer = await post(body, headers as Record<string, string>);

    expect(answer.statusCode).toBe(status);
    expect(answer.headers['content-type']).toBe(PROBLEM_MEDIA_TYPE);
    expect(parsed(answer)).toMatchObject({ status, type: expect.stringMatching(new RegExp(`/${kind}$`)) });
    const stored = [];
    for await (const event of pipeline.store.readAll('saga-order#ord-api-1')) stored.push(event);
    expect(stored).toHaveLength(0);
  });

  it('names the path of the offending field in a 400', async () => {
    const { post } = await world();

    const unknown = parsed(await post({ ...order, contact: { ...order.contact, fax: '1' } }));
    const invalid = parsed(await post({ ...order, items: [{ sku: 'BOOK-123', qty: 0, unitPrice: 1 }] }));

    expect(unknown.path).toBe('contact.fax');
    expect(invalid.path).toBe('items.0.qty');
  });

  it('answers GET with the read model and 404 for an unknown order', async () => {
    const { pipeline, post, get } = await world();
    await post(order);
    await pipeline.run();

    const found = await get('ord-api-1');
    const missing = await get('ord-nope');

    expect(found.statusCode).toBe(200);
    expect(parsed(found)).toMatchObject({ orderId: 'ord-api-1', status: 'CONFIRMED', total: 25 });
    expect((parsed(found).timeline as unknown[]).length).toBeGreaterThan(1);
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toBe(PROBLEM_MEDIA_TYPE);
  });
});

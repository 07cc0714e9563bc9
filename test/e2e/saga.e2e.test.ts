import { describe, expect, it } from 'vitest';
import { OUTPUTS } from '../../infra/stacks/outputs.ts';
import { stageSettings } from '../../infra/stages.ts';
import { DEAD_LETTER_ATTRIBUTES } from '../../shared/kit/consumer/dead-letter.ts';
import { count, sagaWorld, typesOf } from './saga-world.ts';

const world = sagaWorld();

/** Time for stragglers (a redelivery, a second charge) to show up before counting. */

/** Every scenario owns its SKUs and order ids, so they run at the same time on one stack. */
describe.concurrent('order saga on the deployed stack (events in through EventBridge)', () => {
  it('confirms a happy order: stock taken once, one authorization, one notification per chosen channel, CONFIRMED summary', async () => {
    // Arrange
    const [book, mug, orderId] = [world.unique('BOOK'), world.unique('MUG'), world.unique('happy')];
    await Promise.all([world.stock(book, 5), world.stock(mug, 3)]);
    const placed = world.order({
      orderId,
      items: [
        { sku: book, qty: 2, unitPrice: 12.5 },
        { sku: mug, qty: 1, unitPrice: 9 },
      ],
      total: 34,
      contact: { email: 'ada@example.com', phone: '+4915112345678', channels: ['email', 'sms'] },
    });

    // Act
    await world.place(placed);
    const outcome = await world.outcome(orderId);
    const summary = await world.summary(
      orderId,
      (s) => s.status === 'CONFIRMED' && count(s.timeline, 'NotificationSent') === 2,
    );
    await world.drained();

    // Assert
    const history = await world.history(orderId);
    expect(outcome.type).toBe('OrderConfirmed');
    expect([await world.available(book), await world.available(mug)]).toEqual([3, 2]);
    expect(count(history.inventory, 'InventoryReserved')).toBe(1);
    expect(count(history.payment, 'PaymentAuthorized')).toBe(1);
    expect(await world.ledger(orderId)).toMatchObject({ attempts: 1, answer: { outcome: 'authorized' } });
    expect(history.notifications.map((e) => e.data.channel).sort()).toEqual(['email', 'sms']);
    expect(await world.delivered(orderId, 'email', 'OrderConfirmed')).toBe(true);
    expect(await world.delivered(orderId, 'sms', 'OrderConfirmed')).toBe(true);
    expect(await world.delivered(orderId, 'push', 'OrderConfirmed')).toBe(false);
    expect(summary).toMatchObject({ status: 'CONFIRMED', total: 34, currency: 'EUR', customerId: 'cus-e2e' });
    expect(summary.items.map((i) => i.sku)).toEqual([book, mug]);
    expect(typesOf(summary.timeline)).toEqual(
      expect.arrayContaining(['OrderPlaced', 'InventoryReserved', 'PaymentAuthorized', 'OrderConfirmed']),
    );
    expect(summary.timeline[0]?.type).toBe('OrderPlaced');
  });

  it('cancels a tok_declined order: stock released back to where it was, no authorization', async () => {
    // Arrange
    const [sku, orderId] = [world.unique('LAMP'), world.unique('declined')];
    await world.stock(sku, 4);
    const placed = world.order({
      orderId,
      items: [{ sku, qty: 2, unitPrice: 20 }],
      total: 40,
      paymentToken: 'tok_declined',
    });

    // Act
    await world.place(placed);
    const outcome = await world.outcome(orderId);
    const summary = await world.summary(orderId, (s) => s.status === 'CANCELLED');

    // Assert
    const history = await world.history(orderId);
    expect(outcome).toMatchObject({ type: 'OrderCancelled', data: { reason: 'card declined' } });
    expect(typesOf(history.inventory)).toEqual(['InventoryReserved', 'InventoryReleased']);
    expect(await world.available(sku)).toBe(4);
    expect(typesOf(history.payment)).toEqual(['PaymentDeclined']);
    expect((await world.ledger(orderId)).answer).toMatchObject({ outcome: 'declined' });
    expect(summary.authorizationId).toBeUndefined();
    expect(summary.reason).toBe('card declined');
  });

  it('cancels an order it cannot stock without attempting payment', async () => {
    // Arrange
    const [sku, orderId] = [world.unique('DESK'), world.unique('out-of-stock')];
    await world.stock(sku, 1);
    const placed = world.order({ orderId, items: [{ sku, qty: 3, unitPrice: 100 }], total: 300 });

    // Act
    await world.place(placed);
    const outcome = await world.outcome(orderId);
    await world.drained();

    // Assert
    const history = await world.history(orderId);
    expect(outcome.type).toBe('OrderCancelled');
    expect(outcome.data).toMatchObject({ reason: `insufficient stock: ${sku} (requested 3, available 1)` });
    expect(typesOf(history.inventory)).toEqual(['InventoryReservationFailed']);
    expect(typesOf(history.saga)).not.toContain('PaymentAuthorizationRequested');
    expect(history.payment).toEqual([]);
    expect(await world.ledger(orderId)).toEqual({ attempts: 0 });
    expect(await world.available(sku)).toBe(1);
  });

  it('compensates a tok_timeout order after the step timeout: payment voided, stock released', async () => {
    // Arrange
    const [sku, orderId] = [world.unique('CHAIR'), world.unique('timeout')];
    await world.stock(sku, 2);
    const placed = world.order({
      orderId,
      items: [{ sku, qty: 1, unitPrice: 50 }],
      total: 50,
      paymentToken: 'tok_timeout',
    });

    // Act
    const started = Date.now();
    await world.place(placed);
    const outcome = await world.outcome(orderId, 90_000);
    const waited = Date.now() - started;

    // Assert
    const history = await world.history(orderId);
    expect(outcome).toMatchObject({ type: 'OrderCancelled', data: { reason: 'authorizePayment timed out' } });
    // Compensation starts no earlier than the dev stage's step timeout.
    expect(waited).toBeGreaterThanOrEqual(stageSettings('dev').sagaStepTimeout.toMilliseconds());
    expect(typesOf(history.saga)).toEqual(
      expect.arrayContaining(['PaymentVoidRequested', 'InventoryReleaseRequested']),
    );
    expect(history.payment.map((e) => [e.type, e.data.authorizationId])).toEqual([
      ['PaymentVoided', undefined],
    ]);
    expect(typesOf(history.inventory)).toEqual(['InventoryReserved', 'InventoryReleased']);
    expect(await world.available(sku)).toBe(2);
    expect((await world.ledger(orderId)).answer).toBeUndefined();
  });

  it('confirms a tok_flaky order after retries, with exactly one authorization', async () => {
    // Arrange
    const [sku, orderId] = [world.unique('SOFA'), world.unique('flaky')];
    await world.stock(sku, 1);
    const placed = world.order({
      orderId,
      items: [{ sku, qty: 1, unitPrice: 500 }],
      total: 500,
      paymentToken: 'tok_flaky',
    });

    // Act
    await world.place(placed);
    const outcome = await world.outcome(orderId);
    await world.drained();

    // Assert: two simulated outages, each a separate delivery (and possibly another environment).
    const history = await world.history(orderId);
    const ledger = await world.ledger(orderId);
    expect(outcome.type).toBe('OrderConfirmed');
    expect(ledger.attempts).toBe(3);
    expect(ledger.answer).toMatchObject({ outcome: 'authorized', attempt: 3 });
    expect(typesOf(history.payment)).toEqual(['PaymentAuthorized']);
    expect(history.payment[0]?.data.authorizationId).toBe(
      ledger.answer?.outcome === 'authorized' ? ledger.answer.authorizationId : 'missing',
    );
  });

  it('handles the same OrderPlaced delivered three times as one order: one reservation, one charge', async () => {
    // Arrange
    const [sku, orderId] = [world.unique('PEN'), world.unique('thrice')];
    await world.stock(sku, 10);
    const placed = world.order({ orderId, items: [{ sku, qty: 4, unitPrice: 2.5 }], total: 10 });

    // Act: three puts of the very same event (same id), at the same time.
    await Promise.all([world.place(placed), world.place(placed), world.place(placed)]);
    const outcome = await world.outcome(orderId);
    await world.drained();

    // Assert
    const history = await world.history(orderId);
    expect(outcome.type).toBe('OrderConfirmed');
    expect(count(history.saga, 'SagaStarted')).toBe(1);
    expect(history.saga.filter((e) => e.data.eventId === placed.id)).toHaveLength(1);
    expect(count(history.saga, 'OrderConfirmed')).toBe(1);
    expect(typesOf(history.inventory)).toEqual(['InventoryReserved']);
    expect(await world.available(sku)).toBe(6);
    expect(typesOf(history.payment)).toEqual(['PaymentAuthorized']);
    expect((await world.ledger(orderId)).attempts).toBe(1);
    expect(await world.peekDeadLetters(world.output(OUTPUTS.sagaDlqUrl), orderId)).toEqual([]);
  });

  it('dead-letters a payment whose total does not match its items, with the reason, and compensates on the timeout', async () => {
    // Arrange: a valid order (totals may differ from the items for discounts), which payment refuses.
    const [sku, orderId] = [world.unique('VASE'), world.unique('bad-total')];
    await world.stock(sku, 2);
    const placed = world.order({ orderId, items: [{ sku, qty: 1, unitPrice: 10 }], total: 999 });

    // Act
    await world.place(placed);
    const dead = await world.deadLetters(world.output(OUTPUTS.paymentDlqUrl), orderId);
    const outcome = await world.outcome(orderId, 90_000);

    // Assert: no provider call, no retries; the saga gives up on the step and releases the stock.
    const attributes = dead[0]?.MessageAttributes ?? {};
    expect(dead).toHaveLength(1);
    expect(attributes[DEAD_LETTER_ATTRIBUTES.code]?.StringValue).toBe('VALIDATION');
    expect(attributes[DEAD_LETTER_ATTRIBUTES.path]?.StringValue).toBe('data.total');
    expect(attributes[DEAD_LETTER_ATTRIBUTES.message]?.StringValue).toContain('items add up to 10.00');
    expect(attributes[DEAD_LETTER_ATTRIBUTES.receiveCount]?.StringValue).toBe('1');
    expect(await world.ledger(orderId)).toEqual({ attempts: 0 });
    expect(outcome).toMatchObject({ type: 'OrderCancelled', data: { reason: 'authorizePayment timed out' } });
    expect(await world.available(sku)).toBe(2);
  });

  it('dead-letters the one schema-invalid OrderPlaced of a batch with its reason and processes the others', async () => {
    // Arrange: four orders in one PutEvents call; one has a quantity of 0.
    const sku = world.unique('CUP');
    await world.stock(sku, 10);
    const valid = [1, 2, 3].map((n) =>
      world.order({ orderId: world.unique(`batch-${n}`), items: [{ sku, qty: 1, unitPrice: 3 }], total: 3 }),
    );
    const badId = world.unique('batch-invalid');
    const bad = world.order({ orderId: badId, items: [{ sku, qty: 1, unitPrice: 3 }], total: 3 });
    const invalid = { ...bad, data: { ...bad.data, items: [{ sku, qty: 0, unitPrice: 3 }] } };

    // Act
    await world.place(...valid.slice(0, 1), invalid, ...valid.slice(1));
    const outcomes = await Promise.all(valid.map((order) => world.outcome(order.data.orderId)));
    const dead = await world.deadLetters(world.output(OUTPUTS.sagaDlqUrl), badId);

    // Assert
    expect(outcomes.map((o) => o.type)).toEqual(['OrderConfirmed', 'OrderConfirmed', 'OrderConfirmed']);
    expect(await world.available(sku)).toBe(7);
    expect(dead).toHaveLength(1);
    const attributes = dead[0]?.MessageAttributes ?? {};
    expect(attributes[DEAD_LETTER_ATTRIBUTES.code]?.StringValue).toBe('VALIDATION');
    expect(attributes[DEAD_LETTER_ATTRIBUTES.path]?.StringValue).toBe('detail.data.items.0.qty');
    expect(attributes[DEAD_LETTER_ATTRIBUTES.message]?.StringValue).toMatch(/^detail\.data\.items\.0\.qty: /);
    expect(attributes[DEAD_LETTER_ATTRIBUTES.sourceQueue]?.StringValue).toMatch(/OrdersSagaWorkQueue/);
    expect(JSON.parse(dead[0]?.Body ?? '{}').detail.id).toBe(invalid.id);
    expect(await world.stream(`saga-order#${badId}`)).toEqual([]);
  });
});

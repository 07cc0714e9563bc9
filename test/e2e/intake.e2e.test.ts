import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { describe, expect, it } from 'vitest';
import { OUTPUTS } from '../../infra/stacks/outputs.ts';
import { ordersCatalog } from '../../shared/contexts/orders/events/catalog.ts';
import { DEAD_LETTER_ATTRIBUTES } from '../../shared/kit/consumer/dead-letter.ts';
import { contentHashOf } from '../../shared/kit/events/content-hash.ts';
import { DynamoDbSubjectKeys, revealEvent } from '../../shared/kit/personal-data/index.ts';
import { testClients } from '../support/aws.ts';
import { count, sagaWorld } from './saga-world.ts';

const world = sagaWorld();
const { events, dynamo } = testClients();

/** Time for stragglers (a redelivery, a second charge, a late summary write) to show up before counting. */

/** What a producer without our envelope puts on the bus: Source, DetailType and the bare data. */
async function putBare(data: Record<string, unknown>, source = 'orders.api'): Promise<string> {
  const result = await events.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: world.output(OUTPUTS.busName),
          Source: source,
          DetailType: 'OrderPlaced',
          Detail: JSON.stringify(data),
        },
      ],
    }),
  );
  const id = result.Entries?.[0]?.EventId;
  if (result.FailedEntryCount || !id) throw new Error(`PutEvents refused: ${JSON.stringify(result)}`);
  return id;
}

/** Bare OrderPlaced data for one SKU. */
function bareOrder(orderId: string, sku: string, customerId = 'cus-native') {
  return {
    orderId,
    customerId,
    items: [{ sku, qty: 1, unitPrice: 9 }],
    total: 9,
    currency: 'EUR',
    paymentToken: 'tok_visa_4242',
    contact: { email: 'native@example.com', channels: ['email'] },
  };
}

/** Every scenario owns its SKUs and order ids, so they run at the same time on one stack. */
describe.concurrent('intake: every command is stored by its one writer before anything reacts', () => {
  it('refuses a conflicting second OrderPlaced as a stored OrderRejected and leaves the first order as it was', async () => {
    // Arrange: a confirmed order, then a second OrderPlaced for its id from another customer.
    const [sku, other, orderId] = [world.unique('CFL'), world.unique('CFL2'), world.unique('conflict')];
    await Promise.all([world.stock(sku, 5), world.stock(other, 5)]);
    const first = world.order({ orderId, items: [{ sku, qty: 2, unitPrice: 5 }], total: 10 });
    await world.place(first);
    expect((await world.outcome(orderId)).type).toBe('OrderConfirmed');
    const before = await world.summary(orderId, (s) => s.status === 'CONFIRMED');
    const second = world.order({
      orderId,
      customerId: 'cus-intruder',
      items: [{ sku: other, qty: 3, unitPrice: 7 }],
      total: 21,
      paymentToken: 'tok_other',
    });

    // Act
    await world.place(second);
    const summary = await world.summary(orderId, (s) => (s.refusals ?? []).length > 0);
    await world.drained();

    // Assert
    const history = await world.history(orderId);
    const rejected = history.saga.filter((e) => e.type === 'OrderRejected');
    expect(rejected).toHaveLength(1);
    expect(rejected[0]?.data).toMatchObject({
      orderId,
      customerId: 'cus-intruder',
      refusedEventId: second.id,
      reason: expect.stringMatching(/belongs to another customer/),
    });
    expect(rejected[0]?.correlationId).toBe(second.correlationId);
    expect(history.saga.filter((e) => e.type === 'OrderPlaced').map((e) => e.id)).toEqual([first.id]);
    expect([await world.available(sku), await world.available(other)]).toEqual([3, 5]);
    expect(count(history.payment, 'PaymentAuthorized')).toBe(1);
    expect(history.payment.find((e) => e.type === 'PaymentAuthorized')?.data).toMatchObject({ amount: 10 });
    expect((await world.ledger(orderId)).attempts).toBe(1);
    expect(count(history.saga, 'OrderConfirmed')).toBe(1);
    expect(summary).toMatchObject({
      status: 'CONFIRMED',
      customerId: before.customerId,
      items: before.items,
      total: 10,
    });
    expect(summary.refusals).toEqual([
      expect.objectContaining({ eventId: second.id, customerId: 'cus-intruder' }),
    ]);
  });

  it('dead-letters an event id reused with other content, naming both content hashes, and changes nothing', async () => {
    // Arrange: an order placed and finished; then its event id again, once for the same order with
    // other items and once for an order id nobody placed.
    const [sku, orderId, strangerId] = [
      world.unique('RID'),
      world.unique('reused'),
      world.unique('stranger'),
    ];
    await world.stock(sku, 5);
    const first = world.order({ orderId, items: [{ sku, qty: 1, unitPrice: 10 }], total: 10 });
    await world.place(first);
    expect((await world.outcome(orderId)).type).toBe('OrderConfirmed');
    const sameOrder = { ...first, data: { ...first.data, items: [{ sku, qty: 4, unitPrice: 2.5 }] } };
    const otherOrder = { ...first, data: { ...first.data, orderId: strangerId } };

    // Act
    await world.place(sameOrder, otherOrder);
    const letters: Awaited<ReturnType<typeof world.deadLetters>> = [];
    const deadline = Date.now() + 60_000;
    while (letters.length < 2 && Date.now() < deadline) {
      letters.push(...(await world.deadLetters(world.output(OUTPUTS.sagaDlqUrl), first.id, 5_000)));
    }
    await world.drained();

    // Assert
    expect(letters).toHaveLength(2);
    const storedFirst = (await world.history(orderId)).saga.find((e) => e.type === 'OrderPlaced');
    if (!storedFirst) throw new Error(`no OrderPlaced stored for ${orderId}`);
    for (const letter of letters) {
      const attributes = letter.MessageAttributes ?? {};
      expect(attributes[DEAD_LETTER_ATTRIBUTES.code]?.StringValue).toBe('EVENT_ID_REUSED');
      const message = attributes[DEAD_LETTER_ATTRIBUTES.message]?.StringValue ?? '';
      // The hash of the order as the intake stored it: its contact encrypted (docs/personal-data.md).
      expect(message).toContain(contentHashOf(storedFirst));
      expect(message).toMatch(/this message has sha256:[0-9a-f]{64}/);
    }
    const history = await world.history(orderId);
    expect(history.saga.filter((e) => e.type === 'OrderPlaced')).toHaveLength(1);
    expect(count(history.saga, 'OrderRejected')).toBe(0);
    expect(await world.available(sku)).toBe(4);
    expect((await world.history(strangerId)).saga).toEqual([]);
    expect(await world.summaries.get(strangerId)).toBeUndefined();
    expect((await world.summaries.get(orderId))?.summary.items).toEqual(first.data.items);
  });

  it('has exactly one effect for the same event put 20 times at once', async () => {
    // Arrange
    const [sku, orderId] = [world.unique('TWENTY'), world.unique('twenty')];
    await world.stock(sku, 5);
    const placed = world.order({ orderId, items: [{ sku, qty: 1, unitPrice: 10 }], total: 10 });

    // Act: two PutEvents calls of ten identical entries, sent together.
    const tens = Array.from({ length: 10 }, () => placed);
    await Promise.all([world.place(...tens), world.place(...tens)]);
    expect((await world.outcome(orderId)).type).toBe('OrderConfirmed');
    await world.summary(
      orderId,
      (s) => s.status === 'CONFIRMED' && count(s.timeline, 'NotificationSent') > 0,
    );
    await world.drained();

    // Assert
    const history = await world.history(orderId);
    expect(count(history.saga, 'OrderPlaced')).toBe(1);
    expect(count(history.saga, 'OrderConfirmed')).toBe(1);
    expect(count(history.saga, 'OrderRejected')).toBe(0);
    expect(count(history.inventory, 'InventoryReserved')).toBe(1);
    expect(count(history.payment, 'PaymentAuthorized')).toBe(1);
    expect((await world.ledger(orderId)).attempts).toBe(1);
    expect(await world.available(sku)).toBe(4);
    expect(await world.peekDeadLetters(world.output(OUTPUTS.sagaDlqUrl), placed.id)).toEqual([]);
  });

  it('completes an order a producer put as bare data under its own source (no envelope), with the envelope derived from the EventBridge event', async () => {
    // Arrange
    const [sku, orderId] = [world.unique('NATIVE'), world.unique('native')];
    await world.stock(sku, 3);

    // Act
    const eventBridgeId = await putBare(bareOrder(orderId, sku), 'com.example.shop');
    const outcome = await world.outcome(orderId);
    const summary = await world.summary(orderId, (s) => s.status === 'CONFIRMED');

    // Assert
    expect(outcome.type).toBe('OrderConfirmed');
    const placed = (await world.history(orderId)).saga.find((e) => e.type === 'OrderPlaced');
    if (!placed) throw new Error(`no OrderPlaced stored for ${orderId}`);
    // Stored with the contact encrypted under the customer's key; it opens to what the producer sent.
    expect(JSON.stringify(placed)).not.toContain('native@example.com');
    const keys = new DynamoDbSubjectKeys({
      client: dynamo,
      tableName: world.output(OUTPUTS.subjectKeysTable),
    });
    expect(await revealEvent(ordersCatalog, ordersCatalog.parse(placed), keys)).toMatchObject({
      id: eventBridgeId,
      correlationId: eventBridgeId,
      source: 'com.example.shop',
      version: 2,
      data: bareOrder(orderId, sku),
    });
    expect(summary).toMatchObject({ customerId: 'cus-native', total: 9 });
    expect(await world.available(sku)).toBe(2);
  });

  it('takes the same bare command retried with a new EventBridge id as one order, not two', async () => {
    // Arrange
    const [sku, orderId] = [world.unique('RETRY'), world.unique('retried')];
    await world.stock(sku, 3);

    // Act: the producer's retry (another PutEvents, so another EventBridge id), once later, once at once.
    const ids = [await putBare(bareOrder(orderId, sku))];
    ids.push(...(await Promise.all([putBare(bareOrder(orderId, sku)), putBare(bareOrder(orderId, sku))])));
    expect((await world.outcome(orderId)).type).toBe('OrderConfirmed');
    await world.summary(orderId, (s) => s.status === 'CONFIRMED');
    await world.drained();

    // Assert
    expect(new Set(ids).size).toBe(3);
    const history = await world.history(orderId);
    expect(count(history.saga, 'OrderPlaced')).toBe(1);
    expect(count(history.saga, 'OrderRejected')).toBe(0);
    expect(count(history.inventory, 'InventoryReserved')).toBe(1);
    expect((await world.ledger(orderId)).attempts).toBe(1);
    expect(await world.available(sku)).toBe(2);
  });
});

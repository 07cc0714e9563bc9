/**
 * Bad-input cases of the intake (one writer at the door, see README): a producer's data without our
 * envelope, a second OrderPlaced that conflicts with a stored order, the same command under a new id,
 * an event id reused with other content, events that skipped the event store (no stored mark, or a
 * mark the store does not confirm), and stored events delivered to a consumer without a handler.
 * Some need an earlier input to meet (`first`): the runner sends that, waits until it was taken, then
 * sends the case's own payload.
 */

import { parseEvent } from '../../shared/contexts/orders/events/catalog.ts';
import { inventoryStreams } from '../../shared/contexts/orders/use-cases/inventory.ts';
import { orderStreamIds } from '../../shared/contexts/orders/use-cases/order-history.ts';
import { contentHashOf } from '../../shared/kit/events/content-hash.ts';
import { STORED_METADATA_KEY } from '../../shared/kit/events/stored.ts';
import type {
  CaseContext,
  CaseInput,
  DlqOutput,
  Expectation,
  FirstInput,
  Payload,
  QueueOutput,
} from './cases.ts';
import { envelope, eventBridgeBody, orderData, storedMark } from './payloads.ts';

const json = (value: unknown) => JSON.stringify(value);

/** The order saga's stream of an order (where the intake stores the OrderPlaced it accepts). */
const sagaStream = (orderId: string) => orderStreamIds(orderId)[0] ?? `saga-order#${orderId}`;

/** The content hash a consumer computes for an envelope (type, version and data as it parses them). */
function hashOf(event: Record<string, unknown>): string {
  return contentHashOf(parseEvent(event));
}

/** What a consumer says about an event id it handled before with other content (both hashes exact). */
function idReused(consumer: string, eventId: string, before: string, now: string): RegExp {
  return new RegExp(
    `^EVENT_ID_REUSED at detail\\.id: event id ${eventId} was handled by ${consumer} before with other ` +
      `content \\(${before}\\); this message has ${now}: `,
  );
}

/**
 * What a consumer says about a catalog event that reached it without the outbox's stored mark
 * (`consumer` is a pattern). The path names the mark's key as the outbox writes it.
 */
export function notStored(type: string, consumer: string): RegExp {
  return new RegExp(
    `^NOT_STORED at detail\\.metadata\\.${STORED_METADATA_KEY}: ${type} arrived without passing through ` +
      `the event store; consumer ${consumer} reacts only to stored events`,
  );
}

/** What a consumer says about an event whose stored mark names a position where the store holds no such event. */
function forgedMark(type: string, consumer: string, streamId: string, version: number): RegExp {
  return new RegExp(
    `^NOT_STORED at detail\\.metadata\\.${STORED_METADATA_KEY}: ${type} claims to be stored at ${streamId} ` +
      `version ${version}, but the event store holds no such event there; consumer ${consumer} reacts only to stored events`,
  );
}

/**
 * An event stored first (version 1 of a stream named after the case; the outbox publishes it as usual),
 * and its copy as the outbox publishes it, whose mark the store confirms.
 */
function storedFirst(marker: string, event: Record<string, unknown>, type: string) {
  return {
    first: {
      payload: { edge: 'event-store', streamId: marker, event },
      taken: { streamId: marker, type },
    } satisfies FirstInput,
    copy: { ...event, ...storedMark(marker, 1) },
  };
}

function putEntry(detail: unknown, detailType = 'OrderPlaced', source = 'orders.api') {
  return {
    edge: 'put-events',
    entry: { Source: source, DetailType: detailType, Detail: json(detail) },
  } as const;
}

function sqsMessage(queue: QueueOutput, body: string): Extract<Payload, { edge: 'sqs-body' }> {
  return { edge: 'sqs-body', queue, body };
}

function deadLetteredIn(queue: DlqOutput, reason: RegExp, recorder = false): Expectation {
  return { kind: 'dead-lettered', queues: recorder ? [queue, 'RecorderDlqUrl'] : [queue], reason };
}

/** Cases at the PutEvents edge. */
export function intakePutEventsCases(context: CaseContext): CaseInput[] {
  const { marker: m, order, stockedSku } = context;
  /** A valid order for one unit of the run's SKU: it is confirmed (the stock side check counts it). */
  const confirmable = (orderId: string, overrides: Record<string, unknown> = {}) =>
    orderData(orderId, { items: [{ sku: stockedSku, qty: 1, unitPrice: 10 }], total: 10, ...overrides });
  const placed = (id: string, eventId: string, data: Record<string, unknown>) =>
    envelope(m(id), 'OrderPlaced', data, { id: eventId });
  /** The OrderPlaced a case places first, and what shows the saga took it. */
  const placedFirst = (event: Record<string, unknown>, order?: FirstInput['order']): FirstInput => ({
    payload: putEntry(event),
    taken: { streamId: sagaStream(String((event.data as { orderId: string }).orderId)), type: 'OrderPlaced' },
    ...(order === undefined ? {} : { order }),
  });
  const cases: CaseInput[] = [];

  const bareCustomer = `${m('pe-bare-data')}-cus`;
  cases.push({
    id: 'pe-bare-data',
    name: 'no envelope (bare data)',
    sent: 'Detail = bare OrderPlaced data, no envelope (a producer without our envelope)',
    payload: putEntry(confirmable(order('pe-bare-data'), { customerId: bareCustomer })),
    expect: {
      kind: 'processed',
      orderId: order('pe-bare-data'),
      status: 'CONFIRMED',
      verbatim: { customerId: bareCustomer },
      derivedEnvelope: true,
    },
  });

  const withoutCustomer = confirmable(order('pe-bare-missing-field'));
  delete withoutCustomer.customerId;
  cases.push({
    id: 'pe-bare-missing-field',
    name: 'missing field (bare data)',
    sent: 'Detail = bare OrderPlaced data without customerId',
    payload: putEntry(withoutCustomer),
    // The recorder checks bare data against the catalog too, rather than record it under a name it fails.
    expect: deadLetteredIn(
      'SagaDlqUrl',
      /^VALIDATION at detail\.customerId: detail\.customerId: Invalid input: expected string, received undefined$/,
      true,
    ),
  });

  const conflictOrder = order('pe-order-conflict');
  const conflictFirst = placed(
    'pe-order-conflict',
    `${m('pe-order-conflict')}-first`,
    confirmable(conflictOrder),
  );
  const conflictSecond = placed(
    'pe-order-conflict',
    `${m('pe-order-conflict')}-second`,
    confirmable(conflictOrder, {
      customerId: 'cus-bad-input-other',
      items: [{ sku: stockedSku, qty: 2, unitPrice: 10 }],
      total: 20,
    }),
  );
  cases.push({
    id: 'pe-order-conflict',
    name: 'conflicting command',
    sent: 'a second OrderPlaced for an order placed before, from another customer with other items',
    orderIds: [],
    first: placedFirst(conflictFirst),
    payload: putEntry(conflictSecond),
    expect: {
      kind: 'order-rejected',
      orderId: conflictOrder,
      status: 'CONFIRMED',
      placedEventId: String(conflictFirst.id),
      customerId: 'cus-bad-input',
      refusedEventId: String(conflictSecond.id),
      refusedCustomerId: 'cus-bad-input-other',
      reason: new RegExp(
        `^order ${conflictOrder} belongs to another customer \\(cus-bad-input\\), not cus-bad-input-other$`,
      ),
    },
  });

  const reusedOrder = order('pe-id-reused');
  // No address: an intake hashes personal fields as their ciphertext (docs/personal-data.md), so only
  // an order without one hashes here as the saga hashes it.
  const noAddress = { contact: { channels: [] } };
  const reusedFirst = placed(
    'pe-id-reused',
    `${m('pe-id-reused')}-event`,
    confirmable(reusedOrder, noAddress),
  );
  const reusedSecond = placed(
    'pe-id-reused',
    `${m('pe-id-reused')}-event`,
    confirmable(reusedOrder, {
      items: [{ sku: stockedSku, qty: 2, unitPrice: 10 }],
      total: 20,
      ...noAddress,
    }),
  );
  cases.push({
    id: 'pe-id-reused',
    name: 'event id reused',
    sent: 'OrderPlaced under the event id of an order placed before, with other items',
    orderIds: [],
    first: placedFirst(reusedFirst, { orderId: reusedOrder, status: 'CONFIRMED' }),
    payload: putEntry(reusedSecond),
    expect: deadLetteredIn(
      'SagaDlqUrl',
      idReused('saga', String(reusedFirst.id), hashOf(reusedFirst), hashOf(reusedSecond)),
    ),
  });

  const retriedOrder = order('pe-same-content');
  const retriedFirst = placed('pe-same-content', `${m('pe-same-content')}-first`, confirmable(retriedOrder));
  const retried = { ...retriedFirst, id: `${m('pe-same-content')}-retry` };
  cases.push({
    id: 'pe-same-content',
    name: 'same command, new id',
    sent: 'the OrderPlaced of an order placed before again, same content under a new event id',
    orderIds: [],
    first: placedFirst(retriedFirst),
    payload: putEntry(retried),
    expect: {
      kind: 'duplicate',
      orderId: retriedOrder,
      status: 'CONFIRMED',
      placedEventId: String(retriedFirst.id),
      duplicateEventId: retried.id,
    },
  });

  const unmarkedOrder = order('pe-unmarked-confirmed');
  cases.push({
    id: 'pe-unmarked-confirmed',
    name: 'not stored',
    sent: 'a valid OrderConfirmed put on the bus by hand (no stored mark)',
    payload: putEntry(
      envelope(m('pe-unmarked-confirmed'), 'OrderConfirmed', confirmedData(unmarkedOrder), {
        source: 'orders.saga',
      }),
      'OrderConfirmed',
      'orders.saga',
    ),
    // Only the saga's intake rule takes unmarked events; it refuses every type but its own command.
    expect: deadLetteredIn('SagaDlqUrl', notStored('OrderConfirmed', 'saga')),
  });

  const forgedOrder = order('pe-forged-mark');
  cases.push({
    id: 'pe-forged-mark',
    name: 'forged stored mark',
    sent: 'a valid OrderConfirmed put on the bus with a stored mark naming a position the store does not hold',
    payload: putEntry(
      envelope(m('pe-forged-mark'), 'OrderConfirmed', confirmedData(forgedOrder), {
        source: 'orders.saga',
        ...storedMark(sagaStream(forgedOrder), 7),
      }),
      'OrderConfirmed',
      'orders.saga',
    ),
    // The pipeline's consumers take only their intake from the bus (an unmarked OrderPlaced); stored
    // events reach them from the outbox, straight into their queues. A marked event on the bus is an
    // integration event for outside subscribers: none of ours acts on it, so no summary, no message.
    expect: {
      kind: 'ignored',
      why: 'no consumer of the pipeline takes a stored (marked) event from the bus: the outbox delivers stored events to their queues directly',
    },
  });
  return cases;
}

/** Cases at the SQS-body edge (a producer that skips the bus). */
export function intakeSqsCases(context: CaseContext): CaseInput[] {
  const { marker: m, order, stockedSku } = context;
  const cases: CaseInput[] = [];

  const unmarkedOrder = order('sqs-unmarked-confirmed');
  cases.push({
    id: 'sqs-unmarked-confirmed',
    name: 'not stored',
    sent: 'email channel queue: a valid OrderConfirmed without the stored mark',
    payload: sqsMessage(
      'EmailQueueUrl',
      eventBridgeBody(
        envelope(m('sqs-unmarked-confirmed'), 'OrderConfirmed', confirmedData(unmarkedOrder), {
          source: 'orders.saga',
        }),
        'OrderConfirmed',
        'orders.saga',
      ),
    ),
    expect: deadLetteredIn('EmailDlqUrl', notStored('OrderConfirmed', 'notify-email')),
  });

  // A stored reservation request (its own SKU has no stock: the inventory refuses it, nothing is held),
  // then its copy, genuinely marked, to the saga, which has no handler for it.
  const request = storedFirst(
    m('sqs-stored-wrong-consumer'),
    envelope(
      m('sqs-stored-wrong-consumer'),
      'InventoryReservationRequested',
      {
        orderId: order('sqs-stored-wrong-consumer'),
        items: [{ sku: `${m('sqs-stored-wrong-consumer')}-sku`, qty: 1 }],
      },
      { source: 'orders.saga' },
    ),
    'InventoryReservationRequested',
  );
  cases.push({
    id: 'sqs-stored-wrong-consumer',
    name: 'unknown type (for this consumer)',
    sent: 'saga queue: a stored InventoryReservationRequested as the outbox publishes it',
    orderIds: [],
    first: request.first,
    payload: sqsMessage(
      'SagaQueueUrl',
      eventBridgeBody(
        request.copy,
        'InventoryReservationRequested',
        'orders.saga',
        `${m('sqs-stored-wrong-consumer')}-eb`,
      ),
    ),
    expect: deadLetteredIn(
      'SagaDlqUrl',
      /^UNHANDLED_EVENT_TYPE at detail\.type: consumer saga has no handler for InventoryReservationRequested/,
    ),
  });

  // One event id, two reservation requests, each case on a SKU of its own. The first is stored (in a
  // stream named after the case) and reaches the inventory as the outbox delivers it: it reserves one
  // unit. The second carries the first one's stored mark, so only its content tells it apart: the
  // inventory checks the mark for id and content against the store, which holds the first content
  // there, so the second is refused as not stored and reserves nothing.
  const reservation = (id: string, orderId: string, qty: number, marked: boolean) =>
    envelope(
      m(id),
      'InventoryReservationRequested',
      { orderId, items: [{ sku: `${m(id)}-sku`, qty }] },
      { source: 'orders.saga', ...(marked ? storedMark(m(id), 1) : {}) },
    );
  const reusedCase = (id: string, sent: string, secondOrder: string, secondQty: number): CaseInput => {
    const first = reservation(id, order(id), 1, false);
    const second = reservation(id, secondOrder, secondQty, true);
    return {
      id,
      name: 'event id reused',
      sent,
      orderIds: secondOrder === order(id) ? [] : [secondOrder],
      stock: { sku: `${m(id)}-sku`, qty: 3, left: 2 },
      first: {
        payload: { edge: 'event-store', streamId: m(id), event: first },
        taken: { streamId: inventoryStreams.order(order(id)), type: 'InventoryReserved' },
      },
      payload: sqsMessage(
        'InventoryQueueUrl',
        eventBridgeBody(second, 'InventoryReservationRequested', 'orders.saga', `${m(id)}-eb`),
      ),
      expect: deadLetteredIn(
        'InventoryDlqUrl',
        forgedMark('InventoryReservationRequested', 'inventory', m(id), 1),
      ),
    };
  };
  cases.push(
    reusedCase(
      'sqs-id-reused-new-order',
      'inventory queue: a reservation request under the id of one handled before, for another order',
      `${m('sqs-id-reused-new-order')}-other-order`,
      1,
    ),
  );
  // For the same order the reservation the first request made exists already: it must not pass for an
  // answer to the second content (that would drop it without a trace).
  cases.push(
    reusedCase(
      'sqs-id-reused-same-order',
      'inventory queue: a reservation request under the id of one handled before, same order, other quantity',
      order('sqs-id-reused-same-order'),
      2,
    ),
  );

  const bareOrder = order('sqs-bare-eventbridge');
  const bareCustomer = `${m('sqs-bare-eventbridge')}-cus`;
  cases.push({
    id: 'sqs-bare-eventbridge',
    name: 'no envelope (bare data)',
    sent: 'saga queue: an EventBridge event whose detail is bare OrderPlaced data',
    payload: sqsMessage(
      'SagaQueueUrl',
      eventBridgeBody(
        orderData(bareOrder, {
          customerId: bareCustomer,
          items: [{ sku: stockedSku, qty: 1, unitPrice: 10 }],
          total: 10,
        }),
        'OrderPlaced',
        'orders.api',
        `${m('sqs-bare-eventbridge')}-eb-event`,
      ),
    ),
    expect: {
      kind: 'processed',
      orderId: bareOrder,
      status: 'CONFIRMED',
      verbatim: { customerId: bareCustomer },
      derivedEnvelope: true,
    },
  });
  return cases;
}

/** Cases at the SNS edge. */
export function intakeSnsCases(context: CaseContext): CaseInput[] {
  const { marker: m, order } = context;
  // A stored InventoryReserved (the outbox publishes it as usual), then its copy, genuinely marked,
  // published to the notifications topic as an OrderConfirmed: no channel has a handler for it.
  const reserved = storedFirst(
    m('sns-stored-type-mismatch'),
    envelope(
      m('sns-stored-type-mismatch'),
      'InventoryReserved',
      { orderId: order('sns-stored-type-mismatch'), items: [{ sku: 'A', qty: 1 }] },
      { source: 'orders.inventory' },
    ),
    'InventoryReserved',
  );
  return [
    {
      id: 'sns-stored-type-mismatch',
      name: 'unknown type (for this consumer)',
      sent: 'type=OrderConfirmed attribute, body a stored InventoryReserved as the outbox publishes it',
      orderIds: [],
      first: reserved.first,
      payload: { edge: 'sns-message', message: json(reserved.copy), attributes: { type: 'OrderConfirmed' } },
      expect: {
        kind: 'dead-lettered',
        queues: ['EmailDlqUrl', 'SmsDlqUrl', 'PushDlqUrl'],
        reason:
          /^UNHANDLED_EVENT_TYPE at detail\.type: consumer notify-(email|sms|push) has no handler for InventoryReserved/,
      },
    },
  ];
}

/** Valid OrderConfirmed data for an order nobody placed. */
function confirmedData(orderId: string): Record<string, unknown> {
  const { customerId, total, currency, contact } = orderData(orderId);
  return { orderId, customerId, total, currency, contact };
}

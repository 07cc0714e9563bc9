import { defineEvent } from '../../../kit/events/define.ts';
import * as z from '../../../kit/zod.ts';
import { amount, currency, customerId, lineItem, orderId, reason, stockItem } from './common.ts';

/**
 * Commands of the order saga and the facts that answer them. Commands travel as events (stored in the
 * saga's stream, published by the outbox) so that a state change and the command it causes are one
 * atomic write; each command is named `…Requested` and routed to exactly one consumer.
 */

const exampleStock = [
  { sku: 'BOOK-123', qty: 2 },
  { sku: 'MUG-7', qty: 1 },
];

export const InventoryReservationRequested = defineEvent({
  type: 'InventoryReservationRequested',
  source: 'orders.saga',
  description: 'Command: hold stock for every item of the order, all or nothing.',
  version: 1,
  schema: z.object({ orderId, items: z.array(stockItem).check(z.minLength(1)) }),
  example: { orderId: 'ord-1001', items: exampleStock },
});

export const InventoryReleaseRequested = defineEvent({
  type: 'InventoryReleaseRequested',
  source: 'orders.saga',
  description: 'Compensation command: give back whatever stock the order holds (nothing if none).',
  version: 1,
  schema: z.object({ orderId, reason }),
  example: { orderId: 'ord-1002', reason: 'payment declined' },
});

export const PaymentAuthorizationRequested = defineEvent({
  type: 'PaymentAuthorizationRequested',
  source: 'orders.saga',
  description: 'Command: authorize the order total with the payment provider, once per order.',
  version: 1,
  schema: z.object({
    orderId,
    customerId,
    items: z.array(lineItem).check(z.minLength(1)),
    total: amount,
    currency,
    paymentToken: z.string().check(z.minLength(1)),
  }),
  example: {
    orderId: 'ord-1001',
    customerId: 'cus-42',
    items: [
      { sku: 'BOOK-123', qty: 2, unitPrice: 12.5 },
      { sku: 'MUG-7', qty: 1, unitPrice: 9 },
    ],
    total: 34,
    currency: 'EUR',
    paymentToken: 'tok_visa_4242',
  },
});

export const PaymentVoidRequested = defineEvent({
  type: 'PaymentVoidRequested',
  source: 'orders.saga',
  description:
    'Compensation command: void the authorization of the order, or make sure none is made later ' +
    '(no `authorizationId` when the saga gave up before hearing of one).',
  version: 1,
  schema: z.object({ orderId, reason, authorizationId: z.optional(z.string().check(z.minLength(1))) }),
  example: { orderId: 'ord-1004', reason: 'authorizePayment timed out' },
});

export const PaymentVoided = defineEvent({
  type: 'PaymentVoided',
  source: 'orders.payment',
  description:
    'The authorization of the order was voided, or (without `authorizationId`) none will ever be made.',
  version: 1,
  schema: z.object({ orderId, authorizationId: z.optional(z.string().check(z.minLength(1))) }),
  example: { orderId: 'ord-1004', authorizationId: 'auth-9f8e' },
});

import { defineEvent, previousVersion } from '../../../kit/events/define.ts';
import { personal } from '../../../kit/personal-data/schema.ts';
import * as z from '../../../kit/zod.ts';
import { amount, contact, currency, customerId, lineItem, orderId, reason } from './common.ts';

const exampleContact = { email: 'ada@example.com', channels: ['email'] } satisfies z.input<typeof contact>;
const exampleItems = [
  { sku: 'BOOK-123', qty: 2, unitPrice: 12.5 },
  { sku: 'MUG-7', qty: 1, unitPrice: 9 },
];

/** v1, kept to read stored and replayed events: one email address instead of `contact`. */
const orderPlacedV1 = z.object({
  orderId,
  customerId,
  items: z.array(lineItem).check(z.minLength(1)),
  total: amount,
  currency,
  paymentToken: z.string().check(z.minLength(1)),
  // Same label as v2's `contact.email`: the upcaster moves the ciphertext and it still opens there.
  email: personal(z.email()),
});

const orderPlacedV2 = z.object({
  orderId,
  customerId,
  items: z.array(lineItem).check(z.minLength(1)),
  total: amount.check(z.describe('Amount to charge; may differ from the item sum (discounts, shipping)')),
  currency,
  paymentToken: z
    .string()
    .check(z.minLength(1), z.describe('Opaque token from the payment provider, never card data')),
  contact,
});

/** A customer placed an order: the start of the order saga. */
export const OrderPlaced = defineEvent({
  type: 'OrderPlaced',
  subject: 'customerId',
  source: 'orders.api',
  description: 'A customer placed an order; starts the order saga (reserve stock, charge, confirm).',
  version: 2,
  schema: orderPlacedV2,
  example: {
    orderId: 'ord-1001',
    customerId: 'cus-42',
    items: exampleItems,
    total: 34,
    currency: 'EUR',
    paymentToken: 'tok_visa_4242',
    contact: exampleContact,
  },
  previous: [
    previousVersion(orderPlacedV2, {
      version: 1,
      description: 'v1: a single `email` field; upcast to `contact` with the email channel.',
      schema: orderPlacedV1,
      example: {
        orderId: 'ord-1000',
        customerId: 'cus-42',
        items: exampleItems,
        total: 34,
        currency: 'EUR',
        paymentToken: 'tok_visa_4242',
        email: 'ada@example.com',
      },
      upcast: ({ email, ...rest }) => ({ ...rest, contact: { email, channels: ['email' as const] } }),
    }),
  ],
});

/** Payment and stock are secured: the order will be fulfilled. */
export const OrderConfirmed = defineEvent({
  type: 'OrderConfirmed',
  subject: 'customerId',
  source: 'orders.saga',
  description: 'Stock is reserved and payment authorized; the saga completed successfully.',
  version: 1,
  schema: z.object({ orderId, customerId, total: amount, currency, contact }),
  example: { orderId: 'ord-1001', customerId: 'cus-42', total: 34, currency: 'EUR', contact: exampleContact },
});

/** The saga gave up on the order; earlier steps have been or are being compensated. */
export const OrderCancelled = defineEvent({
  type: 'OrderCancelled',
  subject: 'customerId',
  source: 'orders.saga',
  description: 'The order could not be completed; reserved stock is released and the customer told why.',
  version: 1,
  schema: z.object({ orderId, customerId, reason, contact }),
  example: { orderId: 'ord-1002', customerId: 'cus-42', reason: 'payment declined', contact: exampleContact },
});

/**
 * A command that conflicts with the order's stream was refused: an order id already placed with other
 * content, an order id of another customer, a command for an order already finished. Stored in the
 * order's stream and published; nothing else changes (no reservation, no charge, the summary keeps the
 * order as first placed and lists the refusal).
 */
export const OrderRejected = defineEvent({
  type: 'OrderRejected',
  source: 'orders.saga',
  description:
    'A second OrderPlaced for an existing order, with other content, was refused; the order is unchanged.',
  version: 1,
  schema: z.object({
    orderId,
    customerId: customerId.check(z.describe('Customer named by the refused command')),
    reason,
    refusedEventId: z.string().check(z.minLength(1), z.describe('Id of the refused command')),
  }),
  example: {
    orderId: 'ord-1001',
    customerId: 'cus-77',
    reason: 'order ord-1001 belongs to another customer',
    refusedEventId: '5f0c6a8e-7d1b-4a0e-9a57-2b1de0c0f001',
  },
});

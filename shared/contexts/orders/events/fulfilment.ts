import { defineEvent } from '../../../kit/events/define.ts';
import * as z from '../../../kit/zod.ts';
import { amount, channel, currency, orderId, reason, stockItem } from './common.ts';

const exampleStock = [
  { sku: 'BOOK-123', qty: 2 },
  { sku: 'MUG-7', qty: 1 },
];

/** Events of the services the saga drives: inventory, payment and notifications. */

export const InventoryReserved = defineEvent({
  type: 'InventoryReserved',
  source: 'orders.inventory',
  description: 'Stock for every item of the order is held until the order is confirmed or cancelled.',
  version: 1,
  schema: z.object({ orderId, items: z.array(stockItem).check(z.minLength(1)) }),
  example: { orderId: 'ord-1001', items: exampleStock },
});

export const InventoryReservationFailed = defineEvent({
  type: 'InventoryReservationFailed',
  source: 'orders.inventory',
  description: 'At least one item could not be reserved; nothing is held for the order.',
  version: 1,
  schema: z.object({ orderId, reason }),
  example: { orderId: 'ord-1003', reason: 'BOOK-123 out of stock' },
});

export const InventoryReleased = defineEvent({
  type: 'InventoryReleased',
  source: 'orders.inventory',
  description: 'Compensation: stock held for a cancelled order is available again.',
  version: 1,
  schema: z.object({ orderId, items: z.array(stockItem).check(z.minLength(1)) }),
  example: { orderId: 'ord-1002', items: exampleStock },
});

export const PaymentAuthorized = defineEvent({
  type: 'PaymentAuthorized',
  source: 'orders.payment',
  description: 'The payment provider authorized the order total.',
  version: 1,
  schema: z.object({ orderId, authorizationId: z.string().check(z.minLength(1)), amount, currency }),
  example: { orderId: 'ord-1001', authorizationId: 'auth-9f8e', amount: 34, currency: 'EUR' },
});

export const PaymentDeclined = defineEvent({
  type: 'PaymentDeclined',
  source: 'orders.payment',
  description: 'The payment provider refused the charge; the saga cancels the order.',
  version: 1,
  schema: z.object({ orderId, reason }),
  example: { orderId: 'ord-1002', reason: 'insufficient funds' },
});

export const NotificationSent = defineEvent({
  type: 'NotificationSent',
  source: 'orders.notifications',
  description: 'The customer was told about the outcome of the order on one channel.',
  version: 1,
  schema: z.object({ orderId, channel }),
  example: { orderId: 'ord-1001', channel: 'email' },
});

import * as z from 'zod';
import {
  type CreateEventOptions,
  type DataInputOf,
  defaultEventFactoryDeps,
  defineCatalog,
  type EnvelopeOf,
  type EventFactoryDeps,
  type EventOf,
  type FactOf,
  type TypeOf,
} from '../../shared/kit/events/catalog.ts';
import { defineEvent, previousVersion } from '../../shared/kit/events/define.ts';
import { defineSaga, type SagaDefinition, stepsOf } from '../../shared/kit/saga/definition.ts';
import { SagaStepTimedOut } from '../../shared/kit/saga/timer-event.ts';

/**
 * A tiny bounded context for the kit's own tests: a shopping cart. The kit must work for any context,
 * so its tests use this one and never the order catalog (a kit test that passes only because of an
 * orders detail would hide a leak of the domain into the kit).
 *
 * Two parts: the cart (ItemAdded, ItemRemoved, CartCheckedOut), and the checkout saga's messages
 * ({@link checkoutSaga}: reserve the stock, take the payment, wait for the receipt). Commands and
 * outcomes of the saga come from `shop.saga`; the services answer from `shop.stock`, `shop.payment` and
 * `shop.receipts`. `PaymentRequested` has an older version, for the kit's upcasting paths, and
 * `StockReserved` a list of lines, for error paths and patterns inside arrays.
 */

const cartId = z.string().min(1).describe('Cart identifier');
const sku = z.string().min(1).describe('Stock keeping unit of the item');

/** An item was put in a cart. */
export const ItemAdded = defineEvent({
  type: 'ItemAdded',
  source: 'shop.cart',
  description: 'An item was put in a cart.',
  version: 1,
  schema: z.object({ cartId, sku, qty: z.number().int().positive().describe('How many, at least one') }),
  example: { cartId: 'cart-1', sku: 'SKU-RED-MUG', qty: 2 },
});

/** An item was taken out of a cart. */
export const ItemRemoved = defineEvent({
  type: 'ItemRemoved',
  source: 'shop.cart',
  description: 'An item was taken out of a cart.',
  version: 1,
  schema: z.object({ cartId, sku }),
  example: { cartId: 'cart-1', sku: 'SKU-RED-MUG' },
});

/** A cart was checked out. */
export const CartCheckedOut = defineEvent({
  type: 'CartCheckedOut',
  source: 'shop.checkout',
  description: 'A cart was checked out for the given total.',
  version: 1,
  schema: z.object({ cartId, total: z.number().nonnegative().describe('Amount to pay') }),
  example: { cartId: 'cart-1', total: 19.8 },
});

const reason = z.string().min(1).describe('Why, in words');
const line = z.object({ sku, qty: z.number().int().positive().describe('How many, at least one') });

/** The saga asks the stock service to reserve what the cart holds (the service knows its lines). */
export const StockReservationRequested = defineEvent({
  type: 'StockReservationRequested',
  source: 'shop.saga',
  description: 'Command: reserve the items of a checked-out cart.',
  version: 1,
  schema: z.object({ cartId }),
  example: { cartId: 'cart-1' },
});

/** The stock of a cart was reserved. */
export const StockReserved = defineEvent({
  type: 'StockReserved',
  source: 'shop.stock',
  description: 'The items of a cart were reserved, line by line.',
  version: 1,
  schema: z.object({ cartId, lines: z.array(line).min(1).describe('What was reserved') }),
  example: { cartId: 'cart-1', lines: [{ sku: 'SKU-RED-MUG', qty: 2 }] },
});

/** The stock of a cart could not be reserved; nothing is held. */
export const StockReservationFailed = defineEvent({
  type: 'StockReservationFailed',
  source: 'shop.stock',
  description: 'The items of a cart could not be reserved; nothing is held.',
  version: 1,
  schema: z.object({ cartId, reason }),
  example: { cartId: 'cart-1', reason: 'SKU-RED-MUG out of stock' },
});

/** Compensation: the saga asks the stock service to release what it reserved for a cart. */
export const StockReleaseRequested = defineEvent({
  type: 'StockReleaseRequested',
  source: 'shop.saga',
  description: 'Command: release the reservation of a cart.',
  version: 1,
  schema: z.object({ cartId, reason }),
  example: { cartId: 'cart-1', reason: 'payment refused' },
});

/** The reservation of a cart was released. */
export const StockReleased = defineEvent({
  type: 'StockReleased',
  source: 'shop.stock',
  description: 'The reservation of a cart was released.',
  version: 1,
  schema: z.object({ cartId }),
  example: { cartId: 'cart-1' },
});

const amount = z.number().nonnegative().describe('Amount to take');
const paymentRequestedV2 = z.object({ cartId, amount, currency: z.string().length(3).describe('ISO 4217') });

/** The saga asks the payment service to take a cart's total; v1 had no currency (euros only). */
export const PaymentRequested = defineEvent({
  type: 'PaymentRequested',
  source: 'shop.saga',
  description: 'Command: take the payment of a cart, in the given currency.',
  version: 2,
  schema: paymentRequestedV2,
  example: { cartId: 'cart-1', amount: 19.8, currency: 'EUR' },
  previous: [
    previousVersion(paymentRequestedV2, {
      version: 1,
      description: 'Command: take the payment of a cart, in euros.',
      schema: z.object({ cartId, amount }),
      example: { cartId: 'cart-1', amount: 19.8 },
      upcast: (data) => ({ ...data, currency: 'EUR' }),
    }),
  ],
});

const paymentId = z.string().min(1).describe('Payment identifier at the provider');

/** The payment of a cart was taken. */
export const PaymentTaken = defineEvent({
  type: 'PaymentTaken',
  source: 'shop.payment',
  description: 'The payment of a cart was taken.',
  version: 1,
  schema: z.object({ cartId, paymentId, amount }),
  example: { cartId: 'cart-1', paymentId: 'pay-1', amount: 19.8 },
});

/** The payment of a cart was refused; nothing was taken. */
export const PaymentRefused = defineEvent({
  type: 'PaymentRefused',
  source: 'shop.payment',
  description: 'The payment of a cart was refused; nothing was taken.',
  version: 1,
  schema: z.object({ cartId, reason }),
  example: { cartId: 'cart-1', reason: 'card declined' },
});

/** Compensation: give a cart's payment back (or drop it, when none was known to be taken). */
export const RefundRequested = defineEvent({
  type: 'RefundRequested',
  source: 'shop.saga',
  description: "Command: refund a cart's payment, the one named when known.",
  version: 1,
  schema: z.object({ cartId, reason, paymentId: paymentId.optional() }),
  example: { cartId: 'cart-1', reason: 'receipt timed out', paymentId: 'pay-1' },
});

/** The payment of a cart was refunded (or there was none). */
export const PaymentRefunded = defineEvent({
  type: 'PaymentRefunded',
  source: 'shop.payment',
  description: 'The payment of a cart was refunded, or there was none to refund.',
  version: 1,
  schema: z.object({ cartId }),
  example: { cartId: 'cart-1' },
});

/** The receipt of a cart went out. */
export const ReceiptSent = defineEvent({
  type: 'ReceiptSent',
  source: 'shop.receipts',
  description: 'The receipt of a paid cart was sent.',
  version: 1,
  schema: z.object({ cartId, channel: z.enum(['email', 'sms']).describe('How it was sent') }),
  example: { cartId: 'cart-1', channel: 'email' },
});

/** The checkout saga's good outcome. */
export const CheckoutCompleted = defineEvent({
  type: 'CheckoutCompleted',
  source: 'shop.saga',
  description: 'A checkout completed: stock reserved, payment taken, receipt sent.',
  version: 1,
  schema: z.object({ cartId, total: amount }),
  example: { cartId: 'cart-1', total: 19.8 },
});

/** The checkout saga gave up, after compensating what it had done. */
export const CheckoutCancelled = defineEvent({
  type: 'CheckoutCancelled',
  source: 'shop.saga',
  description: 'A checkout was given up and its completed steps compensated.',
  version: 1,
  schema: z.object({ cartId, reason }),
  example: { cartId: 'cart-1', reason: 'card declined' },
});

/** A second, different checkout of a cart that has one already: refused, the first one goes on. */
export const CheckoutRejected = defineEvent({
  type: 'CheckoutRejected',
  source: 'shop.saga',
  description: 'A second checkout of a cart, with other content than the first, was refused.',
  version: 1,
  schema: z.object({ cartId, reason }),
  example: { cartId: 'cart-1', reason: 'cart cart-1 already checked out (running)' },
});

/** The shop's catalog: the cart's events, the checkout saga's, and the kit's saga timer (its envelopes carry `shop.saga`). */
export const shopCatalog = defineCatalog(
  'shop',
  [
    ItemAdded,
    ItemRemoved,
    CartCheckedOut,
    StockReservationRequested,
    StockReserved,
    StockReservationFailed,
    StockReleaseRequested,
    StockReleased,
    PaymentRequested,
    PaymentTaken,
    PaymentRefused,
    RefundRequested,
    PaymentRefunded,
    ReceiptSent,
    CheckoutCompleted,
    CheckoutCancelled,
    CheckoutRejected,
  ],
  { foreign: [SagaStepTimedOut] },
);

/** The shop catalog's definitions: the type parameter of the kit's generic code. */
export type Shop = (typeof shopCatalog)['definitions'];

/** Name of a shop event type. */
export type ShopEventType = TypeOf<Shop>;

/** Correlation id of every {@link shopEvent} unless the caller names one. */
export const SHOP_CORRELATION_ID = 'corr-shop-1';

/** A newest-version shop event built with `shopCatalog.create`, correlated to {@link SHOP_CORRELATION_ID} by default. */
export function shopEvent<T extends ShopEventType>(
  type: T,
  data: DataInputOf<Shop, T>,
  options: Partial<CreateEventOptions> = {},
  deps: EventFactoryDeps = defaultEventFactoryDeps,
): EnvelopeOf<Shop, T> {
  return shopCatalog.create(type, data, { correlationId: SHOP_CORRELATION_ID, ...options }, deps);
}

/** Any shop event; `switch (event.type)` narrows `event.data`. */
export type ShopEvent = EventOf<Shop>;

/** A shop type and its data, as a saga or decider returns it; the data is checked at compile time. */
export function shopFact<T extends ShopEventType>(type: T, data: DataInputOf<Shop, T>): FactOf<Shop> {
  return { type, data } as FactOf<Shop>;
}

/** What the checkout saga keeps of the CartCheckedOut that started it. */
export interface CheckoutData {
  readonly cartId: string;
  readonly total: number;
}

const step = stepsOf<Shop>();

/**
 * The shop's checkout saga, for the kit's saga tests: started by CartCheckedOut (one instance per
 * cart), it reserves the stock, takes the payment (with its own 5 s deadline), then waits for the
 * receipt, which has nothing to undo. A failed step cancels it; a timed-out one is compensated itself
 * (it may hold something) before the completed steps, newest first, each waiting for its confirmation.
 * A second checkout of a cart with other content is refused with CheckoutRejected.
 */
export function checkoutSaga(
  options: { readonly stepTimeoutMs?: number } = {},
): SagaDefinition<'CartCheckedOut', CheckoutData, Shop> {
  return defineSaga<Shop, 'CartCheckedOut', CheckoutData>({
    name: 'checkout',
    source: 'shop.saga',
    startedBy: 'CartCheckedOut',
    start: (event) => ({ cartId: event.data.cartId, total: event.data.total }),
    sagaIdOf: (event) => (event.type === 'SagaStepTimedOut' ? event.data.sagaId : event.data.cartId),
    stepTimeoutMs: options.stepTimeoutMs ?? 10_000,
    steps: [
      step<CheckoutData, 'StockReserved'>({
        name: 'reserve',
        run: ({ cartId }) => [shopFact('StockReservationRequested', { cartId })],
        completedBy: 'StockReserved',
        failedBy: 'StockReservationFailed',
        compensate: ({ cartId }, _reserved, reason) => [
          shopFact('StockReleaseRequested', { cartId, reason }),
        ],
        compensatedBy: 'StockReleased',
      }),
      step<CheckoutData, 'PaymentTaken'>({
        name: 'charge',
        run: ({ cartId, total }) => [
          shopFact('PaymentRequested', { cartId, amount: total, currency: 'EUR' }),
        ],
        completedBy: 'PaymentTaken',
        failedBy: 'PaymentRefused',
        compensate: ({ cartId }, taken, reason) => [
          shopFact('RefundRequested', { cartId, reason, ...(taken ? { paymentId: taken.paymentId } : {}) }),
        ],
        compensatedBy: 'PaymentRefunded',
        timeoutMs: 5_000,
      }),
      step<CheckoutData, 'ReceiptSent'>({
        name: 'receipt',
        run: () => [],
        completedBy: 'ReceiptSent',
      }),
    ],
    completed: ({ cartId, total }) => [shopFact('CheckoutCompleted', { cartId, total })],
    cancelled: ({ cartId }, reason) => [shopFact('CheckoutCancelled', { cartId, reason })],
    rejected: ({ cartId }, _refused, status) => [
      shopFact('CheckoutRejected', { cartId, reason: `cart ${cartId} already checked out (${status})` }),
    ],
  });
}

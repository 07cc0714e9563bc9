import * as z from 'zod';
import {
  type CreateEventOptions,
  type DataInputOf,
  defaultEventFactoryDeps,
  defineCatalog,
  type EnvelopeOf,
  type EventFactoryDeps,
  type TypeOf,
} from '../../shared/kit/events/catalog.ts';
import { defineEvent } from '../../shared/kit/events/define.ts';
import { SagaStepTimedOut } from '../../shared/kit/saga/timer-event.ts';

/**
 * A tiny bounded context for the kit's own tests: a shopping cart. The kit must work for any context,
 * so its tests use this one and never the order catalog (a kit test that passes only because of an
 * orders detail would hide a leak of the domain into the kit).
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

/** The shop's catalog: its three events and the kit's saga timer (its envelopes carry `shop.saga`). */
export const shopCatalog = defineCatalog('shop', [ItemAdded, ItemRemoved, CartCheckedOut], {
  foreign: [SagaStepTimedOut],
});

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

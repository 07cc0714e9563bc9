import { personal } from '../../../kit/personal-data/schema.ts';
import * as z from '../../../kit/zod.ts';

/** Building blocks shared by several event schemas, so a rule (e.g. currency format) lives in one place. */

export const orderId = z
  .string()
  .check(z.minLength(1), z.describe('Order identifier, stable across the whole saga'));
export const customerId = z.string().check(z.minLength(1), z.describe('Customer identifier'));
export const reason = z
  .string()
  .check(z.minLength(1), z.describe('Human-readable reason, for support and notifications'));

/** ISO 4217 alphabetic code; the list of valid codes changes, so only the shape is checked. */
export const currency = z
  .string()
  .check(
    z.regex(/^[A-Z]{3}$/, 'must be an ISO 4217 currency code (3 uppercase letters)'),
    z.describe('ISO 4217 currency code, e.g. EUR'),
  );

/** Money in major units (e.g. 12.5 EUR); amounts are never negative in these events. */
export const amount = z.number().check(z.positive(), z.describe('Amount in major units of `currency`'));

export const lineItem = z.object({
  sku: z.string().check(z.minLength(1)),
  qty: z.number().check(z.int(), z.positive()),
  unitPrice: z.number().check(z.positive()),
});

/** What inventory reserves and releases: prices do not matter there. */
export const stockItem = z.object({
  sku: z.string().check(z.minLength(1)),
  qty: z.number().check(z.int(), z.positive()),
});

export const NOTIFICATION_CHANNELS = ['email', 'sms', 'push'] as const;
export const channel = z.enum(NOTIFICATION_CHANNELS);
export type NotificationChannel = z.infer<typeof channel>;

/** Which address field each channel needs, so a chosen channel can always be delivered. */
const addressOf = { email: 'email', sms: 'phone', push: 'pushToken' } as const;

/**
 * How to reach the customer. Every channel listed must come with its address; this cross-field rule
 * is a zod refinement and therefore absent from the exported JSON Schema.
 */
export const contact = z
  .object({
    // Personal data: encrypted under the customer's key before it is stored or sent (docs/personal-data.md).
    email: z.optional(personal(z.email())),
    phone: z.optional(
      personal(
        z.string().check(z.regex(/^\+[1-9]\d{1,14}$/, 'must be an E.164 phone number, e.g. +4915112345678')),
      ),
    ),
    pushToken: z.optional(personal(z.string().check(z.minLength(1)))),
    channels: z.array(channel).check(z.describe('Channels the customer agreed to be notified on')),
  })
  .check(
    z.superRefine((value, ctx) => {
      for (const chosen of new Set(value.channels)) {
        const field = addressOf[chosen];
        if (value[field] === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: [field],
            message: `required when channels include '${chosen}'`,
          });
        }
      }
    }),
  );
export type Contact = z.infer<typeof contact>;

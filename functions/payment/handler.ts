import { ordersCatalog } from '../../shared/contexts/orders/events/catalog.ts';
import { paymentHandlers } from '../../shared/contexts/orders/use-cases/payment.ts';
import { createSqsConsumer } from '../../shared/kit/consumer/runtime.ts';
import { breaker, consumerDeps, env, provider, store, storedCheck } from './config.ts';

/**
 * Payment: `PaymentAuthorizationRequested` authorizes the order total once (provider idempotency key
 * per order, call timeout, circuit breaker); an invalid total is dead-lettered at once with its reason,
 * provider outages and timeouts retry with backoff. `PaymentVoidRequested` voids the authorization or
 * records that none may follow.
 */
export const handler = createSqsConsumer({
  catalog: ordersCatalog,
  name: 'payment',
  handlers: paymentHandlers({ store, provider, breaker, callTimeoutMs: env.PAYMENT_CALL_TIMEOUT_MS }),
  // Reacts only to stored events (published by the outbox); anything else is refused with its reason.
  intake: [],
  storedCheck,
  ...consumerDeps,
});

import { describe, expect, it } from 'vitest';
import {
  decideAuthorization,
  decideVoid,
  evolvePayment,
  initialPayment,
  type PaymentRequest,
  validatePaymentRequest,
} from '../../shared/contexts/orders/domain/payment.ts';
import {
  type PaymentProvider,
  PaymentProviderTimeoutError,
  PaymentProviderUnavailableError,
  SimulatedPaymentProvider,
} from '../../shared/contexts/orders/domain/payment-provider.ts';
import { createEvent } from '../../shared/contexts/orders/events/catalog.ts';
import {
  authorizationKey,
  authorizePayment,
  type PaymentDeps,
  paymentStreamId,
  voidPayment,
} from '../../shared/contexts/orders/use-cases/payment.ts';
import { CircuitBreaker, CircuitOpenError } from '../../shared/kit/consumer/circuit-breaker.ts';
import type { Timer } from '../../shared/kit/consumer/timeout.ts';
import { isRetryable, ValidationError } from '../../shared/kit/errors/pipeline-error.ts';
import { InMemoryEventStore } from '../../shared/kit/event-store/in-memory.ts';
import { ManualClock } from '../fakes/clock.ts';
import { contextFor } from '../fakes/context.ts';

const request = (overrides: Partial<PaymentRequest> = {}): PaymentRequest => ({
  orderId: 'ord-1',
  customerId: 'cus-1',
  items: [
    { sku: 'BOOK', qty: 2, unitPrice: 12.5 },
    { sku: 'MUG', qty: 1, unitPrice: 9 },
  ],
  total: 34,
  currency: 'EUR',
  paymentToken: 'tok_visa',
  ...overrides,
});

const nextTurn: Timer = () => new Promise((resolve) => setImmediate(resolve));

describe('payment decisions', () => {
  it('accepts a total equal to the sum of the items, down to the cent', () => {
    // Act
    const check = () => validatePaymentRequest({ total: 0.3, items: [{ sku: 'A', qty: 3, unitPrice: 0.1 }] });

    // Assert
    expect(check).not.toThrow();
  });

  it.each([
    ['zero', 0],
    ['negative', -5],
    ['different from the items', 30],
  ])('rejects a %s total as a non-retryable validation error on data.total', (_name, total) => {
    // Act
    const error = (() => {
      try {
        validatePaymentRequest(request({ total }));
      } catch (e) {
        return e;
      }
    })();

    // Assert
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).path).toBe('data.total');
    expect(isRetryable(error)).toBe(false);
  });

  it('records an authorization once, and nothing for a second answer', () => {
    // Arrange
    const answer = { outcome: 'authorized', authorizationId: 'auth-1' } as const;

    // Act
    const first = decideAuthorization(initialPayment('ord-1'), request(), answer);
    const state = evolvePayment(initialPayment('ord-1'), first.facts[0] as never);
    const second = decideAuthorization(state, request(), answer);

    // Assert
    expect(first.facts).toEqual([
      {
        type: 'PaymentAuthorized',
        data: { orderId: 'ord-1', authorizationId: 'auth-1', amount: 34, currency: 'EUR' },
      },
    ]);
    expect(second.facts).toEqual([]);
  });

  it('voids an authorization that arrives after the order was voided instead of recording it', () => {
    // Arrange
    const voided = evolvePayment(initialPayment('ord-1'), {
      type: 'PaymentVoided',
      data: { orderId: 'ord-1' },
    });

    // Act
    const decision = decideAuthorization(voided, request(), {
      outcome: 'authorized',
      authorizationId: 'auth-9',
    });

    // Assert
    expect(decision).toEqual({
      facts: [{ type: 'PaymentVoided', data: { orderId: 'ord-1', authorizationId: 'auth-9' } }],
      voidAuthorization: 'auth-9',
    });
  });

  it('voids an authorized payment, pre-empts one not made yet, and leaves declined ones alone', () => {
    // Arrange
    const authorized = evolvePayment(initialPayment('ord-1'), {
      type: 'PaymentAuthorized',
      data: { orderId: 'ord-1', authorizationId: 'auth-1' },
    });
    const declined = evolvePayment(initialPayment('ord-1'), {
      type: 'PaymentDeclined',
      data: { orderId: 'ord-1' },
    });

    // Act
    const decisions = [decideVoid(authorized), decideVoid(initialPayment('ord-1')), decideVoid(declined)];

    // Assert
    expect(decisions).toEqual([
      {
        facts: [{ type: 'PaymentVoided', data: { orderId: 'ord-1', authorizationId: 'auth-1' } }],
        voidAuthorization: 'auth-1',
      },
      { facts: [{ type: 'PaymentVoided', data: { orderId: 'ord-1' } }] },
      { facts: [] },
    ]);
  });
});

describe('simulated payment provider', () => {
  const ask = (provider: SimulatedPaymentProvider, token: string, signal?: AbortSignal) =>
    provider.authorize(
      { orderId: 'ord-1', amount: 34, currency: 'EUR', token, idempotencyKey: 'k-1' },
      signal,
    );

  it('declines tok_declined and authorizes any other token', async () => {
    // Act
    const declined = await ask(new SimulatedPaymentProvider(), 'tok_declined');
    const authorized = await ask(new SimulatedPaymentProvider(), 'tok_visa');

    // Assert
    expect(declined).toEqual({ outcome: 'declined', reason: 'card declined' });
    expect(authorized).toEqual({ outcome: 'authorized', authorizationId: 'auth-1-ord-1' });
  });

  it('fails tok_flaky twice with a retryable error, then authorizes', async () => {
    // Arrange
    const provider = new SimulatedPaymentProvider();

    // Act
    const first = await ask(provider, 'tok_flaky').catch((e: unknown) => e);
    const second = await ask(provider, 'tok_flaky').catch((e: unknown) => e);
    const third = await ask(provider, 'tok_flaky');

    // Assert
    expect(first).toBeInstanceOf(PaymentProviderUnavailableError);
    expect(isRetryable(second)).toBe(true);
    expect(third.outcome).toBe('authorized');
  });

  it('never answers tok_timeout until the caller aborts', async () => {
    // Arrange
    const controller = new AbortController();
    const pending = ask(new SimulatedPaymentProvider(), 'tok_timeout', controller.signal);

    // Act
    controller.abort(new Error('gave up'));

    // Assert
    await expect(pending).rejects.toThrow('gave up');
  });

  it('answers a repeated idempotency key with the first authorization', async () => {
    // Arrange
    const provider = new SimulatedPaymentProvider();

    // Act
    const answers = [await ask(provider, 'tok_visa'), await ask(provider, 'tok_visa')];

    // Assert
    expect(answers[0]).toEqual(answers[1]);
    expect(provider.authorizations).toHaveLength(1);
  });
});

describe('payment use cases on the event store', () => {
  function setup(extra: Partial<PaymentDeps> = {}) {
    const clock = new ManualClock();
    const store = new InMemoryEventStore({ clock: clock.now });
    const provider = new SimulatedPaymentProvider();
    const deps: PaymentDeps = { store, provider, callTimeoutMs: 1_000, timer: nextTurn, ...extra };
    const requested = (data: PaymentRequest) =>
      createEvent('PaymentAuthorizationRequested', data, { correlationId: 'c' }, clock);
    return { clock, store, provider, deps, requested };
  }

  it('authorizes once however often the request is delivered, concurrently or not', async () => {
    // Arrange
    const { clock, store, provider, deps, requested } = setup();
    const event = requested(request());
    const ctx = () => contextFor(event, clock, 'payment');

    // Act
    const outcomes = await Promise.all([
      authorizePayment(deps, event.data, ctx()),
      authorizePayment(deps, event.data, ctx()),
    ]);
    outcomes.push(await authorizePayment(deps, event.data, ctx()));

    // Assert
    expect(outcomes.sort()).toEqual(['duplicate', 'duplicate', 'handled']);
    expect(provider.authorizations).toHaveLength(1);
    const stream = await store.read(paymentStreamId('ord-1'));
    expect(stream.events.map((e) => e.event.type)).toEqual(['PaymentAuthorized']);
  });

  it('turns a provider that hangs into a retryable timeout error', async () => {
    // Arrange
    const { clock, deps, requested } = setup();
    const event = requested(request({ paymentToken: 'tok_timeout' }));

    // Act
    const error = await authorizePayment(deps, event.data, contextFor(event, clock)).catch((e: unknown) => e);

    // Assert
    expect(error).toBeInstanceOf(PaymentProviderTimeoutError);
    expect(isRetryable(error)).toBe(true);
  });

  it('fails fast through an open circuit once the provider kept failing', async () => {
    // Arrange
    const breaker = new CircuitBreaker({ name: 'payment-provider', failureThreshold: 2 });
    const { clock, deps, requested, provider } = setup({ breaker });
    const event = requested(request({ paymentToken: 'tok_flaky' }));
    const attempt = () =>
      authorizePayment(deps, event.data, contextFor(event, clock)).catch((e: unknown) => e);
    await attempt();
    await attempt();

    // Act
    const third = await attempt();

    // Assert
    expect(third).toBeInstanceOf(CircuitOpenError);
    expect(provider.attemptsFor(authorizationKey('ord-1'))).toBe(2);
  });

  it('rejects an invalid total before asking the provider', async () => {
    // Arrange
    const { clock, deps, requested, provider } = setup();
    const event = requested(request({ total: 10 }));

    // Act
    const error = await authorizePayment(deps, event.data, contextFor(event, clock)).catch((e: unknown) => e);

    // Assert
    expect(error).toBeInstanceOf(ValidationError);
    expect(provider.attemptsFor(authorizationKey('ord-1'))).toBe(0);
  });

  it('voids the authorization at the provider and records it once', async () => {
    // Arrange
    const { clock, store, deps, requested, provider } = setup();
    const event = requested(request());
    await authorizePayment(deps, event.data, contextFor(event, clock));
    const voidRequest = createEvent(
      'PaymentVoidRequested',
      { orderId: 'ord-1', reason: 'late' },
      { correlationId: 'c' },
      clock,
    );

    // Act
    const outcomes = [
      await voidPayment(deps, 'ord-1', contextFor(voidRequest, clock)),
      await voidPayment(deps, 'ord-1', contextFor(voidRequest, clock)),
    ];

    // Assert
    expect(outcomes).toEqual(['handled', 'duplicate']);
    expect(provider.voids).toEqual(['auth-1-ord-1']);
    const stream = await store.read(paymentStreamId('ord-1'));
    expect(stream.events.map((e) => e.event.type)).toEqual(['PaymentAuthorized', 'PaymentVoided']);
  });

  it('asks the provider once when a void overtakes its answer, and voids the late authorization', async () => {
    // Arrange: while the provider authorizes, a void request is stored first (the version moves on).
    const { clock, store, deps, requested, provider } = setup({ retry: { sleep: async () => undefined } });
    const voidRequest = createEvent(
      'PaymentVoidRequested',
      { orderId: 'ord-1', reason: 'timed out' },
      { correlationId: 'c' },
      clock,
    );
    const overtaken: PaymentProvider = {
      authorize: async (ask, signal) => {
        const answer = await provider.authorize(ask, signal);
        await voidPayment(deps, 'ord-1', contextFor(voidRequest, clock));
        return answer;
      },
      void: (authorizationId) => provider.void(authorizationId),
    };
    const event = requested(request());

    // Act
    const outcome = await authorizePayment(
      { ...deps, provider: overtaken },
      event.data,
      contextFor(event, clock),
    );

    // Assert: decided again on the voided state with the answer in hand, not asked again.
    expect(outcome).toBe('handled');
    expect(provider.attemptsFor(authorizationKey('ord-1'))).toBe(1);
    expect(provider.voids).toEqual(['auth-1-ord-1']);
    const stream = await store.read(paymentStreamId('ord-1'));
    expect(stream.events.map((e) => [e.event.type, e.event.data])).toEqual([
      ['PaymentVoided', { orderId: 'ord-1' }],
      ['PaymentVoided', { orderId: 'ord-1', authorizationId: 'auth-1-ord-1' }],
    ]);
  });

  it('never asks the provider for an order voided before its authorization', async () => {
    // Arrange
    const { clock, deps, requested, provider } = setup();
    const voidRequest = createEvent(
      'PaymentVoidRequested',
      { orderId: 'ord-1', reason: 'timed out' },
      { correlationId: 'c' },
      clock,
    );
    await voidPayment(deps, 'ord-1', contextFor(voidRequest, clock));
    const event = requested(request());

    // Act
    const outcome = await authorizePayment(deps, event.data, contextFor(event, clock));

    // Assert
    expect(outcome).toBe('duplicate');
    expect(provider.attemptsFor(authorizationKey('ord-1'))).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../shared/kit/errors/pipeline-error.ts';
import { defineSaga, sagaEventTypes } from '../../shared/kit/saga/definition.ts';
import { CART, SagaDriver as Driver, checkout as saga } from '../fakes/saga-driver.ts';
import type { ShopEvent } from '../fakes/test-context.ts';

describe('saga engine', () => {
  it('starts the first step with its command and a deadline', () => {
    // Arrange
    const driver = new Driver();

    // Act
    const decision = driver.start();

    // Assert
    expect(decision.outputs).toEqual([{ type: 'StockReservationRequested', data: { cartId: CART } }]);
    expect(decision.timer).toMatchObject({
      step: 'reserve',
      phase: 'forward',
      deadline: '2026-11-22T10:00:10.000Z',
    });
    expect(decision.transitions.map((t) => t.type)).toEqual([
      'SagaInputHandled',
      'SagaStarted',
      'SagaStepStarted',
    ]);
    expect(decision.accepted).toBe(true);
    expect(driver.state.status).toBe('running');
  });

  it('walks through every step and completes with the definition outcome', () => {
    // Arrange
    const driver = new Driver();
    driver.start();

    // Act
    driver.reserved();
    const charge = driver.decisions.at(-1);
    driver.paid('pay-1');
    driver.send('ReceiptSent', { cartId: CART, channel: 'email' });

    // Assert
    expect(charge?.timer?.deadline).toBe('2026-11-22T10:00:05.000Z');
    expect(charge?.outputs).toEqual([
      { type: 'PaymentRequested', data: { cartId: CART, amount: 19.8, currency: 'EUR' } },
    ]);
    expect(driver.outputs()).toEqual(['StockReservationRequested', 'PaymentRequested', 'CheckoutCompleted']);
    expect(driver.decisions.at(-1)?.outputs).toEqual([
      { type: 'CheckoutCompleted', data: { cartId: CART, total: 19.8 } },
    ]);
    expect(driver.state.status).toBe('completed');
    expect(driver.state.results.charge).toMatchObject({ paymentId: 'pay-1' });
  });

  it('cancels at once when the first step fails: nothing to compensate', () => {
    // Arrange
    const driver = new Driver();
    driver.start();

    // Act
    driver.send('StockReservationFailed', { cartId: CART, reason: 'SKU-RED-MUG out of stock' });

    // Assert
    expect(driver.outputs()).toEqual(['StockReservationRequested', 'CheckoutCancelled']);
    expect(driver.state).toMatchObject({ status: 'cancelled', reason: 'SKU-RED-MUG out of stock' });
  });

  it('compensates completed steps newest first, each after the previous one confirmed', () => {
    // Arrange
    const driver = new Driver();
    driver.start();
    driver.reserved();
    driver.paid('pay-1');

    // Act
    const timedOut = driver.fireTimer();
    const refunded = driver.send('PaymentRefunded', { cartId: CART });
    driver.send('StockReleased', { cartId: CART });

    // Assert
    expect(timedOut.outputs).toEqual([
      { type: 'RefundRequested', data: { cartId: CART, reason: 'receipt timed out', paymentId: 'pay-1' } },
    ]);
    expect(refunded.outputs).toEqual([
      { type: 'StockReleaseRequested', data: { cartId: CART, reason: 'receipt timed out' } },
    ]);
    expect(driver.outputs().slice(2)).toEqual([
      'RefundRequested',
      'StockReleaseRequested',
      'CheckoutCancelled',
    ]);
    expect(driver.state).toMatchObject({ status: 'cancelled', compensated: ['charge', 'reserve'] });
  });

  it('compensates the timed-out step itself without waiting, then the completed ones', () => {
    // Arrange
    const driver = new Driver();
    driver.start();
    driver.reserved();

    // Act
    const decision = driver.fireTimer();

    // Assert
    expect(decision.outputs).toEqual([
      { type: 'RefundRequested', data: { cartId: CART, reason: 'charge timed out' } },
      { type: 'StockReleaseRequested', data: { cartId: CART, reason: 'charge timed out' } },
    ]);
    expect(decision.timer).toMatchObject({ step: 'reserve', phase: 'compensation' });
    expect(driver.state.status).toBe('compensating');
  });

  it('moves on when a compensation is not confirmed before its deadline', () => {
    // Arrange
    const driver = new Driver();
    driver.start();
    driver.reserved();
    driver.send('PaymentRefused', { cartId: CART, reason: 'card declined' });

    // Act
    driver.fireTimer();

    // Assert
    expect(driver.state).toMatchObject({ status: 'cancelled', reason: 'card declined' });
    expect(driver.outputs().at(-1)).toBe('CheckoutCancelled');
  });

  it('ignores a redelivered event and re-arms the timer that event set', () => {
    // Arrange
    const driver = new Driver();
    const checkedOut = driver.checkedOut();
    driver.feed(checkedOut);

    // Act
    const again = driver.feed(checkedOut);

    // Assert
    expect(again).toMatchObject({ duplicate: true, transitions: [], outputs: [] });
    expect(again.timer?.step).toBe('reserve');
  });

  it('ignores stale and early timers, and asks for an early one to be scheduled again', () => {
    // Arrange
    const driver = new Driver();
    driver.start();
    const active = driver.state.active;
    driver.reserved();
    const current = driver.state.active;

    // Act
    const stale = driver.send('SagaStepTimedOut', {
      saga: 'checkout',
      sagaId: CART,
      step: 'reserve',
      deadline: active?.deadline ?? '',
    });
    const early = driver.send('SagaStepTimedOut', {
      saga: 'checkout',
      sagaId: CART,
      step: 'charge',
      deadline: current?.deadline ?? '',
    });

    // Assert
    expect(stale).toMatchObject({ ignored: 'stale timer', transitions: [] });
    expect(early).toMatchObject({ ignored: 'timer not due yet', transitions: [], timer: current });
    expect(driver.state.status).toBe('running');
  });

  it('ignores a timer of another saga definition as stale', () => {
    // Arrange
    const driver = new Driver();
    driver.start();
    const active = driver.state.active;
    driver.clock.set(Date.parse(active?.deadline ?? ''));

    // Act
    const other = driver.send('SagaStepTimedOut', {
      saga: 'returns',
      sagaId: CART,
      step: 'reserve',
      deadline: active?.deadline ?? '',
    });

    // Assert
    expect(other).toMatchObject({ ignored: 'stale timer', transitions: [], outputs: [] });
    expect(driver.state.active).toEqual(active);
  });

  it('ignores results nobody waits for: before the start, duplicates of completed steps, late failures', () => {
    // Arrange
    const driver = new Driver();
    const early = driver.reserved();
    driver.start();
    driver.reserved();

    // Act
    const repeated = driver.reserved();
    const wrongStep = driver.send('StockReservationFailed', { cartId: CART, reason: 'late' });

    // Assert
    expect(early.ignored).toBe('saga not started');
    expect(repeated.transitions).toEqual([]);
    expect(wrongStep.transitions).toEqual([]);
    expect(driver.state.active?.step).toBe('charge');
  });

  it('compensates a result that arrives after its step timed out, once', () => {
    // Arrange
    const driver = new Driver();
    driver.start();
    driver.reserved();
    driver.fireTimer();
    driver.send('StockReleased', { cartId: CART });

    // Act
    const late = driver.paid('pay-late');
    const lateAgain = driver.paid('pay-late');

    // Assert
    expect(late.outputs).toEqual([
      { type: 'RefundRequested', data: { cartId: CART, reason: 'charge timed out', paymentId: 'pay-late' } },
    ]);
    expect(lateAgain.transitions).toEqual([]);
    expect(driver.state.status).toBe('cancelled');
    expect(driver.outputs()).not.toContain('CheckoutCompleted');
  });

  it('lists the event types its queue must receive', () => {
    // Act
    const types = sagaEventTypes(saga);

    // Assert
    expect(types.sort()).toEqual(
      [
        'CartCheckedOut',
        'PaymentRefunded',
        'PaymentRefused',
        'PaymentTaken',
        'ReceiptSent',
        'SagaStepTimedOut',
        'StockReleased',
        'StockReservationFailed',
        'StockReserved',
      ].sort(),
    );
  });
});

describe('saga engine: inputs seen before', () => {
  it('treats an input handled before with the same content hash as a duplicate', () => {
    // Arrange
    const driver = new Driver();
    const checkedOut = driver.checkedOut();
    driver.feed(checkedOut, 'hash-a');

    // Act
    const again = driver.feed(checkedOut, 'hash-a');

    // Assert
    expect(again).toMatchObject({ duplicate: true, transitions: [], outputs: [] });
    expect(again.reusedId).toBeUndefined();
  });

  it('refuses an input whose id was handled before with other content, naming the stored hash', () => {
    // Arrange
    const driver = new Driver();
    const checkedOut = driver.checkedOut();
    driver.feed(checkedOut, 'hash-a');
    const before = driver.state;

    // Act
    const reused = driver.feed({ ...checkedOut, data: { cartId: CART, total: 99 } } as ShopEvent, 'hash-b');

    // Assert
    expect(reused).toEqual({
      transitions: [],
      outputs: [],
      duplicate: false,
      reusedId: { storedHash: 'hash-a' },
    });
    expect(driver.state).toEqual(before);
  });

  it('takes a second start command with another id but the same content as a duplicate', () => {
    // Arrange
    const driver = new Driver();
    driver.feed(driver.checkedOut(), 'hash-a');

    // Act
    const resent = driver.feed(driver.checkedOut(), 'hash-a');

    // Assert
    expect(resent).toEqual({ transitions: [], outputs: [], duplicate: true });
    expect(driver.state.handled).toHaveLength(1);
  });

  it('rejects a second start command with other content, records it as handled and changes nothing else', () => {
    // Arrange
    const driver = new Driver();
    driver.feed(driver.checkedOut(), 'hash-a');
    driver.reserved();
    const other = driver.checkedOut(42);

    // Act
    const refused = driver.feed(other, 'hash-b');
    const redelivered = driver.feed(other, 'hash-b');

    // Assert
    expect(refused.outputs).toEqual([
      {
        type: 'CheckoutRejected',
        data: { cartId: CART, reason: 'cart cart-1 already checked out (running)' },
      },
    ]);
    expect(refused.transitions).toEqual([
      {
        type: 'SagaInputHandled',
        data: {
          eventId: other.id,
          eventType: 'CartCheckedOut',
          eventTime: other.time,
          contentHash: 'hash-b',
        },
      },
    ]);
    expect(refused.accepted).toBeUndefined();
    expect(redelivered).toMatchObject({ duplicate: true, transitions: [], outputs: [] });
    expect(driver.state).toMatchObject({ status: 'running', data: { cartId: CART, total: 19.8 } });
    expect(driver.state.active?.step).toBe('charge');
  });

  it('ignores a second start command when the definition has no rejection or the start has no hash', () => {
    // Arrange
    const { rejected: _rejected, ...withoutRejection } = saga;
    const lenient = new Driver(defineSaga(withoutRejection));
    lenient.feed(lenient.checkedOut(), 'hash-a');
    const unhashed = new Driver();
    unhashed.start();

    // Act
    const toLenient = lenient.feed(lenient.checkedOut(42), 'hash-b');
    const toUnhashed = unhashed.feed(unhashed.checkedOut(42), 'hash-b');

    // Assert
    for (const decision of [toLenient, toUnhashed]) {
      expect(decision).toEqual({
        transitions: [],
        outputs: [],
        duplicate: false,
        ignored: 'saga already started',
      });
    }
  });
});

describe('defineSaga', () => {
  it('rejects a definition where two steps claim the same event', () => {
    // Act
    const define = () =>
      defineSaga({
        ...saga,
        steps: [saga.steps[0], { ...saga.steps[1], name: 'again', completedBy: 'StockReserved' }] as never,
      });

    // Assert
    expect(define).toThrow(ValidationError);
    expect(define).toThrow('StockReserved is used twice');
  });

  it.each([
    ['no step', { steps: [] }, 'steps'],
    [
      'a step name used twice',
      { steps: [saga.steps[0], { ...saga.steps[1], name: 'reserve' }] },
      'steps.1.name',
    ],
    [
      'a step claiming the start event',
      { steps: [{ ...saga.steps[0], completedBy: 'CartCheckedOut' }] },
      'steps.0',
    ],
    ['a step timeout of zero', { steps: [{ ...saga.steps[0], timeoutMs: 0 }] }, 'steps.0.timeoutMs'],
    ['a negative default step timeout', { stepTimeoutMs: -1 }, 'stepTimeoutMs'],
  ])('rejects a definition with %s, naming where', (_case, change, path) => {
    // Act
    let thrown: unknown;
    try {
      defineSaga({ ...saga, ...change } as never);
    } catch (error) {
      thrown = error;
    }

    // Assert
    expect(thrown).toBeInstanceOf(ValidationError);
    expect((thrown as ValidationError).path).toBe(path);
  });
});

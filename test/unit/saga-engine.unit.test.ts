import { describe, expect, it } from 'vitest';
import type {
  AnyEvent,
  EventDataInput,
  EventType,
  Orders,
} from '../../shared/contexts/orders/events/catalog.ts';
import { createEvent, exampleEvent, fact } from '../../shared/contexts/orders/events/catalog.ts';
import { ValidationError } from '../../shared/kit/errors/pipeline-error.ts';
import { defineSaga, sagaEventTypes, stepsOf } from '../../shared/kit/saga/definition.ts';
import { decideSaga, type SagaDecision } from '../../shared/kit/saga/engine.ts';
import { evolveSagaState, initialSagaState, type SagaState } from '../../shared/kit/saga/state.ts';
import { ManualClock } from '../fakes/clock.ts';

type Data = { orderId: string };

const step = stepsOf<Orders>();

/** Reserve → charge → notify; notify has nothing to undo, so its timeout compensates the other two. */
const saga = defineSaga<Orders, 'OrderPlaced', Data>({
  name: 'test',
  source: 'orders.saga',
  startedBy: 'OrderPlaced',
  start: (event) => ({ orderId: event.data.orderId }),
  sagaIdOf: (event) => (event.type === 'SagaStepTimedOut' ? event.data.sagaId : event.data.orderId),
  stepTimeoutMs: 10_000,
  steps: [
    step<Data, 'InventoryReserved'>({
      name: 'reserve',
      run: ({ orderId }) => [
        fact('InventoryReservationRequested', { orderId, items: [{ sku: 'A', qty: 1 }] }),
      ],
      completedBy: 'InventoryReserved',
      failedBy: 'InventoryReservationFailed',
      compensate: ({ orderId }, _r, reason) => [fact('InventoryReleaseRequested', { orderId, reason })],
      compensatedBy: 'InventoryReleased',
    }),
    step<Data, 'PaymentAuthorized'>({
      name: 'charge',
      run: ({ orderId }) => [
        fact('PaymentAuthorizationRequested', {
          orderId,
          customerId: 'c',
          items: [{ sku: 'A', qty: 1, unitPrice: 1 }],
          total: 1,
          currency: 'EUR',
          paymentToken: 't',
        }),
      ],
      completedBy: 'PaymentAuthorized',
      failedBy: 'PaymentDeclined',
      compensate: ({ orderId }, auth, reason) => [
        fact('PaymentVoidRequested', {
          orderId,
          reason,
          ...(auth ? { authorizationId: auth.authorizationId } : {}),
        }),
      ],
      compensatedBy: 'PaymentVoided',
      timeoutMs: 5_000,
    }),
    step<Data, 'NotificationSent'>({
      name: 'notify',
      run: () => [],
      completedBy: 'NotificationSent',
    }),
  ],
  completed: ({ orderId }) => [
    fact('OrderConfirmed', {
      orderId,
      customerId: 'c',
      total: 1,
      currency: 'EUR',
      contact: { channels: [] },
    }),
  ],
  cancelled: ({ orderId }, reason) => [
    fact('OrderCancelled', { orderId, customerId: 'c', reason, contact: { channels: [] } }),
  ],
});

/** Drives the pure engine: decide, fold the transitions, keep the decisions. */
class Driver {
  readonly clock = new ManualClock();
  state: SagaState<Data> = initialSagaState();
  readonly decisions: SagaDecision[] = [];

  event<T extends EventType>(type: T, data: EventDataInput<T>): AnyEvent {
    return createEvent(type, data, { correlationId: 'c' }, this.clock) as AnyEvent;
  }

  feed(event: AnyEvent): SagaDecision {
    const decision = decideSaga(saga, this.state, event, this.clock.now());
    this.state = decision.transitions.reduce(evolveSagaState<Data>, this.state);
    this.decisions.push(decision);
    return decision;
  }

  send<T extends EventType>(type: T, data: EventDataInput<T>): SagaDecision {
    return this.feed(this.event(type, data));
  }

  fireTimer(): SagaDecision {
    const active = this.state.active;
    if (active === undefined) throw new Error('no active step');
    this.clock.set(Date.parse(active.deadline));
    return this.send('SagaStepTimedOut', {
      saga: 'test',
      sagaId: 'o-1',
      step: active.step,
      deadline: active.deadline,
    });
  }

  start(): SagaDecision {
    return this.send('OrderPlaced', { ...exampleEvent('OrderPlaced').data, orderId: 'o-1' });
  }

  outputs(): string[] {
    return this.decisions.flatMap((d) => d.outputs.map((o) => o.type));
  }
}

describe('saga engine', () => {
  it('starts the first step with its command and a deadline', () => {
    // Arrange
    const driver = new Driver();

    // Act
    const decision = driver.start();

    // Assert
    expect(decision.outputs.map((o) => o.type)).toEqual(['InventoryReservationRequested']);
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
    expect(driver.state.status).toBe('running');
  });

  it('walks through every step and completes with the definition outcome', () => {
    // Arrange
    const driver = new Driver();
    driver.start();

    // Act
    driver.send('InventoryReserved', { orderId: 'o-1', items: [{ sku: 'A', qty: 1 }] });
    const charge = driver.decisions.at(-1);
    driver.send('PaymentAuthorized', {
      orderId: 'o-1',
      authorizationId: 'auth-1',
      amount: 1,
      currency: 'EUR',
    });
    driver.send('NotificationSent', { orderId: 'o-1', channel: 'email' });

    // Assert
    expect(charge?.timer?.deadline).toBe('2026-11-22T10:00:05.000Z');
    expect(driver.outputs()).toEqual([
      'InventoryReservationRequested',
      'PaymentAuthorizationRequested',
      'OrderConfirmed',
    ]);
    expect(driver.state.status).toBe('completed');
    expect(driver.state.results.charge).toMatchObject({ authorizationId: 'auth-1' });
  });

  it('cancels at once when the first step fails: nothing to compensate', () => {
    // Arrange
    const driver = new Driver();
    driver.start();

    // Act
    driver.send('InventoryReservationFailed', { orderId: 'o-1', reason: 'A out of stock' });

    // Assert
    expect(driver.outputs()).toEqual(['InventoryReservationRequested', 'OrderCancelled']);
    expect(driver.state).toMatchObject({ status: 'cancelled', reason: 'A out of stock' });
  });

  it('compensates completed steps newest first, each after the previous one confirmed', () => {
    // Arrange
    const driver = new Driver();
    driver.start();
    driver.send('InventoryReserved', { orderId: 'o-1', items: [{ sku: 'A', qty: 1 }] });
    driver.send('PaymentAuthorized', {
      orderId: 'o-1',
      authorizationId: 'auth-1',
      amount: 1,
      currency: 'EUR',
    });

    // Act
    const timedOut = driver.fireTimer();
    driver.send('PaymentVoided', { orderId: 'o-1', authorizationId: 'auth-1' });
    driver.send('InventoryReleased', { orderId: 'o-1', items: [{ sku: 'A', qty: 1 }] });

    // Assert
    expect(timedOut.outputs).toEqual([
      {
        type: 'PaymentVoidRequested',
        data: { orderId: 'o-1', reason: 'notify timed out', authorizationId: 'auth-1' },
      },
    ]);
    expect(driver.outputs().slice(2)).toEqual([
      'PaymentVoidRequested',
      'InventoryReleaseRequested',
      'OrderCancelled',
    ]);
    expect(driver.state).toMatchObject({ status: 'cancelled', compensated: ['charge', 'reserve'] });
  });

  it('compensates the timed-out step itself without waiting, then the completed ones', () => {
    // Arrange
    const driver = new Driver();
    driver.start();
    driver.send('InventoryReserved', { orderId: 'o-1', items: [{ sku: 'A', qty: 1 }] });

    // Act
    const decision = driver.fireTimer();

    // Assert
    expect(decision.outputs.map((o) => o.type)).toEqual([
      'PaymentVoidRequested',
      'InventoryReleaseRequested',
    ]);
    expect(decision.timer).toMatchObject({ step: 'reserve', phase: 'compensation' });
    expect(driver.state.status).toBe('compensating');
  });

  it('moves on when a compensation is not confirmed before its deadline', () => {
    // Arrange
    const driver = new Driver();
    driver.start();
    driver.send('InventoryReserved', { orderId: 'o-1', items: [{ sku: 'A', qty: 1 }] });
    driver.send('PaymentDeclined', { orderId: 'o-1', reason: 'declined' });

    // Act
    driver.fireTimer();

    // Assert
    expect(driver.state).toMatchObject({ status: 'cancelled', reason: 'declined' });
    expect(driver.outputs().at(-1)).toBe('OrderCancelled');
  });

  it('ignores a redelivered event and re-arms the timer that event set', () => {
    // Arrange
    const driver = new Driver();
    const placed = driver.event('OrderPlaced', { ...exampleEvent('OrderPlaced').data, orderId: 'o-1' });
    driver.feed(placed);

    // Act
    const again = driver.feed(placed);

    // Assert
    expect(again).toMatchObject({ duplicate: true, transitions: [], outputs: [] });
    expect(again.timer?.step).toBe('reserve');
  });

  it('ignores stale and early timers, and asks for an early one to be scheduled again', () => {
    // Arrange
    const driver = new Driver();
    driver.start();
    const active = driver.state.active;
    driver.send('InventoryReserved', { orderId: 'o-1', items: [{ sku: 'A', qty: 1 }] });
    const current = driver.state.active;

    // Act
    const stale = driver.send('SagaStepTimedOut', {
      saga: 'test',
      sagaId: 'o-1',
      step: 'reserve',
      deadline: active?.deadline ?? '',
    });
    const early = driver.send('SagaStepTimedOut', {
      saga: 'test',
      sagaId: 'o-1',
      step: 'charge',
      deadline: current?.deadline ?? '',
    });

    // Assert
    expect(stale).toMatchObject({ ignored: 'stale timer', transitions: [] });
    expect(early).toMatchObject({ ignored: 'timer not due yet', transitions: [], timer: current });
    expect(driver.state.status).toBe('running');
  });

  it('ignores results nobody waits for: before the start, duplicates of completed steps, late failures', () => {
    // Arrange
    const driver = new Driver();
    const early = driver.send('InventoryReserved', { orderId: 'o-1', items: [{ sku: 'A', qty: 1 }] });
    driver.start();
    driver.send('InventoryReserved', { orderId: 'o-1', items: [{ sku: 'A', qty: 1 }] });

    // Act
    const repeated = driver.send('InventoryReserved', { orderId: 'o-1', items: [{ sku: 'A', qty: 1 }] });
    const wrongStep = driver.send('InventoryReservationFailed', { orderId: 'o-1', reason: 'late' });

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
    driver.send('InventoryReserved', { orderId: 'o-1', items: [{ sku: 'A', qty: 1 }] });
    driver.fireTimer();
    driver.send('InventoryReleased', { orderId: 'o-1', items: [{ sku: 'A', qty: 1 }] });

    // Act
    const late = driver.send('PaymentAuthorized', {
      orderId: 'o-1',
      authorizationId: 'auth-late',
      amount: 1,
      currency: 'EUR',
    });
    const lateAgain = driver.send('PaymentAuthorized', {
      orderId: 'o-1',
      authorizationId: 'auth-late',
      amount: 1,
      currency: 'EUR',
    });

    // Assert
    expect(late.outputs).toEqual([
      {
        type: 'PaymentVoidRequested',
        data: { orderId: 'o-1', reason: 'charge timed out', authorizationId: 'auth-late' },
      },
    ]);
    expect(lateAgain.transitions).toEqual([]);
    expect(driver.state.status).toBe('cancelled');
    expect(driver.outputs()).not.toContain('OrderConfirmed');
  });

  it('lists the event types its queue must receive', () => {
    // Act
    const types = sagaEventTypes(saga);

    // Assert
    expect(types.sort()).toEqual(
      [
        'InventoryReleased',
        'InventoryReservationFailed',
        'InventoryReserved',
        'NotificationSent',
        'OrderPlaced',
        'PaymentAuthorized',
        'PaymentDeclined',
        'PaymentVoided',
        'SagaStepTimedOut',
      ].sort(),
    );
  });

  it('rejects a definition where two steps claim the same event', () => {
    // Act
    const define = () =>
      defineSaga({
        ...saga,
        steps: [
          saga.steps[0],
          { ...saga.steps[1], name: 'again', completedBy: 'InventoryReserved' },
        ] as never,
      });

    // Assert
    expect(define).toThrow(ValidationError);
  });
});

import { describe, expect, it } from 'vitest';
import type { SagaDecision } from '../../shared/kit/saga/engine.ts';
import { CART, SagaDriver } from '../fakes/saga-driver.ts';
import { type ShopEvent, shopEvent } from '../fakes/test-context.ts';

/**
 * Reserve (10 s) → charge (5 s) → receipt (10 s). After a quick charge, the receipt's deadline falls
 * after the charge's timer: no timer of its own is needed, the charge's is re-armed for it.
 * Checked out at t0, reserved at +1 s, paid at +2 s: the receipt step is active.
 */
function toReceipt(driver: SagaDriver): { start: SagaDecision; charge: SagaDecision; receipt: SagaDecision } {
  const start = driver.start();
  driver.clock.advance(1_000);
  const charge = driver.reserved();
  driver.clock.advance(1_000);
  const receipt = driver.paid();
  return { start, charge, receipt };
}

describe('saga engine: one timer in flight serves the steps it covers', () => {
  it('sends no timer for a step whose deadline falls after the timer already in flight', () => {
    const driver = new SagaDriver();

    const { start, charge, receipt } = toReceipt(driver);

    // The reserve and the charge each sent one (the charge's 5 s ends before the reserve's 10 s).
    expect(start.timer?.step).toBe('reserve');
    expect(charge.timer?.step).toBe('charge');
    // The receipt (deadline t0 + 12 s) relies on the charge's timer (t0 + 6 s).
    expect(receipt.timer).toBeUndefined();
    expect(driver.state.active).toMatchObject({ step: 'receipt', armed: false });
    expect(driver.state.timerAt).toBe(charge.timer?.deadline);
  });

  it('re-arms the timer in flight for the step that relied on it, and times that step out at its own deadline', () => {
    // Arrange
    const driver = new SagaDriver();
    const { charge } = toReceipt(driver);
    const receipt = driver.state.active;
    driver.clock.set(Date.parse(charge.timer?.deadline ?? ''));

    // Act: the charge's timer fires while the receipt is active and not yet due…
    const early = driver.timer('charge', charge.timer?.deadline ?? '');
    driver.clock.set(Date.parse(receipt?.deadline ?? ''));
    // …and the timer it re-armed fires at the receipt's deadline.
    const due = driver.timer('receipt', receipt?.deadline ?? '');

    // Assert
    expect(early).toMatchObject({ ignored: 'timer not due yet', transitions: [], timer: receipt });
    expect(due.transitions.map((t) => t.type)).toContain('SagaCompensationPlanned');
    expect(driver.state.status).toBe('compensating');
  });

  it('ignores another step’s timer while the active step’s own timer is still to come', () => {
    // Arrange: the charge (5 s) sent its own timer; the reserve's fires while the charge is active.
    const driver = new SagaDriver();
    const start = driver.send('CartCheckedOut', { cartId: CART, total: 19.8 });
    driver.clock.advance(1_000);
    const charge = driver.send('StockReserved', { cartId: CART, lines: [{ sku: 'SKU-RED-MUG', qty: 2 }] });
    driver.clock.advance(500);

    // Act
    const stale = driver.timer('reserve', start.timer?.deadline ?? '');

    // Assert
    expect(charge.timer?.step).toBe('charge');
    expect(stale).toMatchObject({ ignored: 'stale timer', transitions: [] });
    expect(driver.state.active?.step).toBe('charge');
  });

  it('times out the active step when any timer fires after its deadline', () => {
    const driver = new SagaDriver();
    const { charge } = toReceipt(driver);
    const receipt = driver.state.active;
    driver.clock.set(Date.parse(receipt?.deadline ?? '') + 1);

    const late = driver.timer('charge', charge.timer?.deadline ?? '');

    expect(late.ignored).toBeUndefined();
    expect(late.transitions.map((t) => t.type)).toContain('SagaCompensationPlanned');
  });

  it('does not send again, on a redelivery, a timer the step never sent', () => {
    const driver = new SagaDriver();
    driver.send('CartCheckedOut', { cartId: CART, total: 19.8 });
    driver.clock.advance(1_000);
    driver.send('StockReserved', { cartId: CART, lines: [{ sku: 'SKU-RED-MUG', qty: 2 }] });
    driver.clock.advance(1_000);
    const paid = shopEvent(
      'PaymentTaken',
      { cartId: CART, paymentId: 'pay-1', amount: 19.8 },
      {},
      driver.clock,
    );
    driver.feed(paid as ShopEvent);

    const again = driver.feed(paid as ShopEvent);

    expect(again).toMatchObject({ duplicate: true, transitions: [] });
    expect(again.timer).toBeUndefined();
  });

  it('sends a timer again for a step started after the one in flight has fired', () => {
    const driver = new SagaDriver();
    const { charge } = toReceipt(driver);
    const receipt = driver.state.active;
    // The receipt step times out; its compensation steps start after every earlier timer fired.
    driver.clock.set(Date.parse(charge.timer?.deadline ?? ''));
    driver.timer('charge', charge.timer?.deadline ?? '');
    driver.clock.set(Date.parse(receipt?.deadline ?? ''));

    const due = driver.timer('receipt', receipt?.deadline ?? '');

    expect(due.timer).toMatchObject({ phase: 'compensation' });
    expect(driver.state.active?.armed).toBeUndefined();
  });

  it('names the timer still in flight when the saga ends before it fires, so it can be withdrawn', () => {
    // Arrange: checked out at t0 (the reserve's timer, t0 + 10 s, is in flight).
    const driver = new SagaDriver();
    const start = driver.start();
    driver.clock.advance(1_000);

    // Act: out of stock; nothing to compensate, the saga is cancelled.
    const failed = driver.send('StockReservationFailed', { cartId: CART, reason: 'out of stock' });

    // Assert
    expect(driver.state.status).toBe('cancelled');
    expect(failed.cancelTimer).toEqual({ step: 'reserve', deadline: start.timer?.deadline });
  });

  it('names no timer to withdraw when the one in flight already fired, or the saga goes on', () => {
    // Arrange
    const driver = new SagaDriver();
    driver.start();
    driver.clock.advance(1_000);
    const reserved = driver.reserved();

    // Act: the reserve's timeout ends the saga at its own deadline (its timer is the input).
    const timedOut = new SagaDriver();
    timedOut.start();
    const fired = timedOut.fireTimer();

    // Assert
    expect(reserved.cancelTimer).toBeUndefined();
    expect(timedOut.state.status).toBe('cancelled');
    expect(fired.cancelTimer).toBeUndefined();
  });
});

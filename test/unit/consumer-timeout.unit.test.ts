import { describe, expect, it } from 'vitest';
import { type Timer, withTimeout } from '../../shared/kit/consumer/timeout.ts';

/** A timer the test fires by hand. */
function manualTimer(): { timer: Timer; fire: () => void; aborted: () => boolean } {
  let fire: () => void = () => undefined;
  let signal: AbortSignal | undefined;
  const timer: Timer = (_ms, s) => {
    signal = s;
    return new Promise((resolve) => (fire = () => resolve()));
  };
  return { timer, fire: () => fire(), aborted: () => signal?.aborted === true };
}

describe('withTimeout', () => {
  it('returns the result of a call that answers in time and clears the timer', async () => {
    // Arrange
    const { timer, aborted } = manualTimer();

    // Act
    const result = await withTimeout(
      async () => 'answer',
      100,
      () => new Error('late'),
      timer,
    );

    // Assert
    expect(result).toBe('answer');
    expect(aborted()).toBe(true);
  });

  it('rejects with the timeout error and aborts the call when the timer fires first', async () => {
    // Arrange
    const { timer, fire } = manualTimer();
    let callSignal: AbortSignal | undefined;
    const hanging = (signal: AbortSignal) => {
      callSignal = signal;
      return new Promise<string>(() => undefined);
    };

    // Act
    const pending = withTimeout(hanging, 100, () => new Error('took too long'), timer);
    fire();

    // Assert
    await expect(pending).rejects.toThrow('took too long');
    expect(callSignal?.aborted).toBe(true);
  });
});

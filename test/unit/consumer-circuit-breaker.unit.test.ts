import { describe, expect, it } from 'vitest';
import {
  CircuitBreaker,
  CircuitOpenError,
  type CircuitStateChange,
} from '../../shared/kit/consumer/circuit-breaker.ts';
import { isRetryable, ValidationError } from '../../shared/kit/errors/pipeline-error.ts';
import { ManualClock } from '../fakes/clock.ts';
import { RecordingLogger } from '../fakes/logger.ts';

function setup(threshold = 3, coolDownMs = 10_000) {
  const clock = new ManualClock();
  const changes: CircuitStateChange[] = [];
  const logger = new RecordingLogger();
  const breaker = new CircuitBreaker({
    name: 'provider',
    failureThreshold: threshold,
    coolDownMs,
    clock: clock.now,
    logger,
    onStateChange: (change) => changes.push(change),
  });
  return { breaker, clock, changes, logger };
}

const fail = () => Promise.reject(new Error('down'));
const succeed = () => Promise.resolve('ok');

async function failTimes(breaker: CircuitBreaker, times: number): Promise<void> {
  for (let i = 0; i < times; i += 1) await breaker.execute(fail).catch(() => undefined);
}

describe('circuit breaker', () => {
  it('stays closed while failures stay below the threshold', async () => {
    // Arrange
    const { breaker } = setup(3);

    // Act
    await failTimes(breaker, 2);

    // Assert
    expect(breaker.state).toBe('closed');
  });

  it('opens after the threshold of consecutive failures and then fails fast without calling', async () => {
    // Arrange
    const { breaker, changes } = setup(3);
    let calls = 0;

    // Act
    await failTimes(breaker, 3);
    const error = await breaker
      .execute(async () => {
        calls += 1;
        return 'never';
      })
      .catch((e: unknown) => e);

    // Assert
    expect(breaker.state).toBe('open');
    expect(calls).toBe(0);
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect(isRetryable(error)).toBe(true);
    expect((error as CircuitOpenError).retryAt.toISOString()).toBe('2026-11-22T10:00:10.000Z');
    expect(changes.map((c) => `${c.from}->${c.to}`)).toEqual(['closed->open']);
  });

  it('resets the failure count on a success', async () => {
    // Arrange
    const { breaker } = setup(3);

    // Act
    await failTimes(breaker, 2);
    await breaker.execute(succeed);
    await failTimes(breaker, 2);

    // Assert
    expect(breaker.state).toBe('closed');
  });

  it('lets one probe through after the cool-down and closes when it succeeds', async () => {
    // Arrange
    const { breaker, clock, changes } = setup(2, 5_000);
    await failTimes(breaker, 2);

    // Act
    clock.advance(5_000);
    const stateBefore = breaker.state;
    const result = await breaker.execute(succeed);

    // Assert
    expect(stateBefore).toBe('half-open');
    expect(result).toBe('ok');
    expect(breaker.state).toBe('closed');
    expect(changes.map((c) => `${c.from}->${c.to}`)).toEqual([
      'closed->open',
      'open->half-open',
      'half-open->closed',
    ]);
  });

  it('opens again for a whole cool-down when the probe fails', async () => {
    // Arrange
    const { breaker, clock } = setup(2, 5_000);
    await failTimes(breaker, 2);
    clock.advance(5_000);

    // Act
    await failTimes(breaker, 1);
    clock.advance(4_999);

    // Assert
    expect(breaker.state).toBe('open');
    await expect(breaker.execute(succeed)).rejects.toBeInstanceOf(CircuitOpenError);
  });

  it('fails calls fast while the probe is still running', async () => {
    // Arrange
    const { breaker, clock } = setup(1, 1_000);
    await failTimes(breaker, 1);
    clock.advance(1_000);
    let release: (value: string) => void = () => undefined;
    const probe = breaker.execute(() => new Promise<string>((resolve) => (release = resolve)));

    // Act
    const second = await breaker.execute(succeed).catch((e: unknown) => e);
    release('done');

    // Assert
    expect(second).toBeInstanceOf(CircuitOpenError);
    expect(await probe).toBe('done');
    expect(breaker.state).toBe('closed');
  });

  it('does not count errors that say nothing about the dependency, such as invalid input', async () => {
    // Arrange
    const { breaker } = setup(1);

    // Act
    await breaker
      .execute(() => Promise.reject(new ValidationError('bad total', 'total')))
      .catch(() => undefined);

    // Assert
    expect(breaker.state).toBe('closed');
  });

  it('logs each state change with the circuit name', async () => {
    // Arrange
    const { breaker, logger } = setup(1);

    // Act
    await failTimes(breaker, 1);

    // Assert
    expect(logger.lines).toEqual([
      expect.objectContaining({ level: 'warn', message: 'circuit provider closed -> open' }),
    ]);
  });

  it('rejects a threshold below one', () => {
    // Act
    const build = () => new CircuitBreaker({ name: 'x', failureThreshold: 0 });

    // Assert
    expect(build).toThrow(ValidationError);
  });
});

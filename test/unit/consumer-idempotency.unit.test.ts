import { describe, expect, it } from 'vitest';
import { isRetryable } from '../../shared/kit/errors/pipeline-error.ts';
import { InMemoryIdempotencyStore } from '../../shared/kit/idempotency/in-memory.ts';
import { IdempotencyInProgressError, runOnce } from '../../shared/kit/idempotency/run-once.ts';
import { describeIdempotencyStoreContract } from '../contract/idempotency-store.contract.ts';
import { ManualClock } from '../fakes/clock.ts';

describeIdempotencyStoreContract('in-memory', async () => new InMemoryIdempotencyStore());

describe('runOnce', () => {
  it('runs the work the first time and replays its result afterwards', async () => {
    // Arrange
    const store = new InMemoryIdempotencyStore();
    let runs = 0;
    const work = async () => {
      runs += 1;
      return { deliveryId: `d-${runs}` };
    };

    // Act
    const first = await runOnce(store, 'k', work);
    const second = await runOnce(store, 'k', work);

    // Assert
    expect(runs).toBe(1);
    expect(first).toEqual({ result: { deliveryId: 'd-1' }, replayed: false });
    expect(second).toEqual({ result: { deliveryId: 'd-1' }, replayed: true });
  });

  it('releases the key when the work fails, so a retry runs it again', async () => {
    // Arrange
    const store = new InMemoryIdempotencyStore();
    let runs = 0;

    // Act
    await runOnce(store, 'k', async () => {
      runs += 1;
      throw new Error('smtp down');
    }).catch(() => undefined);
    const retried = await runOnce(store, 'k', async () => {
      runs += 1;
      return 'sent';
    });

    // Assert
    expect(runs).toBe(2);
    expect(retried).toEqual({ result: 'sent', replayed: false });
  });

  it('throws a retryable in-progress error while another execution holds the key', async () => {
    // Arrange
    const store = new InMemoryIdempotencyStore();
    let finish: () => void = () => undefined;
    const first = runOnce(store, 'k', () => new Promise<void>((resolve) => (finish = resolve)));

    // Act
    const error = await runOnce(store, 'k', async () => undefined).catch((e: unknown) => e);
    finish();
    await first;

    // Assert
    expect(error).toBeInstanceOf(IdempotencyInProgressError);
    expect(isRetryable(error)).toBe(true);
  });

  it('runs again once the remembered result has expired', async () => {
    // Arrange
    const store = new InMemoryIdempotencyStore();
    const clock = new ManualClock();
    let runs = 0;
    const work = async () => {
      runs += 1;
      return runs;
    };
    await runOnce(store, 'k', work, { clock: clock.now, ttlSeconds: 60 });

    // Act
    clock.advance(60_000);
    const again = await runOnce(store, 'k', work, { clock: clock.now, ttlSeconds: 60 });

    // Assert
    expect(again).toEqual({ result: 2, replayed: false });
  });
});

import { describe, expect, it, vi } from 'vitest';
import { ValidationError } from '../../shared/kit/errors/pipeline-error.ts';
import { ConcurrencyError } from '../../shared/kit/event-store/errors.ts';
import { InMemoryEventStore } from '../../shared/kit/event-store/in-memory.ts';
import { loadAggregate } from '../../shared/kit/event-store/load-aggregate.ts';
import { retryOnConflict } from '../../shared/kit/event-store/retry.ts';
import { aStreamId, orderTotals, someEvents } from '../contract/event-store.fixtures.ts';

const conflict = () => new ConcurrencyError('order-1', 1, 2);

describe('retryOnConflict', () => {
  it('retries a conflict and returns the first success', async () => {
    // Arrange
    const fn = vi.fn<(attempt: number) => Promise<string>>();
    fn.mockRejectedValueOnce(conflict()).mockRejectedValueOnce(conflict()).mockResolvedValue('done');
    const sleep = vi.fn(async (_ms: number) => {});

    // Act
    const result = await retryOnConflict(fn, { sleep });

    // Assert
    expect(result).toBe('done');
    expect(fn.mock.calls.map(([attempt]) => attempt)).toEqual([1, 2, 3]);
    expect(sleep).toHaveBeenCalledTimes(2);
  });

  it('waits a jittered delay that doubles per try and never exceeds the cap', async () => {
    const delays: number[] = [];
    const fn = () => Promise.reject(conflict());

    const attempt = retryOnConflict(fn, {
      attempts: 6,
      baseDelayMs: 100,
      maxDelayMs: 500,
      random: () => 0.999,
      sleep: async (ms) => {
        delays.push(ms);
      },
    });

    await expect(attempt).rejects.toBeInstanceOf(ConcurrencyError);
    expect(delays).toEqual([99, 199, 399, 499, 499]);
  });

  it('gives up after the given attempts with the last conflict', async () => {
    const fn = vi.fn(() => Promise.reject(conflict()));

    const attempt = retryOnConflict(fn, { attempts: 3, sleep: async () => {} });

    await expect(attempt).rejects.toBeInstanceOf(ConcurrencyError);
    expect(fn).toHaveBeenCalledTimes(3);
  });

  it('does not retry errors other than conflicts', async () => {
    const fn = vi.fn(() => Promise.reject(new ValidationError('bad')));

    await expect(retryOnConflict(fn, { sleep: async () => {} })).rejects.toBeInstanceOf(ValidationError);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('resolves a real conflict between two command handlers by reloading and deciding again', async () => {
    const store = new InMemoryEventStore();
    const streamId = aStreamId();
    await store.append(streamId, someEvents(1), { expectedVersion: 0 });
    const handle = () =>
      retryOnConflict(async () => {
        const { version } = await loadAggregate(store, streamId, orderTotals);
        return store.append(streamId, someEvents(1), { expectedVersion: version });
      });

    const results = await Promise.all([handle(), handle(), handle()]);

    expect(results.map((r) => r.toVersion).sort()).toEqual([2, 3, 4]);
  });
});

describe('loadAggregate', () => {
  it('rejects a snapshot interval below one', async () => {
    const attempt = loadAggregate(new InMemoryEventStore(), aStreamId(), {
      ...orderTotals,
      snapshotEvery: 0,
    });

    await expect(attempt).rejects.toMatchObject({ code: 'VALIDATION', path: 'snapshotEvery' });
  });

  it('returns the initial state at version 0 for a stream that does not exist', async () => {
    const loaded = await loadAggregate(new InMemoryEventStore(), aStreamId(), {
      ...orderTotals,
      snapshotEvery: 1,
    });

    expect(loaded).toEqual({
      state: { count: 0, total: 0 },
      version: 0,
      eventsApplied: 0,
      snapshotSaved: false,
    });
  });
});

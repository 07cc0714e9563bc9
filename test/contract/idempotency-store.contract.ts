import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { IdempotencyStore } from '../../shared/kit/idempotency/port.ts';

/** Builds a store for one case; cases use fresh keys, so stores may share a table. */
export type MakeIdempotencyStore = () => Promise<IdempotencyStore>;

const at = (iso: string) => new Date(iso);
const T0 = '2026-11-22T10:00:00.000Z';
const times = (now: string) => ({
  now: at(now),
  inProgressUntil: new Date(at(now).getTime() + 60_000),
  expiresAt: new Date(at(now).getTime() + 3_600_000),
});
const aKey = () => `case-${randomUUID()}`;

/** The behaviour every {@link IdempotencyStore} adapter promises; run once per adapter. */
export function describeIdempotencyStoreContract(name: string, makeStore: MakeIdempotencyStore): void {
  describe(`${name} idempotency store contract`, () => {
    it('starts a key nobody has claimed', async () => {
      const store = await makeStore();

      const result = await store.begin(aKey(), times(T0));

      expect(result).toEqual({ status: 'started' });
    });

    it('answers in-progress with the claim end while the first claim holds', async () => {
      const store = await makeStore();
      const key = aKey();
      await store.begin(key, times(T0));

      const result = await store.begin(key, times('2026-11-22T10:00:30.000Z'));

      expect(result).toEqual({ status: 'in-progress', until: at('2026-11-22T10:01:00.000Z') });
    });

    it('lets a new execution take over a claim that lapsed', async () => {
      const store = await makeStore();
      const key = aKey();
      await store.begin(key, times(T0));

      const result = await store.begin(key, times('2026-11-22T10:01:00.000Z'));

      expect(result).toEqual({ status: 'started' });
    });

    it('returns the stored result of completed work', async () => {
      const store = await makeStore();
      const key = aKey();
      await store.begin(key, times(T0));
      await store.complete(key, { deliveryId: 'd-1', n: 2 }, at('2026-11-22T11:00:00.000Z'));

      const result = await store.begin(key, times('2026-11-22T10:30:00.000Z'));

      expect(result).toEqual({ status: 'completed', result: { deliveryId: 'd-1', n: 2 } });
    });

    it('forgets completed work once its record expired', async () => {
      const store = await makeStore();
      const key = aKey();
      await store.begin(key, times(T0));
      await store.complete(key, 'done', at('2026-11-22T11:00:00.000Z'));

      const result = await store.begin(key, times('2026-11-22T11:00:00.000Z'));

      expect(result).toEqual({ status: 'started' });
    });

    it('frees a key on release so a retry starts at once', async () => {
      const store = await makeStore();
      const key = aKey();
      await store.begin(key, times(T0));

      await store.release(key);
      const result = await store.begin(key, times(T0));

      expect(result).toEqual({ status: 'started' });
    });

    it('keeps completed work when released', async () => {
      const store = await makeStore();
      const key = aKey();
      await store.begin(key, times(T0));
      await store.complete(key, null, at('2026-11-22T11:00:00.000Z'));

      await store.release(key);
      const result = await store.begin(key, times(T0));

      expect(result).toEqual({ status: 'completed', result: null });
    });

    it('starts exactly one of many racing claims', async () => {
      const store = await makeStore();
      const key = aKey();

      const results = await Promise.all(Array.from({ length: 5 }, () => store.begin(key, times(T0))));

      expect(results.filter((r) => r.status === 'started')).toHaveLength(1);
    });
  });
}

import { describe, expect, it } from 'vitest';
import { addressedRoutes, parseTime } from '../../cli/ops/replay.ts';
import { forwardStaged } from '../../cli/ops/replay-forward.ts';
import { CliError } from '../../cli/output.ts';
import { DECLARED_CONTEXTS } from '../../shared/contexts/index.ts';
import { busRoutes, routesFor } from '../../shared/kit/replay.ts';
import { InMemoryQueues } from '../fakes/memory-queues.ts';

describe('replay time arguments', () => {
  const now = new Date('2026-11-22T12:00:00.000Z');

  it('reads relative times as "that long ago"', () => {
    expect(parseTime('30m', now).toISOString()).toBe('2026-11-22T11:30:00.000Z');
    expect(parseTime('2h', now).toISOString()).toBe('2026-11-22T10:00:00.000Z');
    expect(parseTime('1d', now).toISOString()).toBe('2026-11-21T12:00:00.000Z');
  });

  it('reads ISO-8601 times as given', () => {
    expect(parseTime('2026-11-20T08:15:00Z', now).toISOString()).toBe('2026-11-20T08:15:00.000Z');
  });

  it('rejects anything else with a usage error that shows the accepted forms', () => {
    expect(() => parseTime('yesterday', now)).toThrow(CliError);
    expect(() => parseTime('yesterday', now)).toThrow(/not a time/);
  });
});

describe('replay routes: where a replayed event may go', () => {
  const routes = busRoutes(DECLARED_CONTEXTS);
  const event = (type: string, stored: boolean, source = 'orders.api') => ({
    'detail-type': type,
    source,
    'replay-name': 'r1',
    detail: { type, metadata: stored ? { storedStream: 'order-1', storedVersion: 1 } : {} },
  });

  it('lists the consumers that take events from the bus, as their rules do, and no outbox-fed one', () => {
    expect(routes.map((r) => r.name)).toEqual(['orders/saga', 'onboarding/accounts']);
    const saga = routes.find((r) => r.name === 'orders/saga');
    expect(saga?.queueOutput).toBe('SagaQueueUrl');
    expect(saga?.unstored).toContain('OrderPlaced');
    expect(routes.find((r) => r.name === 'onboarding/accounts')).toMatchObject({
      queueOutput: 'OnboardingAccountsQueueUrl',
      stored: ['OrderConfirmed'],
    });
  });

  it('routes a producer command to its intake and a stored integration event to its bus consumers', () => {
    expect(routesFor(event('OrderPlaced', false), routes).map((r) => r.name)).toEqual(['orders/saga']);
    expect(routesFor(event('OrderConfirmed', true), routes).map((r) => r.name)).toEqual([
      'onboarding/accounts',
    ]);
    // The outbox's copy of a stored OrderPlaced is taken by no bus consumer: the saga took it first-hand.
    expect(routesFor(event('OrderPlaced', true), routes)).toEqual([]);
  });

  it('routes every event of the listed sources to a route that takes everything from them', () => {
    const recorder = {
      name: 'recorder',
      queueOutput: 'Q',
      unstored: [],
      stored: [],
      sourcePrefixes: ['orders.'],
    };
    expect(routesFor(event('OrderCancelled', true), [recorder])).toEqual([recorder]);
    expect(routesFor(event('OrderCancelled', true, 'billing.api'), [recorder])).toEqual([]);
  });

  it('takes a consumer by its full or its short name, and refuses one a replay cannot reach', () => {
    expect(addressedRoutes(routes, ['saga']).map((r) => r.name)).toEqual(['orders/saga']);
    expect(addressedRoutes(routes, ['onboarding/accounts']).map((r) => r.name)).toEqual([
      'onboarding/accounts',
    ]);
    expect(addressedRoutes(routes, undefined)).toHaveLength(routes.length);
    const refused = (() => {
      try {
        addressedRoutes(routes, ['payment']);
      } catch (error) {
        return error;
      }
    })();
    expect(refused).toBeInstanceOf(CliError);
    expect((refused as CliError).exitCode).toBe(2);
    expect((refused as CliError).message).toContain(
      '--consumer payment is not a consumer a replay can reach',
    );
    expect((refused as CliError).hint).toContain('orders/saga, onboarding/accounts');
  });
});

describe('the replay forwarder', () => {
  const staging = 'https://sqs/staging';
  const targets = busRoutes(DECLARED_CONTEXTS).map((route) => ({
    ...route,
    queueUrl: `https://sqs/${route.name}`,
  }));
  const replayed = (type: string, stored: boolean, replayName = 'r1') =>
    JSON.stringify({
      id: `${type}-${Math.random()}`,
      'detail-type': type,
      source: 'orders.api',
      'replay-name': replayName,
      detail: { type, metadata: stored ? { storedStream: 's', storedVersion: 1 } : {} },
    });

  function world() {
    let clock = 0;
    const queues = new InMemoryQueues(() => clock);
    for (const url of [staging, ...targets.map((t) => t.queueUrl)]) queues.createQueue(url);
    const sleeps: number[] = [];
    const options = {
      replayName: 'r1',
      queueUrl: staging,
      targets,
      rate: 2,
      sourceDone: async () => true,
      now: () => clock,
      sleep: async (ms: number) => {
        sleeps.push(ms);
        clock += ms;
      },
      waitSeconds: 0,
    };
    return { queues, options, sleeps, advance: (ms: number) => (clock += ms), now: () => clock };
  }

  it('sends each staged event as received to the queues of the consumers whose rules take it', async () => {
    const { queues, options } = world();
    const placed = replayed('OrderPlaced', false);
    queues.put(staging, { body: placed });
    queues.put(staging, { body: replayed('OrderConfirmed', true) });

    const counts = await forwardStaged(queues, options);

    expect(counts.forwarded).toEqual({ 'orders/saga': 1, 'onboarding/accounts': 1 });
    expect(queues.messages('https://sqs/orders/saga').map((m) => m.body)).toEqual([placed]);
    expect(queues.messages(staging)).toHaveLength(0);
    expect(counts).toMatchObject({ received: 2, skippedByType: 0, unrouted: 0, stale: 0, failed: 0 });
  });

  it('keeps to the rate: n events leave no sooner than n / rate seconds after the start', async () => {
    const { queues, options, now } = world();
    for (let i = 0; i < 6; i += 1) queues.put(staging, { body: replayed('OrderPlaced', false) });

    const counts = await forwardStaged(queues, { ...options, rate: 2 });

    expect(counts.forwarded['orders/saga']).toBe(6);
    expect(now()).toBeGreaterThanOrEqual(3000);
  });

  it('forwards only the requested types and only to the addressed consumers, deleting the rest unsent', async () => {
    const { queues, options } = world();
    queues.put(staging, { body: replayed('OrderPlaced', false) });
    queues.put(staging, { body: replayed('OrderConfirmed', true) });
    queues.put(staging, { body: replayed('OrderCancelled', true) });

    const onlyAccounts = targets.filter((t) => t.name === 'onboarding/accounts');
    const counts = await forwardStaged(queues, {
      ...options,
      targets: onlyAccounts,
      types: ['OrderConfirmed', 'OrderPlaced'],
    });

    expect(counts.forwarded).toEqual({ 'onboarding/accounts': 1 });
    expect(counts).toMatchObject({ received: 3, skippedByType: 1, unrouted: 1 });
    expect(queues.messages('https://sqs/orders/saga')).toHaveLength(0);
    expect(queues.messages(staging)).toHaveLength(0);
  });

  it('deletes what an earlier replay left behind without sending it, and counts it', async () => {
    const { queues, options } = world();
    queues.put(staging, { body: replayed('OrderPlaced', false, 'r0') });
    queues.put(staging, { body: 'not json' });

    const counts = await forwardStaged(queues, options);

    expect(counts).toMatchObject({ received: 0, stale: 2 });
    expect(queues.messages('https://sqs/orders/saga')).toHaveLength(0);
  });

  it('leaves an event whose send failed in the staging queue, to come back, and counts the failure', async () => {
    const { queues, options } = world();
    queues.put(staging, { body: replayed('OrderPlaced', false) });
    queues.failSend = (url) => (url.endsWith('orders/saga') ? 'throttled' : undefined);

    const counts = await forwardStaged(queues, options);

    expect(counts.failed).toBeGreaterThanOrEqual(1);
    expect(counts.forwarded['orders/saga']).toBe(0);
    expect(queues.messages(staging)).toHaveLength(1);
  });

  it('keeps draining until the replay has ended and the staging queue stays empty', async () => {
    const { queues, options } = world();
    let polls = 0;
    const counts = await forwardStaged(queues, {
      ...options,
      // The replay ends on the third poll; an event is staged late, on the second.
      sourceDone: async () => {
        polls += 1;
        if (polls === 2) queues.put(staging, { body: replayed('OrderPlaced', false) });
        return polls >= 3;
      },
    });
    expect(counts.forwarded['orders/saga']).toBe(1);
    expect(polls).toBeGreaterThanOrEqual(4);
  });
});

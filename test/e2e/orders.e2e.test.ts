import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { localDir } from '../../cli/paths.ts';
import type { OrderSummary } from '../../shared/contexts/orders/domain/order-summary.ts';
import { e2eStack, runCliAsync, runCliJson } from '../support/cli.ts';
import { sagaWorld } from './saga-world.ts';

const world = sagaWorld();

/** The real `pipeline` CLI against the e2e stack (the emulator endpoint is inherited). */
const pipeline = (args: readonly string[]) => runCliAsync(['--stack', e2eStack, ...args]);
const json = <T>(args: readonly string[]) => runCliJson<T>(['--stack', e2eStack, ...args]);

const [sku, other] = [world.unique('GLOBE'), world.unique('MAP')];
const orderId = world.unique('cli-order');
let confirmed: OrderSummary;

beforeAll(async () => {
  // Arrange: stock through the CLI, one order through EventBridge, settled with its notification.
  const seeded = await json<{ seeded: { sku: string; added: number; available: number }[] }>([
    'seed',
    '--sku',
    sku,
    '--qty',
    '5',
    '--sku',
    other,
    '--qty',
    '2',
  ]);
  expect(seeded.seeded).toEqual([
    { sku, added: 5, available: 5 },
    { sku: other, added: 2, available: 2 },
  ]);
  await world.place(world.order({ orderId, items: [{ sku, qty: 2, unitPrice: 15 }], total: 30 }));
  confirmed = await world.summary(
    orderId,
    (s) => s.status === 'CONFIRMED' && s.timeline.some((e) => e.type === 'NotificationSent'),
    60_000,
  );
}, 120_000);

/** Read-only checks of one order: each spawns the CLI, so they run side by side. */
describe.concurrent('pipeline seed and pipeline orders against the deployed stack', () => {
  it('seeds stock the inventory then reserves from', async () => {
    expect(await world.available(sku)).toBe(3);
    expect(await world.available(other)).toBe(2);
  });

  it('refuses a --sku without its --qty as a usage error', async () => {
    const run = await pipeline(['seed', '--sku', sku]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('Give one --qty per --sku');
  });

  it('shows one order with its status, items, total and timeline, for people and as JSON', async () => {
    // Act
    const [human, asJson] = await Promise.all([
      pipeline(['orders', 'get', orderId]),
      json<OrderSummary>(['orders', 'get', orderId]),
    ]);

    // Assert
    expect(human.status).toBe(0);
    expect(human.stdout).toContain(`Order ${orderId}: CONFIRMED`);
    expect(human.stdout).toContain(`2 × ${sku} @ 15.00`);
    expect(human.stdout).toMatch(/\+0\.000 s\s+OrderPlaced/);
    expect(human.stdout).toMatch(/OrderConfirmed/);
    expect(asJson).toMatchObject({ orderId, status: 'CONFIRMED', total: 30, currency: 'EUR' });
  });

  it('lists the latest orders of a status, newest first, and refuses an unknown status', async () => {
    // Act
    const [listed, human, bad] = await Promise.all([
      json<{ orders: OrderSummary[] }>(['orders', 'list', '--status', 'confirmed', '--limit', '50']),
      pipeline(['orders', 'list', '--limit', '50']),
      pipeline(['orders', 'list', '--status', 'SHIPPED']),
    ]);

    // Assert
    expect(listed.orders.map((o) => o.orderId)).toContain(orderId);
    expect(new Set(listed.orders.map((o) => o.status))).toEqual(new Set(['CONFIRMED']));
    const times = listed.orders.map((o) => o.timeline.at(-1)?.at ?? '');
    expect(times).toEqual([...times].sort().reverse());
    expect(human.stdout).toMatch(/ORDER\s+STATUS\s+TOTAL\s+UPDATED/);
    expect(human.stdout).toContain(orderId);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('Unknown status "SHIPPED"');
  });

  it('says so, with a non-zero exit, for an order it does not know', async () => {
    const run = await pipeline(['orders', 'get', 'no-such-order']);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('No order no-such-order');
  });
});

/** The rebuilds change the read model, so they run after the reads, one after the other. */
describe('pipeline orders rebuild against the deployed stack', () => {
  it('rebuilds a lost summary from the event store alone', async () => {
    // Arrange: the read model loses the order.
    await world.summaries.delete(orderId);
    expect((await pipeline(['orders', 'get', orderId])).status).toBe(1);

    // Act
    const rebuilt = await json<{ orders: number; events: number }>(['orders', 'rebuild', '--order', orderId]);
    const after = await json<OrderSummary>(['orders', 'get', orderId]);

    // Assert: the very summary the projector had built live.
    expect(rebuilt).toMatchObject({ orders: 1 });
    expect(rebuilt.events).toBe(confirmed.timeline.length);
    expect(after).toEqual(confirmed);
  });

  it('rebuilds every order of the event store when no order is named', async () => {
    // Act
    const rebuilt = await json<{ orders: number; deleted: number }>(['orders', 'rebuild']);
    const after = await json<OrderSummary>(['orders', 'get', orderId]);

    // Assert
    expect(rebuilt.orders).toBeGreaterThanOrEqual(1);
    expect(after).toEqual(confirmed);
  });

  it('rebuilds page by page at a paced rate, resumes an interrupted run from its checkpoint, and deletes a summary no saga stream backs', async () => {
    // Arrange: a summary of an order the event store never saw.
    const orphan = world.unique('orphan');
    await world.summaries.put({ ...confirmed, orderId: orphan }, 0);
    const checkpoint = `${localDir}/rebuild-${e2eStack}.json`;

    // Act: a paced rebuild, small pages, interrupted (Ctrl-C) after its first page; then resumed.
    let interrupted = false;
    const first = await runCliAsync(
      ['--stack', e2eStack, 'orders', 'rebuild', '--page-size', '5', '--rate', '20'],
      {},
      90_000,
      (stderr, interrupt) => {
        if (!interrupted && stderr.includes('rebuilt so far')) {
          interrupted = true;
          interrupt();
        }
      },
    );
    const leftBehind = existsSync(checkpoint);
    const resumed = await json<{ orders: number; deleted: number; resumed: boolean; itemsRead: number }>([
      'orders',
      'rebuild',
      '--resume',
    ]);

    // Assert
    expect(interrupted).toBe(true);
    expect(first.status).not.toBe(0);
    expect(leftBehind).toBe(true);
    expect(resumed.resumed).toBe(true);
    expect(resumed.orders).toBeGreaterThanOrEqual(1);
    expect(resumed.itemsRead).toBeGreaterThanOrEqual(1);
    expect(existsSync(checkpoint)).toBe(false);
    expect(await world.summaries.get(orphan)).toBeUndefined();
    expect(await json<OrderSummary>(['orders', 'get', orderId])).toEqual(confirmed);
  });
});

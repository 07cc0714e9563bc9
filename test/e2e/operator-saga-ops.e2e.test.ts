import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { eventually } from '../support/aws.ts';
import { e2eStack, runCli } from '../support/cli.ts';

interface Summary {
  orderId: string;
  status: string;
  timeline: { type: string }[];
}

function orderGet(orderId: string): Summary | undefined {
  const run = runCli(['orders', 'get', orderId, '--stack', e2eStack, '--json']);
  return run.status === 0 ? (JSON.parse(run.stdout) as Summary) : undefined;
}

describe('operator commands on a real order flow', () => {
  it('traces an out-of-stock order to its cancelled saga and rebuilds its summary by replay, identical', async () => {
    // Arrange: an order for a SKU nobody stocked, injected through EventBridge.
    const orderId = `ops-${randomUUID()}`;
    const correlationId = `corr-${orderId}`;
    const data = {
      orderId,
      customerId: 'cus-ops',
      items: [{ sku: `NOSTOCK-${randomUUID()}`, qty: 1, unitPrice: 10 }],
      total: 10,
      currency: 'EUR',
      paymentToken: 'tok_visa',
      contact: { email: 'ops@example.com', channels: ['email'] },
    };
    const injected = runCli([
      'inject',
      'OrderPlaced',
      '--data',
      JSON.stringify(data),
      '--correlation-id',
      correlationId,
      '--stack',
      e2eStack,
    ]);
    expect(injected.status).toBe(0);
    const cancelled = await eventually(
      async () => {
        const summary = orderGet(orderId);
        // Settled: cancelled and the customer's one channel (email) told.
        const told = summary?.timeline.some((entry) => entry.type === 'NotificationSent');
        return summary?.status === 'CANCELLED' && told ? summary : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 1000 },
    );
    expect(cancelled).toBeDefined();

    // Act
    const trace = runCli(['trace', correlationId, '--stack', e2eStack, '--json']);
    const replay = runCli([
      'replay',
      '--projection',
      'orders',
      '--order',
      orderId,
      '--stack',
      e2eStack,
      '--json',
    ]);
    const rebuilt = orderGet(orderId);

    // Assert: the trace finds the whole flow and the saga's end…
    expect(trace.status).toBe(0);
    const traced = JSON.parse(trace.stdout) as { events: number; verdict: string[] };
    expect(traced.events).toBeGreaterThanOrEqual(3);
    expect(traced.verdict.join('\n')).toMatch(/saga-order#.*: cancelled/);
    // …and the replayed read model equals what the projector built live.
    expect(replay.status).toBe(0);
    expect(JSON.parse(replay.stdout)).toMatchObject({ projection: 'orders', orders: 1 });
    expect(rebuilt).toEqual(cancelled);
  });

  it('rejects an unknown projection as a usage error', () => {
    const run = runCli(['replay', '--projection', 'invoices', '--stack', e2eStack]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('Unknown projection "invoices"');
  });
});

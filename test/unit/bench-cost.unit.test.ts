import { describe, expect, it } from 'vitest';
import {
  byService,
  costLines,
  PRICES,
  prodProfile,
  type RunUsage,
  usdPerMillionOrders,
  withoutFunction,
} from '../../bench/cost/model.ts';
import type { RequestRecord } from '../../bench/requests/classify.ts';
import { ingestedInProd } from '../../bench/requests/platform.ts';

const record = (partial: Partial<RequestRecord>): RequestRecord => ({
  atMs: 0,
  caller: 'saga-PT-NO-OP-2.36.0',
  service: 'dynamodb',
  action: 'TransactWriteItems',
  status: 200,
  chunks: 1,
  capacity: { wru: 0, rru: 0 },
  ...partial,
});

const usage: RunUsage = {
  orders: 2,
  records: [
    record({ capacity: { wru: 10, rru: 0 } }),
    record({ capacity: { wru: 10, rru: 0 } }),
    record({ action: 'Query', capacity: { wru: 0, rru: 1 } }),
    record({ caller: 'outbox-publisher', service: 'events', action: 'PutEvents', chunks: 3 }),
  ],
  ruleDeliveries: 6,
  snsDeliveries: 0,
  functions: [
    {
      appId: 'saga',
      memoryMb: 1024,
      trigger: 'sqs',
      usage: { invocations: 2, durationMs: 2000, logBytes: 1e6 },
      messagesIn: 6,
    },
  ],
};

describe('cost model', () => {
  it('groups SDK calls by service, API and caller without the Powertools suffix', () => {
    // Act
    const lines = costLines(usage, 'measured').filter((l) => l.origin === 'sdk');

    // Assert
    const tx = lines.find((l) => l.api === 'TransactWriteItems');
    expect(tx).toMatchObject({ caller: 'saga', requests: 2 });
    expect(tx?.billed).toEqual([{ price: 'dynamodb.writeRequestUnit', quantity: 20, unit: 'WRU' }]);
    expect(lines.find((l) => l.service === 'events')?.billed[0]?.quantity).toBe(3);
  });

  it('prices a line per million orders from the prices file', () => {
    // Arrange
    const tx = costLines(usage, 'measured').find((l) => l.api === 'TransactWriteItems');

    // Act
    const usd = usdPerMillionOrders(tx as NonNullable<typeof tx>, usage.orders);

    // Assert: 10 WRU per order at $0.625 per million WRU
    expect(usd).toBeCloseTo(10 * PRICES['dynamodb.writeRequestUnit'].usd, 6);
  });

  it('prices the naive design with one receive, delete and invocation per message', () => {
    // Act
    const measured = costLines(usage, 'measured');
    const naive = costLines(usage, 'naive');
    const invocations = (lines: typeof measured) => lines.find((l) => l.service === 'lambda')?.requests;
    const receives = (lines: typeof measured) =>
      lines
        .filter((l) => l.service === 'sqs' && l.api.startsWith('Receive'))
        .reduce((s, l) => s + l.requests, 0);

    // Assert
    expect(invocations(measured)).toBe(2);
    expect(invocations(naive)).toBe(6);
    expect(receives(measured)).toBe(2);
    expect(receives(naive)).toBe(6);
    expect(naive.find((l) => l.service === 'events')?.requests).toBe(3);
    const total = (lines: typeof measured) => byService(lines, 2).reduce((s, [, v]) => s + v, 0);
    expect(total(naive)).toBeGreaterThan(total(measured));
  });

  it('prices a stack without one rule-fed function: its calls, deliveries, invocations and logs go', () => {
    // Arrange
    const withRecorder: RunUsage = {
      ...usage,
      records: [...usage.records, record({ caller: 'event-recorder-PT-x', action: 'PutItem' })],
      ruleDeliveries: usage.ruleDeliveries + 4,
      functions: [
        ...usage.functions,
        {
          appId: 'event-recorder',
          memoryMb: 256,
          trigger: 'sqs',
          usage: { invocations: 4, durationMs: 400, logBytes: 5e5 },
          messagesIn: 4,
        },
      ],
    };

    // Act
    const without = withoutFunction(withRecorder, 'event-recorder');

    // Assert
    expect(without.records).toEqual(usage.records);
    expect(without.ruleDeliveries).toBe(usage.ruleDeliveries);
    expect(without.functions.map((f) => f.appId)).toEqual(['saga']);
    const total = (u: RunUsage) => byService(costLines(u, 'measured'), 2).reduce((s, [, v]) => s + v, 0);
    expect(total(without)).toBeCloseTo(total(usage), 10);
    expect(total(withRecorder)).toBeGreaterThan(total(without));
    expect(withoutFunction(usage, 'absent')).toBe(usage);
  });
});

describe('prod profile of a dev run', () => {
  it('ingests only application lines at INFO and above in prod, never the platform lines', () => {
    expect(ingestedInProd('REPORT RequestId: 1 Duration: 2.00 ms')).toBe(false);
    expect(ingestedInProd('START RequestId: 1 Version: $LATEST')).toBe(false);
    expect(ingestedInProd('{"level":"DEBUG","message":"event handled"}')).toBe(false);
    expect(ingestedInProd('{"level":"INFO","message":"batch processed"}')).toBe(true);
    expect(ingestedInProd('{"level":"ERROR","message":"record sent to the DLQ"}')).toBe(true);
  });

  it('prices the prod logs and no X-Ray traces, the rest as measured', () => {
    const fn = {
      appId: 'saga',
      memoryMb: 256,
      trigger: 'sqs' as const,
      messagesIn: 2,
      usage: { invocations: 2, durationMs: 100, logBytes: 1e6, prodLogBytes: 1e5 },
    };
    const usage = { orders: 1, records: [], ruleDeliveries: 0, snsDeliveries: 0, functions: [fn] };

    const dev = costLines(usage, 'measured');
    const prod = costLines(prodProfile(usage), 'measured');

    const logs = (lines: typeof dev) => lines.find((l) => l.service === 'logs')?.billed[0]?.quantity;
    expect(logs(dev)).toBe(1e6 / 1e9);
    expect(logs(prod)).toBe(1e5 / 1e9);
    expect(dev.some((l) => l.service === 'xray')).toBe(true);
    expect(prod.some((l) => l.service === 'xray')).toBe(false);
    expect(prod.filter((l) => l.service === 'lambda')).toEqual(dev.filter((l) => l.service === 'lambda'));
  });
});

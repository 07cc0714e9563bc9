import { describe, expect, it } from 'vitest';
import {
  buildCases,
  describeExpectation,
  EDGES,
  effectiveExpectation,
  nestedArrays,
  shortQueue,
  storedMark,
} from '../bad-input/cases.ts';
import { countByEdge, passed, renderBadInputReport } from '../bad-input/report.ts';
import {
  type CaseResult,
  confirmedOn,
  SIDE_CHECKS,
  type SuiteReport,
  sideChecks,
} from '../bad-input/suite.ts';

const cases = buildCases({ runId: 'r1', stockedSku: 'bad-r1-stock' });

function result(overrides: Partial<CaseResult> = {}): CaseResult {
  return {
    id: 'sqs-array',
    edge: 'sqs-body',
    name: 'wrong type',
    sent: 'payment queue: body is a JSON array',
    expected: 'dead-lettered in payment DLQ',
    outcome: 'dead-lettered in payment DLQ',
    reason: 'VALIDATION: event must be a JSON object',
    ok: true,
    problems: [],
    ...overrides,
  };
}

function report(results: CaseResult[], checksOk = true): SuiteReport {
  return {
    runId: 'r1',
    stackName: 'OrderPipeline-dev',
    target: 'emulator',
    startedAt: '2026-11-22T10:00:00.000Z',
    seconds: 42,
    results,
    checks: [{ name: SIDE_CHECKS.goodOrder, ok: checksOk, detail: 'CONFIRMED' }],
  };
}

describe('bad-input cases', () => {
  it('has at least 25 cases with unique ids, at least three at every edge', () => {
    expect(cases.length).toBeGreaterThanOrEqual(25);
    expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length);
    for (const edge of EDGES)
      expect(cases.filter((c) => c.edge === edge).length, edge).toBeGreaterThanOrEqual(3);
  });

  it('marks everything a case sends with its own marker, which no other marker contains', () => {
    for (const c of cases) {
      expect(c.marker).toBe(`bad-r1-${c.id}`);
      expect(cases.filter((other) => other.marker.includes(c.marker)).map((o) => o.id)).toEqual([c.id]);
      // Stream records carry it in their key, which the runner writes.
      if (c.payload.edge !== 'stream-record') expect(JSON.stringify(c.payload), c.id).toContain(c.marker);
      if (c.first) expect(JSON.stringify(c.first.payload), c.id).toContain(c.marker);
      if (c.stock) expect(c.stock.sku, c.id).toContain(c.marker);
    }
  });

  it('names for every dead-letter expectation the queues that must hold it, apart from the optional ones', () => {
    for (const c of cases) {
      for (const expect_ of [c.expect, c.emulator?.expect]) {
        if (expect_?.kind !== 'dead-lettered') continue;
        expect(expect_.queues.length, c.id).toBeGreaterThan(0);
        expect(
          expect_.queues.filter((q) => expect_.optional?.includes(q)),
          c.id,
        ).toEqual([]);
      }
    }
  });

  it('checks what the emulator does only on an emulator, and only for cases with a known gap', () => {
    const malformed = cases.find((c) => c.id === 'pe-malformed-detail');
    const plain = cases.find((c) => c.id === 'sqs-array');
    if (!malformed || !plain) throw new Error('cases missing');

    expect(effectiveExpectation(malformed, false).kind).toBe('rejected');
    expect(effectiveExpectation(malformed, true).kind).toBe('dead-lettered');
    expect(effectiveExpectation(plain, true)).toBe(plain.expect);
  });

  it('keeps valid-but-odd data and bare data as processed cases whose strings must come back verbatim', () => {
    const processed = cases.filter((c) => c.expect.kind === 'processed');
    expect(processed.map((c) => c.id).sort()).toEqual([
      'pe-bare-data',
      'pe-huge-array',
      'pe-injection',
      'pe-unicode',
      'sqs-bare-eventbridge',
    ]);
    for (const id of ['pe-bare-data', 'sqs-bare-eventbridge'])
      expect(processed.find((c) => c.id === id)?.expect, id).toMatchObject({ derivedEnvelope: true });
    const unicode = processed.find((c) => c.id === 'pe-unicode');
    expect(unicode?.expect).toMatchObject({
      status: 'CONFIRMED',
      verbatim: { customerId: expect.stringContaining('\u202E') },
    });
    expect(JSON.stringify(unicode?.payload)).toContain('bad-r1-stock');
  });

  it('expects a producer’s bad OrderPlaced in the saga DLQ only: the projector reacts to stored events', () => {
    const placedOnBus = cases.filter(
      (c) => c.payload.edge === 'put-events' && c.payload.entry.DetailType === 'OrderPlaced',
    );
    for (const c of placedOnBus) {
      for (const expect_ of [c.expect, c.emulator?.expect]) {
        if (expect_?.kind !== 'dead-lettered') continue;
        expect(expect_.queues, c.id).toContain('SagaDlqUrl');
        expect(expect_.queues, c.id).not.toContain('ProjectorDlqUrl');
      }
    }
  });

  it('sends a first input at a network edge or stores it, and knows which stored event shows it was taken', () => {
    const withFirst = cases.filter((c) => c.first !== undefined);
    expect(withFirst.map((c) => c.id).sort()).toEqual([
      'pe-id-reused',
      'pe-order-conflict',
      'pe-same-content',
      'sns-stored-type-mismatch',
      'sqs-id-reused-new-order',
      'sqs-id-reused-same-order',
      'sqs-stored-wrong-consumer',
    ]);
    for (const c of withFirst) {
      expect(['put-events', 'sqs-body', 'event-store'], c.id).toContain(c.first?.payload.edge);
      expect(c.first?.taken.streamId, c.id).toContain(c.marker);
      // What follows a stored first input carries its genuine mark: the store confirms it.
      if (c.first?.payload.edge !== 'event-store') continue;
      const { payload } = c;
      const sent =
        payload.edge === 'sqs-body' ? payload.body : payload.edge === 'sns-message' ? payload.message : '';
      const mark = JSON.stringify(storedMark(c.first.payload.streamId, 1).metadata).slice(1, -1);
      expect(sent, c.id).toContain(mark);
    }
    for (const c of cases) {
      if (c.expect.kind !== 'order-rejected' && c.expect.kind !== 'duplicate') continue;
      expect(c.first, c.id).toBeDefined();
      expect(c.first?.payload.edge === 'put-events' && c.first.payload.entry.Detail, c.id).toContain(
        `"id":"${c.expect.placedEventId}"`,
      );
    }
  });

  it('names two different content hashes for an event id a producer reused with other content', () => {
    const c = cases.find((x) => x.id === 'pe-id-reused');
    const reason = c?.expect.kind === 'dead-lettered' ? c.expect.reason.source : '';
    const hashes = reason.match(/sha256:[0-9a-f]{64}/g) ?? [];
    expect(hashes).toHaveLength(2);
    expect(hashes[0]).not.toBe(hashes[1]);
    expect(reason).toMatch(/^\^EVENT_ID_REUSED at detail\\.id: /);
  });

  it('refuses a stored mark carried by other content under the stored id as not stored, at the store position', () => {
    for (const id of ['sqs-id-reused-same-order', 'sqs-id-reused-new-order']) {
      const c = cases.find((x) => x.id === id);
      const reason = c?.expect.kind === 'dead-lettered' ? c.expect.reason.source : '';
      expect(reason, id).toMatch(
        /^\^NOT_STORED at .* claims to be stored at .* version 1, but the event store holds no such event there/,
      );
    }
  });

  it('counts one unit of the run’s SKU per case that ends with a confirmed order for it', () => {
    // pe-unicode, the two bare-data orders, and the first orders of the conflict, reused id and retry.
    expect(confirmedOn(cases, 'bad-r1-stock')).toBe(6);
    expect(confirmedOn(cases, 'another-sku')).toBe(0);
  });

  it('describes expectations and queues in a few words', () => {
    expect(
      describeExpectation({ kind: 'dead-lettered', queues: ['SagaDlqUrl', 'RecorderDlqUrl'], reason: /x/ }),
    ).toBe('dead-lettered in saga DLQ, recorder DLQ (x)');
    expect(describeExpectation({ kind: 'filtered' })).toMatch(/^filtered/);
    expect(
      describeExpectation({
        kind: 'order-rejected',
        orderId: 'o',
        status: 'CONFIRMED',
        placedEventId: 'e1',
        customerId: 'c1',
        refusedEventId: 'e2',
        refusedCustomerId: 'c2',
        reason: /belongs to another customer/,
      }),
    ).toBe(
      'refused as a stored OrderRejected (belongs to another customer); the order CONFIRMED as first placed',
    );
    expect(
      describeExpectation({
        kind: 'duplicate',
        orderId: 'o',
        status: 'CONFIRMED',
        placedEventId: 'e1',
        duplicateEventId: 'e2',
      }),
    ).toMatch(/^skipped as a duplicate/);
    expect(shortQueue('RuleTargetDlqUrl')).toBe('rule-target DLQ');
  });

  it('nests arrays as text, deeper than JSON.stringify could', () => {
    expect(nestedArrays(3, '1')).toBe('[[[1]]]');
    expect(JSON.parse(nestedArrays(50_000)).length).toBe(1);
  });
});

describe('bad-input report', () => {
  it('counts cases, met cases and emulator gaps per edge, in edge order', () => {
    const counts = countByEdge([
      result({ id: 'a', edge: 'put-events', ok: false, problems: ['x'] }),
      result({ id: 'b', edge: 'cli-inject' }),
      result({ id: 'c', edge: 'put-events', gap: 'differs' }),
    ]);
    expect(counts).toEqual([
      { edge: 'cli-inject', cases: 1, met: 1, gaps: 0 },
      { edge: 'put-events', cases: 2, met: 1, gaps: 1 },
    ]);
  });

  it('passes only when every case is met and every side check is ok', () => {
    expect(passed(report([result()]))).toBe(true);
    expect(passed(report([result({ ok: false, problems: ['no DLQ entry'] })]))).toBe(false);
    expect(passed(report([result()], false))).toBe(false);
  });

  it('renders the table, the per-edge counts, what was not met and the emulator gaps', () => {
    const markdown = renderBadInputReport(
      report([
        result(),
        result({
          id: 'pe-x',
          edge: 'put-events',
          ok: false,
          reason: 'a|b',
          problems: ['nothing in the saga DLQ'],
        }),
        result({ id: 'st-x', edge: 'stream-record', gap: 'MiniStack drops it' }),
      ]),
    );
    expect(markdown).toContain('| edge | case | sent | outcome | reason seen | ok? |');
    expect(markdown).toContain('| sqs-body | wrong type (sqs-array) | payment queue: body is a JSON array |');
    expect(markdown).toContain('a\\|b');
    expect(markdown).toMatch(/\| \*\*NO\*\* \|/);
    expect(markdown).toContain('ok (emulator gap)');
    expect(markdown).toContain('2/3 cases met their expectation');
    expect(markdown).toContain('- **pe-x** (expected dead-lettered in payment DLQ): nothing in the saga DLQ');
    expect(markdown).toContain('- **st-x**: MiniStack drops it');
  });
});

describe('bad-input side checks', () => {
  it('fails on a good order that did not complete, a stray DLQ entry of the run, or moved stock', () => {
    const checks = sideChecks({
      cases,
      entries: [
        { queue: 'SagaDlqUrl', marker: cases[0]?.marker, messageId: 'm1', reason: 'x', hasReason: true },
        { queue: 'PaymentDlqUrl', messageId: 'm2', reason: 'x', hasReason: true },
      ],
      orders: new Map(),
      goodOrderId: 'bad-r1-good-order',
      stock: 7,
      expectedStock: 8,
    });
    expect(checks.map((c) => [c.name, c.ok])).toEqual([
      [SIDE_CHECKS.goodOrder, false],
      [SIDE_CHECKS.strayEntries, false],
      [SIDE_CHECKS.stock, false],
    ]);
    expect(checks[1]?.detail).toBe('payment DLQ m2');
  });
});

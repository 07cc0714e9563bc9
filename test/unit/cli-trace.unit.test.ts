import { describe, expect, it } from 'vitest';
import { causationTree, sagaStates, scanWarning, verdicts } from '../../cli/ops/trace.ts';
import type { StoredEvent } from '../../shared/kit/event-store/port.ts';

function stored(
  id: string,
  type: string,
  streamId: string,
  extra: Record<string, unknown> = {},
): StoredEvent {
  return {
    streamId,
    streamVersion: 1,
    recordedAt: '2026-11-22T10:00:00.000Z',
    event: {
      id,
      type,
      version: 1,
      source: 'orders.test',
      time: `2026-11-22T10:00:0${id.length % 10}.000Z`,
      correlationId: 'corr-1',
      data: (extra.data as Record<string, unknown>) ?? {},
      ...(extra.causationId ? { causationId: extra.causationId as string } : {}),
      ...(extra.internal ? { metadata: { internal: true } } : {}),
    },
  };
}

describe('pipeline trace', () => {
  it('nests each event under the event that caused it; unknown causes become roots', () => {
    // Arrange
    const events = [
      stored('a', 'OrderPlaced', 'order#1'),
      stored('bb', 'InventoryReservationRequested', 'saga-order#1', { causationId: 'a' }),
      stored('ccc', 'InventoryReserved', 'inventory-order#1', { causationId: 'bb' }),
      stored('dddd', 'PaymentDeclined', 'payment#1', { causationId: 'missing' }),
    ];

    // Act
    const roots = causationTree(events);

    // Assert
    expect(roots.map((r) => r.type)).toEqual(['OrderPlaced', 'PaymentDeclined']);
    expect(roots[0]?.children[0]?.type).toBe('InventoryReservationRequested');
    expect(roots[0]?.children[0]?.children[0]?.type).toBe('InventoryReserved');
  });

  it('says which step a running saga waits for and flags a passed deadline', () => {
    // Arrange
    const events = [
      stored('s1', 'SagaStarted', 'saga-order#1', { data: { data: {} }, internal: true }),
      stored('s2', 'SagaStepStarted', 'saga-order#1', {
        data: {
          step: 'authorizePayment',
          phase: 'forward',
          deadline: '2026-11-22T10:00:10.000Z',
          setBy: 'x',
        },
        internal: true,
      }),
    ];

    // Act
    const sagas = sagaStates(events);
    const lines = verdicts(
      { correlationId: 'corr-1', roots: [], events: 2, sagas, deadLetters: [] },
      new Date('2026-11-22T10:05:00Z'),
    );

    // Assert
    expect(sagas[0]?.state.status).toBe('running');
    expect(lines[0]).toMatch(
      /waiting for authorizePayment \(forward\) until 2026-11-22T10:00:10\.000Z — deadline passed/,
    );
  });

  it('reports dead-lettered messages of the flow and an unknown correlation id', () => {
    const lines = verdicts({
      correlationId: 'x',
      roots: [],
      events: 0,
      sagas: [],
      deadLetters: [
        {
          queue: 'PaymentDlq',
          messageId: 'm1',
          type: 'PaymentAuthorizationRequested',
          reason: 'VALIDATION: data.total',
        },
      ],
    });
    expect(lines).toEqual([
      'No stored event carries this correlation id.',
      'stuck in PaymentDlq: PaymentAuthorizationRequested m1 — VALIDATION: data.total',
    ]);
  });

  it('warns that a trace without the correlation index scanned the whole table, what that read, and how to enable the index', () => {
    const warning = scanWarning('EventStoreTable-x', 20_412);

    expect(warning).toContain('EventStoreTable-x has no active correlation index (byCorrelation)');
    expect(warning).toContain('scanned the whole table, 20412 items');
    expect(warning).toContain('-c traceIndex=on');
  });
});

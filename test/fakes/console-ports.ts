import type { ConsolePorts, EventFeed } from '../../cli/console/ports.ts';
import type { DecodedMessage } from '../../cli/dlq/decode.ts';
import type { DlqListEntry } from '../../cli/dlq/render.ts';
import type { Topology } from '../../cli/docs/topology.ts';
import type { QueueStatus } from '../../cli/ops/status.ts';
import type { TailedEvent } from '../../cli/ops/tail.ts';

/** A small topology: a bus, its rule, a work queue and its DLQ. */
export const FAKE_TOPOLOGY: Topology = {
  nodes: [
    { id: 'Bus', kind: 'bus', label: 'Bus', name: 'orders-bus', details: {} },
    {
      id: 'PlacedRule',
      kind: 'rule',
      label: 'PlacedRule',
      details: { eventPattern: JSON.stringify({ 'detail-type': ['OrderPlaced'] }) },
    },
    { id: 'WorkQueue', kind: 'queue', label: 'WorkQueue', details: {} },
    { id: 'WorkDlq', kind: 'queue', label: 'WorkDlq', deadLetter: true, details: {} },
  ],
  edges: [
    { from: 'Bus', to: 'PlacedRule', kind: 'rule', details: {} },
    { from: 'PlacedRule', to: 'WorkQueue', kind: 'target', details: {} },
    { from: 'WorkQueue', to: 'WorkDlq', kind: 'redrive', details: { maxReceiveCount: '3' } },
  ],
};

/**
 * In-memory console ports: depths and DLQ contents are plain fields a test sets, events are pushed
 * with `emit`, and every mutating call is recorded.
 */
export class FakeConsolePorts implements ConsolePorts {
  readonly stackName = 'OrderPipeline-test';
  readonly where = 'memory';
  queues: QueueStatus[] = [
    { logicalId: 'WorkQueue', url: 'memory://work', visible: 0, inFlight: 0, isDlq: false },
    { logicalId: 'WorkDlq', url: 'memory://dlq', visible: 0, inFlight: 0, isDlq: true },
  ];
  dlqMessages: DecodedMessage[] = [];
  readonly redriven: { queue: string; ids: readonly string[] }[] = [];
  readonly injected: { type: string; data: unknown; correlationId?: string }[] = [];
  depthReads = 0;
  feedsOpened = 0;
  feedsClosed = 0;
  private pending: TailedEvent[] = [];
  private waiting: (() => void) | undefined;

  /** Puts an event on the fake bus; the console's open feed receives it. */
  emit(event: TailedEvent): void {
    this.pending.push(event);
    this.waiting?.();
  }

  async topology(): Promise<Topology> {
    return FAKE_TOPOLOGY;
  }

  async depths(): Promise<QueueStatus[]> {
    this.depthReads += 1;
    return this.queues.map((q) => ({ ...q }));
  }

  async openEvents(): Promise<EventFeed> {
    this.feedsOpened += 1;
    return {
      next: async (waitSeconds) => {
        if (this.pending.length === 0)
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, waitSeconds * 1000);
            this.waiting = () => {
              clearTimeout(timer);
              resolve();
            };
          });
        this.waiting = undefined;
        return this.pending.splice(0);
      },
      close: async () => {
        this.feedsClosed += 1;
      },
    };
  }

  async trace(correlationId: string) {
    return {
      correlationId,
      roots: [
        {
          id: 'e-1',
          type: 'OrderPlaced',
          source: 'orders.api',
          time: '2026-01-01T00:00:00.000Z',
          streamId: 'order-1',
          internal: false,
          children: [],
        },
      ],
      events: 1,
      sagas: [],
      deadLetters: [],
      verdict: ['The flow is finished.'],
    };
  }

  async deadLetters(): Promise<DlqListEntry[]> {
    const dlq = this.queues.find((q) => q.isDlq);
    const total = this.dlqMessages.length;
    return [
      {
        logicalId: dlq?.logicalId ?? 'WorkDlq',
        name: 'work-dlq',
        url: dlq?.url ?? 'memory://dlq',
        arn: 'arn:aws:sqs:us-east-1:000000000000:work-dlq',
        fifo: false,
        depth: { visible: total, inFlight: 0, delayed: 0, total },
        oldest: total ? { seconds: 42, source: 'peek' } : { source: 'none' },
        sources: [],
      },
    ];
  }

  async deadLetterMessages(_queue: string, limit: number): Promise<DecodedMessage[]> {
    return this.dlqMessages.slice(0, limit);
  }

  async redrive(queue: string, ids: readonly string[]) {
    this.redriven.push({ queue, ids });
    return {
      dryRun: false,
      scanned: ids.length,
      moved: ids.map((messageId) => ({ messageId, target: 'work', deletedFromDlq: true })),
      skipped: [],
      notFound: [],
    };
  }

  catalog() {
    return [
      {
        type: 'OrderPlaced',
        intake: true,
        example: { orderId: 'o-1', quantity: 1 },
        schema: {
          type: 'object',
          required: ['orderId', 'quantity'],
          properties: {
            orderId: { type: 'string', minLength: 1 },
            quantity: { type: 'integer', minimum: 1 },
          },
        },
      },
    ];
  }

  async inject(type: string, data: unknown, correlationId?: string) {
    this.injected.push({ type, data, ...(correlationId ? { correlationId } : {}) });
    return [{ eventId: 'e-new', correlationId: correlationId ?? 'c-new', status: 'accepted' as const }];
  }
}

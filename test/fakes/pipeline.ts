import type { StockItem } from '../../shared/contexts/orders/domain/inventory.ts';
import { SimulatedPaymentProvider } from '../../shared/contexts/orders/domain/payment-provider.ts';
import type {
  AnyEvent,
  EventDataInput,
  EventType,
  TypedEnvelope,
} from '../../shared/contexts/orders/events/catalog.ts';
import {
  createEvent,
  exampleEvent,
  type Orders,
  ordersCatalog,
} from '../../shared/contexts/orders/events/catalog.ts';
import { SAGA_INTAKE_RULE_TYPES } from '../../shared/contexts/orders/routes.ts';
import { orderSaga } from '../../shared/contexts/orders/sagas/order-saga.ts';
import { ORDER_INTAKE_TYPES, SAGA_UNSTORED_TYPES } from '../../shared/contexts/orders/use-cases/intake.ts';
import { inventoryHandlers, restockInventory } from '../../shared/contexts/orders/use-cases/inventory.ts';
import { notificationHandlers } from '../../shared/contexts/orders/use-cases/notifications.ts';
import { orderSummaryHandlers } from '../../shared/contexts/orders/use-cases/order-summary.ts';
import { paymentHandlers } from '../../shared/contexts/orders/use-cases/payment.ts';
import { CircuitBreaker } from '../../shared/kit/consumer/circuit-breaker.ts';
import { createSqsConsumer, type SqsConsumer } from '../../shared/kit/consumer/runtime.ts';
import type { Timer } from '../../shared/kit/consumer/timeout.ts';
import type { EventHandlers } from '../../shared/kit/consumer/types.ts';
import { InMemoryEventStore } from '../../shared/kit/event-store/in-memory.ts';
import type { AppendOptions, AppendResult, StreamAppend } from '../../shared/kit/event-store/port.ts';
import { storeStoredEventCheck } from '../../shared/kit/event-store/stored-check.ts';
import type { EventEnvelope } from '../../shared/kit/events/envelope.ts';
import { isPublishable, storedEventUpcaster } from '../../shared/kit/events/internal.ts';
import { isStoredEvent, markStored } from '../../shared/kit/events/stored.ts';
import { InMemoryIdempotencyStore } from '../../shared/kit/idempotency/in-memory.ts';
import { CountingOutcomeMetrics } from '../../shared/kit/observability/metrics.ts';
import { loadSaga, sagaHandlers } from '../../shared/kit/saga/runner.ts';
import { InMemorySagaTimers, timeoutEvent } from '../../shared/kit/saga/timers.ts';
import { ManualClock } from './clock.ts';
import { InMemoryInputClaims } from './input-claims.ts';
import { RecordingLogger } from './logger.ts';
import { InMemoryNotificationSender, InMemoryOrderSummaryRepository } from './orders.ts';
import { eventBridgeBody, FakeSqs, sqsEvent, sqsRecord } from './sqs.ts';

/** Settings of {@link TestPipeline}. */
export interface TestPipelineOptions {
  readonly stepTimeoutMs?: number;
  readonly maxReceiveCount?: number;
}

interface Message {
  readonly messageId: string;
  readonly body: string;
  receiveCount: number;
  visibleAt: number;
}

interface Queue {
  readonly consumer: SqsConsumer;
  readonly metrics: CountingOutcomeMetrics;
  readonly messages: Message[];
  /** Bodies moved here by the redrive policy after maxReceiveCount receives. */
  readonly redriven: string[];
}

/** The event store plus an outbox: every publishable event appended, once, in append order. */
class OutboxEventStore extends InMemoryEventStore {
  readonly outbox: EventEnvelope[] = [];
  private readonly seen = new Set<string>();

  override async appendMany(
    appends: readonly StreamAppend[],
    options?: AppendOptions,
  ): Promise<AppendResult[]> {
    const results = await super.appendMany(appends, options);
    for (const stored of results.flatMap((result) => result.events)) {
      const key = `${stored.streamId}@${stored.streamVersion}`;
      if (!isPublishable(ordersCatalog, stored.event) || this.seen.has(key)) continue;
      this.seen.add(key);
      this.outbox.push(markStored(stored.event, stored.streamId, stored.streamVersion));
    }
    return results;
  }
}

/** Times out on the next macrotask: after any in-memory provider answer, before a hanging one. */
const nextTurnTimer: Timer = () => new Promise((resolve) => setImmediate(resolve));

const VISIBILITY_TIMEOUT_MS = 30_000;

/**
 * The whole order pipeline in memory: the real consumers (runtime + use cases + saga) behind fake
 * queues with receive counts, visibility timeouts and redrive, an outbox that publishes what the store
 * accepted, and saga timers fired by a manual clock. `run()` advances time until nothing is left to do.
 */
export class TestPipeline {
  readonly clock = new ManualClock();
  readonly store = new OutboxEventStore({
    clock: this.clock.now,
    upcast: storedEventUpcaster(ordersCatalog),
  });
  readonly provider = new SimulatedPaymentProvider();
  readonly sender = new InMemoryNotificationSender();
  readonly idempotency = new InMemoryIdempotencyStore();
  readonly summaries = new InMemoryOrderSummaryRepository();
  readonly timers = new InMemorySagaTimers();
  readonly sqs = new FakeSqs();
  readonly logger = new RecordingLogger();
  /** The saga's claims on the ids of the events it takes first-hand. */
  readonly inputClaims = new InMemoryInputClaims();
  readonly saga;
  /** Every event the outbox (or a test) published, in order. */
  readonly published: AnyEvent[] = [];
  private readonly queues = new Map<string, Queue>();
  private readonly maxReceiveCount: number;

  constructor(options: TestPipelineOptions = {}) {
    this.maxReceiveCount = options.maxReceiveCount ?? 5;
    this.saga = orderSaga({ stepTimeoutMs: options.stepTimeoutMs ?? 30_000 });
    const { store } = this;
    const breaker = new CircuitBreaker({
      name: 'payment-provider',
      clock: this.clock.now,
      failureThreshold: 10,
    });
    this.add('saga', sagaHandlers(this.saga, { store, timers: this.timers }));
    this.add('inventory', inventoryHandlers({ store }));
    const provider = this.provider;
    this.add(
      'payment',
      paymentHandlers({ store, provider, callTimeoutMs: 5_000, timer: nextTurnTimer, breaker }),
    );
    this.add(
      'notifications',
      notificationHandlers({ store, sender: this.sender, idempotency: this.idempotency }),
    );
    this.add('projector', orderSummaryHandlers(this.summaries));
  }

  /** Puts stock on the shelves. */
  async stock(...items: StockItem[]): Promise<void> {
    for (const item of items)
      await restockInventory(this.store, item, { correlationId: 'seed', events: this.clock });
  }

  /** An `OrderPlaced` built from the catalog example with `data` on top. */
  orderPlaced(data: Partial<EventDataInput<'OrderPlaced'>> = {}): TypedEnvelope<'OrderPlaced'> {
    const example = exampleEvent('OrderPlaced', {}, this.clock).data;
    return createEvent(
      'OrderPlaced',
      { ...example, ...data },
      { correlationId: `corr-${data.orderId ?? example.orderId}` },
      this.clock,
    );
  }

  /**
   * Puts `event` on the bus, routed like the stack's rules: a stored event (the outbox's mark) to every
   * consumer that handles its type, except the saga for its own intake; an event not yet stored (a
   * producer's) to the saga's intake rule only.
   */
  publish(event: AnyEvent): void {
    this.published.push(event);
    const stored = isStoredEvent(event);
    for (const [name, queue] of this.queues) {
      const routed = stored
        ? queue.consumer.eventTypes.includes(event.type) &&
          !(name === 'saga' && SAGA_UNSTORED_TYPES.includes(event.type))
        : name === 'saga' && SAGA_INTAKE_RULE_TYPES.includes(event.type);
      if (routed) this.enqueue(name, eventBridgeBody(event));
    }
  }

  /** Runs consumers, the outbox and timers, moving the clock forward, until nothing is left (or `limitMs`). */
  async run(limitMs = 60 * 60_000): Promise<void> {
    const end = this.clock.now().getTime() + limitMs;
    for (let guard = 0; guard < 10_000; guard += 1) {
      this.flushOutbox();
      const now = this.clock.now().getTime();
      const ready = [...this.queues.keys()].find((name) => this.visible(name, now).length > 0);
      if (ready !== undefined) {
        await this.deliver(ready, now);
        continue;
      }
      const due = this.timers.due(this.clock.now());
      for (const timer of due) this.enqueue('saga', eventBridgeBody(timeoutEvent(timer, this.clock)));
      if (due.length > 0) continue;
      const next = this.nextWakeUp();
      if (next === undefined || next > end) return;
      this.clock.set(next);
    }
    throw new Error('pipeline did not settle');
  }

  /** Published events of `type`, optionally of one order. */
  eventsOf<T extends EventType>(type: T, orderId?: string): TypedEnvelope<T>[] {
    return this.published.filter(
      (event): event is TypedEnvelope<T> & AnyEvent =>
        event.type === type &&
        (orderId === undefined || (event.data as { orderId?: string }).orderId === orderId),
    );
  }

  /** The saga state of an order. */
  async sagaState(orderId: string) {
    return (await loadSaga(this.store, this.saga, orderId)).state;
  }

  /** Outcome counters of a consumer. */
  metrics(name: string): CountingOutcomeMetrics['totals'] {
    return this.queue(name).metrics.totals;
  }

  /** Bodies a consumer's DLQ holds: sent by the runtime at once, or moved there by redrive. */
  deadLetters(name: string): string[] {
    const sent = this.sqs.sent.filter((m) => m.QueueUrl === `dlq/${name}`).map((m) => m.MessageBody ?? '');
    return [...sent, ...this.queue(name).redriven];
  }

  /** Messages still waiting in a consumer's queue. */
  pending(name: string): number {
    return this.queue(name).messages.length;
  }

  private add(name: string, handlers: EventHandlers<Orders>): void {
    const metrics = new CountingOutcomeMetrics();
    const consumer = createSqsConsumer({
      catalog: ordersCatalog,
      name,
      handlers,
      intake: name === 'saga' ? SAGA_UNSTORED_TYPES : [],
      storedCheck: storeStoredEventCheck(this.store, ordersCatalog),
      ...(name === 'saga' ? { inputClaims: this.inputClaims, claimedTypes: ORDER_INTAKE_TYPES } : {}),
      sqs: this.sqs,
      queueUrl: `queue/${name}`,
      dlqUrl: `dlq/${name}`,
      logger: this.logger,
      metrics,
      events: this.clock,
      random: () => 0.5,
    });
    this.queues.set(name, { consumer, metrics, messages: [], redriven: [] });
  }

  private queue(name: string): Queue {
    const queue = this.queues.get(name);
    if (queue === undefined) throw new Error(`no queue ${name}`);
    return queue;
  }

  private enqueue(name: string, body: string): void {
    const messageId = this.clock.newId().replace('id-', 'msg-');
    this.queue(name).messages.push({
      messageId,
      body,
      receiveCount: 0,
      visibleAt: this.clock.now().getTime(),
    });
  }

  private visible(name: string, now: number): Message[] {
    return this.queue(name).messages.filter((message) => message.visibleAt <= now);
  }

  private async deliver(name: string, now: number): Promise<void> {
    const queue = this.queue(name);
    const batch = this.visible(name, now).slice(0, 10);
    for (const message of batch) message.receiveCount += 1;
    const records = batch.map((m) =>
      sqsRecord(m.body, { messageId: m.messageId, receiveCount: m.receiveCount }),
    );
    const response = await queue.consumer(sqsEvent(...records));
    const failed = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
    for (const [index, message] of batch.entries()) {
      queue.messages.splice(queue.messages.indexOf(message), 1);
      if (!failed.has(message.messageId)) continue;
      if (message.receiveCount >= this.maxReceiveCount) {
        queue.redriven.push(message.body);
        continue;
      }
      message.visibleAt = now + this.visibilityMs(records[index]?.receiptHandle);
      queue.messages.push(message);
    }
  }

  private visibilityMs(receiptHandle: string | undefined): number {
    const change = this.sqs.visibilityChanges.findLast((c) => c.ReceiptHandle === receiptHandle);
    return change?.VisibilityTimeout === undefined ? VISIBILITY_TIMEOUT_MS : change.VisibilityTimeout * 1000;
  }

  private flushOutbox(): void {
    for (const event of this.store.outbox.splice(0)) this.publish(event as AnyEvent);
  }

  private nextWakeUp(): number | undefined {
    const times = [
      ...[...this.queues.values()].flatMap((queue) => queue.messages.map((message) => message.visibleAt)),
      ...this.timers.scheduled.map((timer) => Date.parse(timer.deadline)),
    ];
    return times.length === 0 ? undefined : Math.min(...times);
  }
}

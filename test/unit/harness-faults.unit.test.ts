import { describe, expect, it } from 'vitest';
import {
  draw,
  FAULTS_COMPILED_OUT,
  FaultSpecError,
  faultHarness,
  faultHarnessFromEnv,
  faultPlanFromEnv,
  faultSpecOf,
  InjectedFaultError,
  injectsCrash,
  injectsTransient,
  NO_FAULTS,
  parseFaultSpec,
} from '../../shared/harness/faults.ts';
import { consumerHarness } from '../../shared/kit/consumer/config.ts';
import { createSqsConsumer } from '../../shared/kit/consumer/runtime.ts';
import type { EnvelopeOf } from '../../shared/kit/events/catalog.ts';
import { InMemoryIdempotencyStore } from '../../shared/kit/idempotency/in-memory.ts';
import { CountingOutcomeMetrics } from '../../shared/kit/observability/metrics.ts';
import { ManualClock } from '../fakes/clock.ts';
import { RecordingLogger } from '../fakes/logger.ts';
import { DLQ_URL, eventBridgeBody, FakeSqs, QUEUE_URL, sqsEvent, sqsRecord } from '../fakes/sqs.ts';
import { type Shop, shopCatalog, shopEvent } from '../fakes/test-context.ts';

/** An ItemAdded of cart `cartId`, with event id `evt-<cartId>` and correlation id `c-<cartId>`. */
function added(cartId: string): EnvelopeOf<Shop, 'ItemAdded'> {
  return shopEvent(
    'ItemAdded',
    { cartId, sku: 'SKU-RED-MUG', qty: 1 },
    { id: `evt-${cartId}`, correlationId: `c-${cartId}` },
  );
}

/** Message ids whose draw selects them (or not) for a fault at `rate`. */
function idsWhere(salt: string, rate: number, selected: boolean, count: number): string[] {
  const ids: string[] = [];
  for (let i = 0; ids.length < count; i++) {
    const id = `msg-${i}`;
    if (draw(id, salt) < rate === selected) ids.push(id);
  }
  return ids;
}

function consumerWith(faults: { transient: number; crash: number }) {
  const sqs = new FakeSqs();
  const logger = new RecordingLogger();
  const handled: string[] = [];
  const consumer = createSqsConsumer({
    catalog: shopCatalog,
    name: 'faulty',
    handlers: {
      ItemAdded: async (event) => {
        handled.push(event.data.cartId);
        return undefined;
      },
    },
    sqs,
    queueUrl: QUEUE_URL,
    dlqUrl: DLQ_URL,
    logger,
    metrics: new CountingOutcomeMetrics(),
    events: new ManualClock(),
    random: () => 0.5,
    idempotency: new InMemoryIdempotencyStore(),
    harness: faultHarness(faults),
  });
  return { consumer, sqs, logger, handled };
}

describe('fault spec', () => {
  it('parses rates by name and renders them back', () => {
    // Act
    const plan = parseFaultSpec(' transient=0.1, crash=0.02 ');

    // Assert
    expect(plan).toEqual({ transient: 0.1, crash: 0.02 });
    expect(faultSpecOf(plan)).toBe('transient=0.1,crash=0.02');
    expect(faultSpecOf(parseFaultSpec(''))).toBe('none');
    expect(parseFaultSpec('none')).toEqual(NO_FAULTS);
  });

  it.each([
    ['transient=1', /between 0 and 0.9/],
    ['transient=-0.1', /not name=rate/],
    ['crash=abc', /not name=rate/],
    ['slow=0.1', /unknown fault "slow"; known: transient, crash/],
    ['transient', /not name=rate/],
  ])('refuses %s with a reason', (spec, reason) => {
    // Act / Assert
    expect(() => parseFaultSpec(spec)).toThrow(FaultSpecError);
    expect(() => parseFaultSpec(spec)).toThrow(reason);
  });

  it('reads PIPELINE_FAULTS from the environment', () => {
    // Act / Assert
    expect(faultPlanFromEnv({ PIPELINE_FAULTS: 'crash=0.5' })).toEqual({ transient: 0, crash: 0.5 });
    expect(faultPlanFromEnv({})).toEqual(NO_FAULTS);
  });

  it('draws the same value for the same message id and spreads ids over [0, 1)', () => {
    // Arrange
    const values = Array.from({ length: 2000 }, (_, i) => draw(`m-${i}`, 'transient'));

    // Assert
    expect(draw('m-1', 'transient')).toBe(draw('m-1', 'transient'));
    expect(draw('m-1', 'transient')).not.toBe(draw('m-1', 'crash'));
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    const share = values.filter((v) => v < 0.1).length / values.length;
    expect(share).toBeGreaterThan(0.07);
    expect(share).toBeLessThan(0.13);
  });

  it('injects a transient failure only on a first delivery, and a crash only into a fresh batch', () => {
    // Arrange
    const plan = { transient: 0.9, crash: 0.9 };
    const [id = ''] = idsWhere('transient', 0.9, true, 1);
    const [crashId = ''] = idsWhere('crash', 0.9, true, 1);

    // Assert
    expect(injectsTransient(plan, id, 1)).toBe(true);
    expect(injectsTransient(plan, id, 2)).toBe(false);
    expect(injectsTransient(NO_FAULTS, id, 1)).toBe(false);
    expect(injectsCrash(plan, [{ messageId: crashId, receiveCount: 1 }])).toBe(true);
    expect(
      injectsCrash(plan, [
        { messageId: crashId, receiveCount: 1 },
        { messageId: 'other', receiveCount: 2 },
      ]),
    ).toBe(false);
    expect(injectsCrash(plan, [])).toBe(false);
  });
});

describe('fault injection in the consumer runtime', () => {
  it('fails a selected record once with a retryable error, then handles it when it comes back', async () => {
    // Arrange
    const [id = ''] = idsWhere('transient', 0.5, true, 1);
    const { consumer, sqs, logger, handled } = consumerWith({ transient: 0.5, crash: 0 });
    const body = eventBridgeBody(added('cart-1'));

    // Act
    const first = await consumer(sqsEvent(sqsRecord(body, { messageId: id, receiveCount: 1 })));
    const second = await consumer(sqsEvent(sqsRecord(body, { messageId: id, receiveCount: 2 })));

    // Assert
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: id }]);
    expect(sqs.visibilityChanges).toHaveLength(1);
    expect(sqs.sent).toEqual([]);
    expect(
      logger.lines.some(
        (l) => l.fields.errorCode === 'INJECTED_FAULT' && /transient failure/.test(String(l.fields.error)),
      ),
    ).toBe(true);
    expect(second.batchItemFailures).toEqual([]);
    expect(handled).toEqual(['cart-1']);
  });

  it('leaves unselected records alone', async () => {
    // Arrange
    const ids = idsWhere('transient', 0.5, false, 3);
    const { consumer, handled } = consumerWith({ transient: 0.5, crash: 0 });

    // Act
    const response = await consumer(
      sqsEvent(...ids.map((id, i) => sqsRecord(eventBridgeBody(added(`cart-${i}`)), { messageId: id }))),
    );

    // Assert
    expect(response.batchItemFailures).toEqual([]);
    expect(handled).toEqual(['cart-0', 'cart-1', 'cart-2']);
  });

  it('stops a selected batch after half its records; redelivered, the handled ones are duplicates', async () => {
    // Arrange
    const [first = ''] = idsWhere('crash', 0.5, true, 1);
    const ids = [first, 'msg-b', 'msg-c', 'msg-d'];
    const { consumer, handled, logger } = consumerWith({ transient: 0, crash: 0.5 });
    const batch = (receiveCount: number) =>
      sqsEvent(
        ...ids.map((id, i) =>
          sqsRecord(eventBridgeBody(added(`cart-${i}`)), { messageId: id, receiveCount }),
        ),
      );

    // Act
    const crash = consumer(batch(1));

    // Assert
    await expect(crash).rejects.toBeInstanceOf(InjectedFaultError);
    await expect(crash).rejects.toThrow('consumer faulty stopped after 2 of 4 records');
    expect(handled).toEqual(['cart-0', 'cart-1']);
    expect(logger.lines.some((l) => l.message === 'injected fault: consumer stopped mid-batch')).toBe(true);

    // Act: Lambda returns the whole batch to the queue
    const again = await consumer(batch(2));

    // Assert: each cart handled exactly once
    expect(again.batchItemFailures).toEqual([]);
    expect(handled).toEqual(['cart-0', 'cart-1', 'cart-2', 'cart-3']);
  });

  it('a one-record batch is handled and then stopped, so it comes back as a duplicate', async () => {
    // Arrange
    const [id = ''] = idsWhere('crash', 0.5, true, 1);
    const { consumer, handled } = consumerWith({ transient: 0, crash: 0.5 });
    const body = eventBridgeBody(added('cart-9'));

    // Act
    await expect(consumer(sqsEvent(sqsRecord(body, { messageId: id })))).rejects.toBeInstanceOf(
      InjectedFaultError,
    );
    const again = await consumer(sqsEvent(sqsRecord(body, { messageId: id, receiveCount: 2 })));

    // Assert
    expect(again.batchItemFailures).toEqual([]);
    expect(handled).toEqual(['cart-9']);
  });
});

describe('the harness a build puts around its consumers', () => {
  it('injects what PIPELINE_FAULTS asks for, and announces it', () => {
    // Arrange
    const logger = new RecordingLogger();

    // Act
    const harness = consumerHarness(logger, { PIPELINE_FAULTS: 'transient=0.5' });

    // Assert
    expect(harness?.beforeRecord).toBeTypeOf('function');
    expect(logger.lines.map((l) => [l.message, l.fields.faults])).toEqual([
      ['fault injection is on: failures will be injected on purpose', 'transient=0.5'],
    ]);
    expect(faultHarnessFromEnv({ PIPELINE_FAULTS: 'none' }, logger)).toBeUndefined();
  });

  it('is none when the build defined injection as compiled out, whatever PIPELINE_FAULTS says', () => {
    // Arrange
    const saved = process.env.PIPELINE_FAULT_INJECTION;
    process.env.PIPELINE_FAULT_INJECTION = FAULTS_COMPILED_OUT;
    try {
      // Act / Assert
      expect(consumerHarness(new RecordingLogger(), { PIPELINE_FAULTS: 'transient=0.5,crash=0.5' })).toBe(
        undefined,
      );
    } finally {
      if (saved === undefined) delete process.env.PIPELINE_FAULT_INJECTION;
      else process.env.PIPELINE_FAULT_INJECTION = saved;
    }
  });
});

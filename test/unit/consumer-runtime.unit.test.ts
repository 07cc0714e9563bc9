import { describe, expect, it } from 'vitest';
import { createSqsConsumer, type SqsConsumerOptions } from '../../shared/kit/consumer/runtime.ts';
import type { EventHandlers } from '../../shared/kit/consumer/types.ts';
import { PipelineError, ValidationError } from '../../shared/kit/errors/pipeline-error.ts';
import type { EnvelopeOf } from '../../shared/kit/events/catalog.ts';
import { InMemoryIdempotencyStore } from '../../shared/kit/idempotency/in-memory.ts';
import { CountingOutcomeMetrics } from '../../shared/kit/observability/metrics.ts';
import { ManualClock } from '../fakes/clock.ts';
import { RecordingLogger } from '../fakes/logger.ts';
import {
  DLQ_URL,
  eventBridgeBody,
  FakeSqs,
  QUEUE_ARN,
  QUEUE_URL,
  snsNotificationBody,
  sqsEvent,
  sqsRecord,
} from '../fakes/sqs.ts';
import { type Shop, shopCatalog, shopEvent } from '../fakes/test-context.ts';

function setup(handlers: EventHandlers<Shop>, extra: Partial<SqsConsumerOptions<Shop>> = {}) {
  const sqs = new FakeSqs();
  const logger = new RecordingLogger();
  const metrics = new CountingOutcomeMetrics();
  const clock = new ManualClock();
  const consumer = createSqsConsumer({
    catalog: shopCatalog,
    name: 'test',
    handlers,
    sqs,
    queueUrl: QUEUE_URL,
    dlqUrl: DLQ_URL,
    logger,
    metrics,
    events: clock,
    random: () => 0.5,
    ...extra,
  });
  return { consumer, sqs, logger, metrics, clock };
}

/** An ItemAdded of cart `cartId`, with event id `evt-<cartId>` and correlation id `corr-<cartId>`. */
function added(cartId: string): EnvelopeOf<Shop, 'ItemAdded'> {
  return shopEvent(
    'ItemAdded',
    { cartId, sku: 'SKU-RED-MUG', qty: 1 },
    { id: `evt-${cartId}`, correlationId: `corr-${cartId}` },
  );
}

/** A StockReserved whose first line reserves no item: invalid deep inside its data. */
function invalidBody(): string {
  const event = shopEvent('StockReserved', { cartId: 'cart-bad', lines: [{ sku: 'SKU-1', qty: 1 }] });
  const broken = { ...event, data: { ...event.data, lines: [{ sku: 'SKU-1', qty: 0 }] } };
  return eventBridgeBody(broken);
}

class OutOfStock extends PipelineError<'OUT_OF_STOCK'> {
  constructor() {
    super('OUT_OF_STOCK', 'business rule says no', { retryable: false });
  }
}

describe('SQS consumer runtime', () => {
  it('handles every valid record of a batch and reports no failures', async () => {
    // Arrange
    const seen: string[] = [];
    const { consumer, metrics } = setup({
      ItemAdded: async (event) => {
        seen.push(event.data.cartId);
        return undefined;
      },
    });

    // Act
    const response = await consumer(
      sqsEvent(sqsRecord(eventBridgeBody(added('cart-1'))), sqsRecord(eventBridgeBody(added('cart-2')))),
    );

    // Assert
    expect(response.batchItemFailures).toEqual([]);
    expect(seen).toEqual(['cart-1', 'cart-2']);
    expect(metrics.totals).toEqual({
      success: 2,
      duplicate: 0,
      retry: 0,
      'dead-lettered': 0,
      'id-reused': 0,
    });
  });

  it('sends a schema-invalid record to the DLQ with its reason and still handles its neighbours', async () => {
    // Arrange
    const seen: string[] = [];
    const { consumer, sqs, metrics } = setup({
      ItemAdded: async (event) => {
        seen.push(event.data.cartId);
        return undefined;
      },
      StockReserved: async (event) => {
        seen.push(event.data.cartId);
        return undefined;
      },
    });
    const bad = sqsRecord(invalidBody(), { messageId: 'bad', receiveCount: 1 });

    // Act
    const response = await consumer(
      sqsEvent(sqsRecord(eventBridgeBody(added('cart-1'))), bad, sqsRecord(eventBridgeBody(added('cart-3')))),
    );

    // Assert
    expect(response.batchItemFailures).toEqual([]);
    expect(seen).toEqual(['cart-1', 'cart-3']);
    expect(sqs.sent).toHaveLength(1);
    const message = sqs.sent[0];
    expect(message?.QueueUrl).toBe(DLQ_URL);
    expect(message?.MessageBody).toBe(bad.body);
    const attributes = message?.MessageAttributes ?? {};
    expect(attributes['error-code']?.StringValue).toBe('VALIDATION');
    expect(attributes['error-path']?.StringValue).toBe('detail.data.lines.0.qty');
    expect(attributes['error-message']?.StringValue).toContain('detail.data.lines.0.qty');
    expect(attributes['failed-at']?.StringValue).toBe('2026-11-22T10:00:00.000Z');
    expect(attributes['source-queue']?.StringValue).toBe(QUEUE_ARN);
    expect(attributes['receive-count']).toEqual({ DataType: 'Number', StringValue: '1' });
    expect(attributes.type?.StringValue).toBe('test');
    expect(metrics.totals['dead-lettered']).toBe(1);
  });

  it('dead-letters bodies that are not JSON, unknown types and types the consumer does not handle', async () => {
    // Arrange
    const { consumer, sqs } = setup({ CartCheckedOut: async () => undefined });
    const unknownType = eventBridgeBody({ ...added('cart-x'), type: 'ItemAded' });

    // Act
    await consumer(
      sqsEvent(sqsRecord('{nope'), sqsRecord(unknownType), sqsRecord(eventBridgeBody(added('cart-y')))),
    );

    // Assert
    const reasons = sqs.sent.map((m) => [
      m.MessageAttributes?.['error-code']?.StringValue,
      m.MessageAttributes?.['error-message']?.StringValue,
    ]);
    expect(reasons[0]?.[0]).toBe('VALIDATION');
    expect(reasons[1]?.[1]).toContain('did you mean ItemAdded');
    expect(reasons[2]).toEqual(['UNHANDLED_EVENT_TYPE', expect.stringContaining('no handler for ItemAdded')]);
  });

  it('dead-letters a business-rule error with its code and no field path', async () => {
    // Arrange
    const { consumer, sqs } = setup({
      ItemAdded: async () => {
        throw new OutOfStock();
      },
    });

    // Act
    const response = await consumer(sqsEvent(sqsRecord(eventBridgeBody(added('cart-1')))));

    // Assert
    expect(response.batchItemFailures).toEqual([]);
    expect(sqs.sent[0]?.MessageAttributes?.['error-code']?.StringValue).toBe('OUT_OF_STOCK');
    expect(sqs.sent[0]?.MessageAttributes?.['error-path']?.StringValue).toBe('-');
  });

  it('reports a retryable failure and delays each next delivery longer than the one before', async () => {
    // Arrange
    const { consumer, sqs, metrics } = setup({
      ItemAdded: async () => {
        throw new Error('dependency down');
      },
    });
    const body = eventBridgeBody(added('cart-1'));

    // Act
    const responses = [];
    for (const receiveCount of [1, 2, 3, 4, 5]) {
      responses.push(await consumer(sqsEvent(sqsRecord(body, { messageId: 'm-1', receiveCount }))));
    }

    // Assert
    expect(responses.every((r) => r.batchItemFailures[0]?.itemIdentifier === 'm-1')).toBe(true);
    const delays = sqs.visibilityChanges.map((change) => change.VisibilityTimeout ?? 0);
    expect(delays).toEqual([2, 3, 6, 12, 24]);
    expect(sqs.visibilityChanges[0]).toMatchObject({ QueueUrl: QUEUE_URL, ReceiptHandle: 'rh-m-1-1' });
    expect(sqs.sent).toHaveLength(0);
    expect(metrics.totals.retry).toBe(5);
  });

  it('falls back to a batch item failure when the DLQ cannot be reached, so nothing is lost', async () => {
    // Arrange
    const { consumer, sqs, logger, metrics } = setup({ StockReserved: async () => undefined });
    sqs.failSends = true;

    // Act
    const response = await consumer(sqsEvent(sqsRecord(invalidBody(), { messageId: 'bad' })));

    // Assert
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'bad' }]);
    expect(sqs.visibilityChanges).toHaveLength(1);
    expect(logger.lines.some((line) => line.message.includes('could not send to the DLQ'))).toBe(true);
    expect(metrics.totals).toMatchObject({ retry: 1, 'dead-lettered': 0 });
  });

  it('reads the event from an SNS notification and from a bare envelope published to SNS', async () => {
    // Arrange
    const seen: string[] = [];
    const { consumer } = setup({
      ItemAdded: async (event) => {
        seen.push(event.data.cartId);
        return undefined;
      },
    });
    const wrapped = snsNotificationBody(eventBridgeBody(added('cart-sns')));
    const bare = JSON.stringify(added('cart-raw'));
    const bareInSns = snsNotificationBody(JSON.stringify(added('cart-raw-sns')));

    // Act
    const response = await consumer(sqsEvent(sqsRecord(wrapped), sqsRecord(bare), sqsRecord(bareInSns)));

    // Assert
    expect(response.batchItemFailures).toEqual([]);
    expect(seen).toEqual(['cart-sns', 'cart-raw', 'cart-raw-sns']);
  });

  it('upcasts an old event version before the handler sees it', async () => {
    // Arrange
    let seen: { version: number; currency: string } | undefined;
    const { consumer } = setup({
      PaymentRequested: async (event) => {
        seen = { version: event.version, currency: event.data.currency };
        return undefined;
      },
    });
    const v2 = shopEvent('PaymentRequested', { cartId: 'cart-v1', amount: 19.8, currency: 'USD' });
    const { currency: _currency, ...v1Data } = v2.data;
    const v1 = { ...v2, version: 1, data: v1Data };

    // Act
    await consumer(sqsEvent(sqsRecord(eventBridgeBody(v1))));

    // Assert
    expect(seen).toEqual({ version: 2, currency: 'EUR' });
  });

  it('gives emitted events the correlation id of the record and its event id as causation', async () => {
    // Arrange
    const emitted: unknown[] = [];
    const { consumer } = setup({
      ItemAdded: async (event, context) => {
        emitted.push(context.emit('StockReservationRequested', { cartId: event.data.cartId }));
        return undefined;
      },
    });

    // Act
    await consumer(sqsEvent(sqsRecord(eventBridgeBody(added('cart-1')))));

    // Assert
    expect(emitted[0]).toMatchObject({
      correlationId: 'corr-cart-1',
      causationId: 'evt-cart-1',
      source: 'shop.saga',
      time: '2026-11-22T10:00:00.000Z',
    });
  });

  it('logs every record as JSON fields carrying its correlation id', async () => {
    // Arrange
    const { consumer, logger } = setup({
      ItemAdded: async (_event, context) => {
        context.logger.info('inside the handler');
        return undefined;
      },
    });

    // Act
    await consumer(sqsEvent(sqsRecord(eventBridgeBody(added('cart-1')), { messageId: 'm-9' })));

    // Assert
    const perRecord = logger.lines.filter((line) => line.message !== 'batch processed');
    expect(perRecord.map((line) => line.message)).toEqual(['inside the handler', 'event handled']);
    for (const line of perRecord) {
      expect(line.fields).toMatchObject({
        consumer: 'test',
        messageId: 'm-9',
        correlationId: 'corr-cart-1',
        eventId: 'evt-cart-1',
      });
    }
  });

  it('counts a record the handler reports as already handled as a duplicate', async () => {
    // Arrange
    const { consumer, metrics } = setup({ ItemAdded: async () => 'duplicate' });

    // Act
    const response = await consumer(sqsEvent(sqsRecord(eventBridgeBody(added('cart-1')))));

    // Assert
    expect(response.batchItemFailures).toEqual([]);
    expect(metrics.totals.duplicate).toBe(1);
  });

  it('runs a side-effect handler once per event id when given an idempotency store', async () => {
    // Arrange
    let effects = 0;
    const { consumer, metrics } = setup(
      {
        ItemAdded: async () => {
          effects += 1;
          return undefined;
        },
      },
      { idempotency: new InMemoryIdempotencyStore() },
    );
    const body = eventBridgeBody(added('cart-1'));

    // Act
    await consumer(sqsEvent(sqsRecord(body), sqsRecord(body)));
    await consumer(sqsEvent(sqsRecord(body)));

    // Assert
    expect(effects).toBe(1);
    expect(metrics.totals).toMatchObject({ success: 1, duplicate: 2 });
  });

  it('stops a FIFO message group at its first failure and lets other groups through', async () => {
    // Arrange
    const seen: string[] = [];
    const { consumer } = setup({
      ItemAdded: async (event) => {
        if (event.data.cartId === 'cart-a1') throw new Error('transient');
        seen.push(event.data.cartId);
        return undefined;
      },
    });
    const record = (cartId: string, groupId: string) =>
      sqsRecord(eventBridgeBody(added(cartId)), { messageId: cartId, groupId });

    // Act
    const response = await consumer(
      sqsEvent(record('cart-a1', 'a'), record('cart-b1', 'b'), record('cart-a2', 'a')),
    );

    // Assert
    expect(seen).toEqual(['cart-b1']);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['cart-a1', 'cart-a2']);
  });

  it('refuses to build a consumer without handlers', () => {
    // Act
    const build = () => setup({});

    // Assert
    expect(build).toThrow(ValidationError);
  });
});

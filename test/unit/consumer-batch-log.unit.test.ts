import { describe, expect, it } from 'vitest';
import { CONSUMER_LOG_MESSAGES, createSqsConsumer } from '../../shared/kit/consumer/runtime.ts';
import type { EventHandlers } from '../../shared/kit/consumer/types.ts';
import type { EnvelopeOf } from '../../shared/kit/events/catalog.ts';
import { CountingOutcomeMetrics } from '../../shared/kit/observability/metrics.ts';
import { ManualClock } from '../fakes/clock.ts';
import { type LogLine, RecordingLogger } from '../fakes/logger.ts';
import { DLQ_URL, eventBridgeBody, FakeSqs, QUEUE_URL, sqsEvent, sqsRecord } from '../fakes/sqs.ts';
import { type Shop, shopCatalog, shopEvent } from '../fakes/test-context.ts';

/** An ItemAdded of cart `cartId`, with event id `evt-<cartId>` and correlation id `corr-<cartId>`. */
function added(cartId: string): EnvelopeOf<Shop, 'ItemAdded'> {
  return shopEvent(
    'ItemAdded',
    { cartId, sku: 'SKU-RED-MUG', qty: 1 },
    { id: `evt-${cartId}`, correlationId: `corr-${cartId}` },
  );
}

function consumerLoggingTo(logger: RecordingLogger, handlers: EventHandlers<Shop>) {
  return createSqsConsumer({
    catalog: shopCatalog,
    name: 'test',
    handlers,
    sqs: new FakeSqs(),
    queueUrl: QUEUE_URL,
    dlqUrl: DLQ_URL,
    logger,
    metrics: new CountingOutcomeMetrics(),
    events: new ManualClock(),
    random: () => 0.5,
  });
}

const record = (cartId: string) => sqsRecord(eventBridgeBody(added(cartId)), { messageId: `m-${cartId}` });
const at = (lines: readonly LogLine[], level: LogLine['level']) =>
  lines.filter((line) => line.level === level).map((line) => line.message);

describe('consumer runtime logs', () => {
  it('writes one INFO line per batch with what became of its records and how long it took', async () => {
    // Arrange
    const logger = new RecordingLogger();
    const consumer = consumerLoggingTo(logger, {
      ItemAdded: async (event) => {
        if (event.data.cartId === 'cart-dup') return 'duplicate';
        if (event.data.cartId === 'cart-flaky') throw new Error('throttled');
        return undefined;
      },
    });

    // Act
    await consumer(
      sqsEvent(
        record('cart-1'),
        record('cart-2'),
        record('cart-dup'),
        record('cart-flaky'),
        sqsRecord('not json', { messageId: 'm-poison' }),
      ),
    );

    // Assert
    const info = logger.lines.filter((line) => line.level === 'info');
    expect(info).toHaveLength(1);
    expect(info[0]).toMatchObject({
      message: CONSUMER_LOG_MESSAGES.batch,
      fields: {
        consumer: 'test',
        records: 5,
        handled: 2,
        duplicates: 1,
        refused: 0,
        retried: 1,
        deadLettered: 1,
        durationMs: expect.any(Number),
      },
    });
    expect(info[0]?.fields.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('writes a record that went well only at DEBUG, and a failed one at WARN or ERROR', async () => {
    // Arrange
    const logger = new RecordingLogger();
    const consumer = consumerLoggingTo(logger, {
      ItemAdded: async (event) => {
        if (event.data.cartId === 'cart-dup') return 'duplicate';
        if (event.data.cartId === 'cart-flaky') throw new Error('throttled');
        return undefined;
      },
    });

    // Act
    await consumer(
      sqsEvent(
        record('cart-1'),
        record('cart-dup'),
        record('cart-flaky'),
        sqsRecord('not json', { messageId: 'm-poison' }),
      ),
    );

    // Assert
    expect(at(logger.lines, 'debug')).toEqual([
      CONSUMER_LOG_MESSAGES.handled,
      CONSUMER_LOG_MESSAGES.duplicate,
    ]);
    expect(at(logger.lines, 'warn')).toEqual([CONSUMER_LOG_MESSAGES.retry]);
    expect(at(logger.lines, 'error')).toEqual(['record sent to the DLQ']);
    // Powertools drops a field named `message`: the reason travels under a key it keeps.
    const deadLettered = logger.lines.find((line) => line.level === 'error')?.fields ?? {};
    expect(deadLettered).not.toHaveProperty('message');
    expect(deadLettered).toMatchObject({ messageId: 'm-poison', code: 'VALIDATION' });
    expect(String(deadLettered.reason)).toMatch(/JSON/);
    expect(
      logger.lines.find((line) => line.message === CONSUMER_LOG_MESSAGES.duplicate)?.fields,
    ).toMatchObject({ consumer: 'test', eventId: 'evt-cart-dup', messageId: 'm-cart-dup' });
  });

  it('writes what a handler says at INFO about its record at DEBUG, and keeps its warnings', async () => {
    // Arrange
    const logger = new RecordingLogger();
    const consumer = consumerLoggingTo(logger, {
      ItemAdded: async (_event, context) => {
        context.logger.info('reserved');
        context.logger.warn('stock running low');
        return undefined;
      },
    });

    // Act
    await consumer(sqsEvent(record('cart-1')));

    // Assert
    expect(logger.lines.map(({ level, message }) => `${level} ${message}`)).toEqual([
      'debug reserved',
      'warn stock running low',
      `debug ${CONSUMER_LOG_MESSAGES.handled}`,
      `info ${CONSUMER_LOG_MESSAGES.batch}`,
    ]);
    expect(logger.lines[0]?.fields).toMatchObject({ correlationId: 'corr-cart-1', eventId: 'evt-cart-1' });
  });
});

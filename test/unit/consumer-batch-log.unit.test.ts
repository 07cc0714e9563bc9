import { describe, expect, it } from 'vitest';
import type { TypedEnvelope } from '../../shared/contexts/orders/events/catalog.ts';
import {
  createEvent,
  exampleEvent,
  type Orders,
  ordersCatalog,
} from '../../shared/contexts/orders/events/catalog.ts';
import { CONSUMER_LOG_MESSAGES, createSqsConsumer } from '../../shared/kit/consumer/runtime.ts';
import type { EventHandlers } from '../../shared/kit/consumer/types.ts';
import { CountingOutcomeMetrics } from '../../shared/kit/observability/metrics.ts';
import { ManualClock } from '../fakes/clock.ts';
import { type LogLine, RecordingLogger } from '../fakes/logger.ts';
import { DLQ_URL, eventBridgeBody, FakeSqs, QUEUE_URL, sqsEvent, sqsRecord } from '../fakes/sqs.ts';

function placed(orderId: string): TypedEnvelope<'OrderPlaced'> {
  const { data } = exampleEvent('OrderPlaced');
  return createEvent(
    'OrderPlaced',
    { ...data, orderId },
    { id: `evt-${orderId}`, correlationId: `corr-${orderId}` },
  );
}

function consumerLoggingTo(logger: RecordingLogger, handlers: EventHandlers<Orders>) {
  return createSqsConsumer({
    catalog: ordersCatalog,
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

const record = (orderId: string) =>
  sqsRecord(eventBridgeBody(placed(orderId)), { messageId: `m-${orderId}` });
const at = (lines: readonly LogLine[], level: LogLine['level']) =>
  lines.filter((line) => line.level === level).map((line) => line.message);

describe('consumer runtime logs', () => {
  it('writes one INFO line per batch with what became of its records and how long it took', async () => {
    // Arrange
    const logger = new RecordingLogger();
    const consumer = consumerLoggingTo(logger, {
      OrderPlaced: async (event) => {
        if (event.data.orderId === 'ord-dup') return 'duplicate';
        if (event.data.orderId === 'ord-flaky') throw new Error('throttled');
        return undefined;
      },
    });

    // Act
    await consumer(
      sqsEvent(
        record('ord-1'),
        record('ord-2'),
        record('ord-dup'),
        record('ord-flaky'),
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
      OrderPlaced: async (event) => {
        if (event.data.orderId === 'ord-dup') return 'duplicate';
        if (event.data.orderId === 'ord-flaky') throw new Error('throttled');
        return undefined;
      },
    });

    // Act
    await consumer(
      sqsEvent(
        record('ord-1'),
        record('ord-dup'),
        record('ord-flaky'),
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
    expect(
      logger.lines.find((line) => line.message === CONSUMER_LOG_MESSAGES.duplicate)?.fields,
    ).toMatchObject({ consumer: 'test', eventId: 'evt-ord-dup', messageId: 'm-ord-dup' });
  });

  it('writes what a handler says at INFO about its record at DEBUG, and keeps its warnings', async () => {
    // Arrange
    const logger = new RecordingLogger();
    const consumer = consumerLoggingTo(logger, {
      OrderPlaced: async (_event, context) => {
        context.logger.info('reserved');
        context.logger.warn('stock running low');
        return undefined;
      },
    });

    // Act
    await consumer(sqsEvent(record('ord-1')));

    // Assert
    expect(logger.lines.map(({ level, message }) => `${level} ${message}`)).toEqual([
      'debug reserved',
      'warn stock running low',
      `debug ${CONSUMER_LOG_MESSAGES.handled}`,
      `info ${CONSUMER_LOG_MESSAGES.batch}`,
    ]);
    expect(logger.lines[0]?.fields).toMatchObject({ correlationId: 'corr-ord-1', eventId: 'evt-ord-1' });
  });
});

import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../shared/errors/pipeline-error.ts';
import {
  entrySize,
  fromEventBridgeEvent,
  fromSqsBody,
  toPutEventsEntry,
} from '../../shared/events/eventbridge.ts';
import { exampleEvent } from '../../shared/events/registry.ts';

const deps = { now: () => new Date('2026-03-01T10:00:00.000Z'), newId: () => 'evt-1' };

/** The EventBridge event a rule delivers for an envelope (as an SQS body or Lambda input). */
function delivered(detail: unknown, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const { type, source } = detail as { type: string; source: string };
  return {
    version: '0',
    id: 'eb-1',
    'detail-type': type,
    source,
    account: '000000000000',
    time: '2026-03-01T10:00:01Z',
    region: 'us-east-1',
    resources: [],
    detail,
    ...overrides,
  };
}

function validationErrorOf(act: () => unknown): ValidationError {
  try {
    act();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError, nothing was thrown');
}

describe('toPutEventsEntry', () => {
  it('maps source and type to Source and DetailType and sends the whole envelope as Detail', () => {
    // Arrange
    const envelope = exampleEvent('OrderConfirmed', {}, deps);

    // Act
    const entry = toPutEventsEntry(envelope, 'orders-bus');

    // Assert
    expect(entry).toEqual({
      EventBusName: 'orders-bus',
      Source: 'orders.saga',
      DetailType: 'OrderConfirmed',
      Detail: JSON.stringify(envelope),
    });
  });

  it('rejects an entry above 256 KB at path Detail', () => {
    // Arrange
    const envelope = {
      ...exampleEvent('PaymentDeclined', {}, deps),
      metadata: { blob: 'x'.repeat(262_144) },
    };

    // Act
    const error = validationErrorOf(() => toPutEventsEntry(envelope, 'orders-bus'));

    // Assert
    expect(error.path).toBe('Detail');
  });
});

describe('entrySize', () => {
  it('counts UTF-8 bytes of Source, DetailType, Detail and resources, plus 14 for Time', () => {
    // Arrange
    const entry = { Source: 'a.b', DetailType: 'Té', Detail: '{"€":1}', Resources: ['r1'], Time: new Date() };

    // Act
    const size = entrySize(entry);

    // Assert
    expect(size).toBe(3 + 3 + 9 + 2 + 14);
  });

  it('accepts an entry of exactly 262144 bytes and rejects one byte more', () => {
    // Arrange
    const envelope = exampleEvent('PaymentDeclined', {}, deps);
    const overhead = entrySize(toPutEventsEntry({ ...envelope, metadata: { pad: '' } }, 'bus'));
    const fitting = { ...envelope, metadata: { pad: 'x'.repeat(262_144 - overhead) } };
    const tooBig = { ...envelope, metadata: { pad: 'x'.repeat(262_144 - overhead + 1) } };

    // Act
    const entry = toPutEventsEntry(fitting, 'bus');

    // Assert
    expect(entrySize(entry)).toBe(262_144);
    expect(() => toPutEventsEntry(tooBig, 'bus')).toThrow(ValidationError);
  });
});

describe('fromEventBridgeEvent', () => {
  it('returns the validated envelope carried in detail', () => {
    // Arrange
    const envelope = exampleEvent('InventoryReserved', {}, deps);

    // Act
    const event = fromEventBridgeEvent(delivered(envelope));

    // Assert
    expect(event).toEqual(envelope);
  });

  it('reports data errors under detail', () => {
    // Arrange
    const envelope = exampleEvent('InventoryReserved', {}, deps);
    const broken = { ...envelope, data: { ...envelope.data, items: [{ sku: 'a', qty: 1.5 }] } };

    // Act
    const error = validationErrorOf(() => fromEventBridgeEvent(delivered(broken)));

    // Assert
    expect(error.path).toBe('detail.data.items.0.qty');
  });

  it('rejects an event whose detail-type disagrees with the envelope type', () => {
    // Arrange
    const envelope = exampleEvent('InventoryReserved', {}, deps);

    // Act
    const error = validationErrorOf(() =>
      fromEventBridgeEvent(delivered(envelope, { 'detail-type': 'InventoryReleased' })),
    );

    // Assert
    expect(error.path).toBe('detail-type');
  });

  it('rejects an event without detail at path detail', () => {
    // Act
    const error = validationErrorOf(() => fromEventBridgeEvent({ 'detail-type': 'X', source: 'y' }));

    // Assert
    expect(error.path).toBe('detail');
  });
});

describe('fromSqsBody', () => {
  it('parses an SQS body holding an EventBridge event', () => {
    // Arrange
    const envelope = exampleEvent('PaymentAuthorized', {}, deps);

    // Act
    const event = fromSqsBody(JSON.stringify(delivered(envelope)));

    // Assert
    expect(event).toEqual(envelope);
  });

  it('unwraps an SNS notification when raw message delivery is off', () => {
    // Arrange
    const envelope = exampleEvent('PaymentAuthorized', {}, deps);
    const body = JSON.stringify({ Type: 'Notification', Message: JSON.stringify(delivered(envelope)) });

    // Act
    const event = fromSqsBody(body);

    // Assert
    expect(event).toEqual(envelope);
  });

  it('rejects a body that is not JSON with a ValidationError for the whole input', () => {
    // Act
    const error = validationErrorOf(() => fromSqsBody('{"detail": '));

    // Assert
    expect(error.path).toBe('');
    expect(error.message).toContain('not valid JSON');
  });
});

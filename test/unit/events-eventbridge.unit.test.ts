import { describe, expect, it } from 'vitest';
import { exampleEvent, ordersCatalog } from '../../shared/contexts/orders/events/catalog.ts';
import { ValidationError } from '../../shared/kit/errors/pipeline-error.ts';
import {
  entrySize,
  fromEventBridgeEvent,
  fromSqsBody,
  toPutEventsEntry,
} from '../../shared/kit/events/eventbridge.ts';

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
    const event = fromEventBridgeEvent(ordersCatalog, delivered(envelope));

    // Assert
    expect(event).toEqual(envelope);
  });

  it('reports data errors under detail', () => {
    // Arrange
    const envelope = exampleEvent('InventoryReserved', {}, deps);
    const broken = { ...envelope, data: { ...envelope.data, items: [{ sku: 'a', qty: 1.5 }] } };

    // Act
    const error = validationErrorOf(() => fromEventBridgeEvent(ordersCatalog, delivered(broken)));

    // Assert
    expect(error.path).toBe('detail.data.items.0.qty');
  });

  it('rejects an event whose detail-type disagrees with the envelope type', () => {
    // Arrange
    const envelope = exampleEvent('InventoryReserved', {}, deps);

    // Act
    const error = validationErrorOf(() =>
      fromEventBridgeEvent(ordersCatalog, delivered(envelope, { 'detail-type': 'InventoryReleased' })),
    );

    // Assert
    expect(error.path).toBe('detail-type');
  });

  it('rejects an event without detail at path detail', () => {
    // Act
    const error = validationErrorOf(() =>
      fromEventBridgeEvent(ordersCatalog, { 'detail-type': 'X', source: 'y' }),
    );

    // Assert
    expect(error.path).toBe('detail');
  });
});

describe('fromSqsBody', () => {
  it('parses an SQS body holding an EventBridge event', () => {
    // Arrange
    const envelope = exampleEvent('PaymentAuthorized', {}, deps);

    // Act
    const event = fromSqsBody(ordersCatalog, JSON.stringify(delivered(envelope)));

    // Assert
    expect(event).toEqual(envelope);
  });

  it('unwraps an SNS notification when raw message delivery is off', () => {
    // Arrange
    const envelope = exampleEvent('PaymentAuthorized', {}, deps);
    const body = JSON.stringify({ Type: 'Notification', Message: JSON.stringify(delivered(envelope)) });

    // Act
    const event = fromSqsBody(ordersCatalog, body);

    // Assert
    expect(event).toEqual(envelope);
  });

  it('rejects a body that is not JSON with a ValidationError for the whole input', () => {
    // Act
    const error = validationErrorOf(() => fromSqsBody(ordersCatalog, '{"detail": '));

    // Assert
    expect(error.path).toBe('');
    expect(error.message).toContain('not valid JSON');
  });
});

describe('fromEventBridgeEvent with bare data (a producer without our envelope)', () => {
  const data = exampleEvent('OrderPlaced', {}, deps).data;
  const bare = (detail: unknown, overrides: Record<string, unknown> = {}) =>
    delivered({ type: 'OrderPlaced', source: 'orders.api' }, { detail, ...overrides });

  it('derives the envelope from the EventBridge event: its id (also the correlation id), time, source and type', () => {
    // Act
    const event = fromEventBridgeEvent(ordersCatalog, bare(data));

    // Assert
    expect(event).toEqual({
      id: 'eb-1',
      type: 'OrderPlaced',
      version: 2,
      source: 'orders.api',
      time: '2026-03-01T10:00:01.000Z',
      correlationId: 'eb-1',
      data,
    });
  });

  it('reads an older version named in detail.version and upcasts it', () => {
    // Arrange
    const { contact, ...rest } = data;
    const v1 = { ...rest, email: 'old@example.com', version: 1 };

    // Act
    const event = fromEventBridgeEvent(ordersCatalog, bare(v1));

    // Assert
    expect(event.version).toBe(2);
    expect(event.data).toMatchObject({ contact: { email: 'old@example.com', channels: ['email'] } });
  });

  it('names the missing field where the producer put the data', () => {
    // Arrange
    const { customerId: _, ...withoutCustomer } = data;

    // Act
    const error = validationErrorOf(() => fromEventBridgeEvent(ordersCatalog, bare(withoutCustomer)));

    // Assert
    expect(error.path).toBe('detail.customerId');
  });

  it('refuses bare data of a type outside the catalog, suggesting the nearest type', () => {
    // Act
    const error = validationErrorOf(() =>
      fromEventBridgeEvent(ordersCatalog, bare(data, { 'detail-type': 'OrderPlacd' })),
    );

    // Assert
    expect(error.path).toBe('detail-type');
    expect(error.message).toMatch(/did you mean OrderPlaced/);
  });

  it('refuses bare data without the EventBridge id it would be identified by', () => {
    // Act
    const error = validationErrorOf(() => fromEventBridgeEvent(ordersCatalog, bare(data, { id: undefined })));

    // Assert
    expect(error.path).toBe('id');
  });

  it('still reads a detail with type and data as an envelope, and reports what that envelope lacks', () => {
    // Act
    const error = validationErrorOf(() =>
      fromEventBridgeEvent(ordersCatalog, bare({ type: 'OrderPlaced', data })),
    );

    // Assert
    expect(error.path).toMatch(/^detail\.(id|version|source|time|correlationId)$/);
  });
});

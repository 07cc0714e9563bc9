import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../shared/kit/errors/pipeline-error.ts';
import {
  entrySize,
  fromEventBridgeEvent,
  fromSqsBody,
  toPutEventsEntry,
} from '../../shared/kit/events/eventbridge.ts';
import { shopCatalog } from '../fakes/test-context.ts';

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
    const envelope = shopCatalog.example('CheckoutCompleted', {}, deps);

    // Act
    const entry = toPutEventsEntry(envelope, 'shop-bus');

    // Assert
    expect(entry).toEqual({
      EventBusName: 'shop-bus',
      Source: 'shop.saga',
      DetailType: 'CheckoutCompleted',
      Detail: JSON.stringify(envelope),
    });
  });

  it('rejects an entry above 256 KB at path Detail', () => {
    // Arrange
    const envelope = {
      ...shopCatalog.example('PaymentRefused', {}, deps),
      metadata: { blob: 'x'.repeat(262_144) },
    };

    // Act
    const error = validationErrorOf(() => toPutEventsEntry(envelope, 'shop-bus'));

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
    const envelope = shopCatalog.example('PaymentRefused', {}, deps);
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
    const envelope = shopCatalog.example('StockReserved', {}, deps);

    // Act
    const event = fromEventBridgeEvent(shopCatalog, delivered(envelope));

    // Assert
    expect(event).toEqual(envelope);
  });

  it('reports data errors under detail', () => {
    // Arrange
    const envelope = shopCatalog.example('StockReserved', {}, deps);
    const broken = { ...envelope, data: { ...envelope.data, lines: [{ sku: 'a', qty: 1.5 }] } };

    // Act
    const error = validationErrorOf(() => fromEventBridgeEvent(shopCatalog, delivered(broken)));

    // Assert
    expect(error.path).toBe('detail.data.lines.0.qty');
  });

  it('rejects an event whose detail-type disagrees with the envelope type', () => {
    // Arrange
    const envelope = shopCatalog.example('StockReserved', {}, deps);

    // Act
    const error = validationErrorOf(() =>
      fromEventBridgeEvent(shopCatalog, delivered(envelope, { 'detail-type': 'StockReleased' })),
    );

    // Assert
    expect(error.path).toBe('detail-type');
  });

  it('rejects an event without detail at path detail', () => {
    // Act
    const error = validationErrorOf(() =>
      fromEventBridgeEvent(shopCatalog, { 'detail-type': 'X', source: 'y' }),
    );

    // Assert
    expect(error.path).toBe('detail');
  });
});

describe('fromSqsBody', () => {
  it('parses an SQS body holding an EventBridge event', () => {
    // Arrange
    const envelope = shopCatalog.example('PaymentTaken', {}, deps);

    // Act
    const event = fromSqsBody(shopCatalog, JSON.stringify(delivered(envelope)));

    // Assert
    expect(event).toEqual(envelope);
  });

  it('unwraps an SNS notification when raw message delivery is off', () => {
    // Arrange
    const envelope = shopCatalog.example('PaymentTaken', {}, deps);
    const body = JSON.stringify({ Type: 'Notification', Message: JSON.stringify(delivered(envelope)) });

    // Act
    const event = fromSqsBody(shopCatalog, body);

    // Assert
    expect(event).toEqual(envelope);
  });

  it('rejects a body that is not JSON with a ValidationError for the whole input', () => {
    // Act
    const error = validationErrorOf(() => fromSqsBody(shopCatalog, '{"detail": '));

    // Assert
    expect(error.path).toBe('');
    expect(error.message).toContain('not valid JSON');
  });
});

describe('fromEventBridgeEvent with bare data (a producer without our envelope)', () => {
  const data = shopCatalog.example('PaymentRequested', {}, deps).data;
  const bare = (detail: unknown, overrides: Record<string, unknown> = {}) =>
    delivered({ type: 'PaymentRequested', source: 'shop.saga' }, { detail, ...overrides });

  it('derives the envelope from the EventBridge event: its id (also the correlation id), time, source and type', () => {
    // Act
    const event = fromEventBridgeEvent(shopCatalog, bare(data));

    // Assert
    expect(event).toEqual({
      id: 'eb-1',
      type: 'PaymentRequested',
      version: 2,
      source: 'shop.saga',
      time: '2026-03-01T10:00:01.000Z',
      correlationId: 'eb-1',
      data,
    });
  });

  it('reads an older version named in detail.version and upcasts it', () => {
    // Arrange
    const v1 = { cartId: 'cart-old', amount: 7, version: 1 };

    // Act
    const event = fromEventBridgeEvent(shopCatalog, bare(v1));

    // Assert
    expect(event.version).toBe(2);
    expect(event.data).toEqual({ cartId: 'cart-old', amount: 7, currency: 'EUR' });
  });

  it('names the missing field where the producer put the data', () => {
    // Arrange
    const { amount: _, ...withoutAmount } = data;

    // Act
    const error = validationErrorOf(() => fromEventBridgeEvent(shopCatalog, bare(withoutAmount)));

    // Assert
    expect(error.path).toBe('detail.amount');
  });

  it('refuses bare data of a type outside the catalog, suggesting the nearest type', () => {
    // Act
    const error = validationErrorOf(() =>
      fromEventBridgeEvent(shopCatalog, bare(data, { 'detail-type': 'PaymentRequestd' })),
    );

    // Assert
    expect(error.path).toBe('detail-type');
    expect(error.message).toMatch(/did you mean PaymentRequested/);
  });

  it('refuses bare data without the EventBridge id it would be identified by', () => {
    // Act
    const error = validationErrorOf(() => fromEventBridgeEvent(shopCatalog, bare(data, { id: undefined })));

    // Assert
    expect(error.path).toBe('id');
  });

  it('still reads a detail with type and data as an envelope, and reports what that envelope lacks', () => {
    // Act
    const error = validationErrorOf(() =>
      fromEventBridgeEvent(shopCatalog, bare({ type: 'PaymentRequested', data })),
    );

    // Assert
    expect(error.path).toMatch(/^detail\.(id|version|source|time|correlationId)$/);
  });
});

import { describe, expect, it } from 'vitest';
import {
  causedBy,
  createEvent,
  definitionOf,
  exampleEvent,
  parseEvent,
} from '../../shared/contexts/orders/events/catalog.ts';
import { ValidationError } from '../../shared/kit/errors/pipeline-error.ts';

const fixedDeps = { now: () => new Date('2026-03-01T10:00:00.000Z'), newId: () => 'evt-1' };

/** A wire-shaped event (plain JSON) of the newest OrderPlaced version. */
function wireOrderPlaced(): Record<string, unknown> {
  return JSON.parse(JSON.stringify(exampleEvent('OrderPlaced', {}, fixedDeps)));
}

/** Runs `act` and returns the ValidationError it throws (failing the test otherwise). */
function validationErrorOf(act: () => unknown): ValidationError {
  try {
    act();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError, nothing was thrown');
}

describe('parseEvent', () => {
  it('returns a valid newest-version event unchanged', () => {
    // Arrange
    const wire = wireOrderPlaced();

    // Act
    const event = parseEvent(wire);

    // Assert
    expect(event).toEqual(wire);
  });

  it('upcasts an OrderPlaced v1 to v2, moving the email into contact', () => {
    // Arrange
    const v1Data = definitionOf('OrderPlaced').previous[0]?.example as Record<string, unknown>;
    const wire = { ...wireOrderPlaced(), version: 1, data: v1Data };

    // Act
    const event = parseEvent(wire);

    // Assert
    expect(event.version).toBe(2);
    expect(event.type === 'OrderPlaced' && event.data.contact).toEqual({
      email: v1Data.email,
      channels: ['email'],
    });
    expect(event.data).not.toHaveProperty('email');
  });

  it('validates v1 data against the v1 schema before upcasting', () => {
    // Arrange
    const v1Data = definitionOf('OrderPlaced').previous[0]?.example as Record<string, unknown>;
    const wire = { ...wireOrderPlaced(), version: 1, data: { ...v1Data, email: 'not-an-email' } };

    // Act
    const error = validationErrorOf(() => parseEvent(wire));

    // Assert
    expect(error.path).toBe('data.email');
  });

  it('rejects an unknown type at path type and suggests the nearest catalog name', () => {
    // Arrange
    const wire = { ...wireOrderPlaced(), type: 'OrderPlacd' };

    // Act
    const error = validationErrorOf(() => parseEvent(wire));

    // Assert
    expect(error.path).toBe('type');
    expect(error.message).toContain('did you mean OrderPlaced');
  });

  it('lists all catalog names when nothing is close to an unknown type', () => {
    // Arrange
    const wire = { ...wireOrderPlaced(), type: 'Zzz' };

    // Act
    const error = validationErrorOf(() => parseEvent(wire));

    // Assert
    expect(error.message).toContain('known types: OrderPlaced, InventoryReserved');
  });

  it('rejects an unknown version at path version and lists the known versions', () => {
    // Arrange
    const wire = { ...wireOrderPlaced(), version: 9 };

    // Act
    const error = validationErrorOf(() => parseEvent(wire));

    // Assert
    expect(error.path).toBe('version');
    expect(error.message).toContain('known versions: 1, 2');
  });

  it('names the offending data field when the data breaks the schema', () => {
    // Arrange
    const wire = wireOrderPlaced();
    const data = wire.data as { items: { qty: number }[] };
    data.items[0] = { ...data.items[0], qty: 0 } as { qty: number };

    // Act
    const error = validationErrorOf(() => parseEvent(wire));

    // Assert
    expect(error.path).toBe('data.items.0.qty');
    expect(error.code).toBe('VALIDATION');
    expect(error.retryable).toBe(false);
  });

  it('requires the address of every chosen notification channel', () => {
    // Arrange
    const wire = wireOrderPlaced();
    (wire.data as { contact: unknown }).contact = { email: 'a@example.com', channels: ['email', 'sms'] };

    // Act
    const error = validationErrorOf(() => parseEvent(wire));

    // Assert
    expect(error.path).toBe('data.contact.phone');
  });

  it('rejects a lowercase currency code', () => {
    // Arrange
    const wire = { ...wireOrderPlaced(), data: { ...(wireOrderPlaced().data as object), currency: 'eur' } };

    // Act
    const error = validationErrorOf(() => parseEvent(wire));

    // Assert
    expect(error.path).toBe('data.currency');
    expect(error.message).toContain('ISO 4217');
  });

  it('rejects an event without an id at path id', () => {
    // Arrange
    const { id: _dropped, ...wire } = wireOrderPlaced();

    // Act
    const error = validationErrorOf(() => parseEvent(wire));

    // Assert
    expect(error.path).toBe('id');
  });

  it('rejects a value that is not an object', () => {
    // Act
    const error = validationErrorOf(() => parseEvent(['not', 'an', 'event']));

    // Assert
    expect(error.path).toBe('');
    expect(error.message).toContain('must be a JSON object');
  });

  it('prefixes every error path with the given pathPrefix', () => {
    // Arrange
    const wire = { ...wireOrderPlaced(), version: 0 };

    // Act
    const error = validationErrorOf(() => parseEvent(wire, { pathPrefix: 'detail' }));

    // Assert
    expect(error.path).toBe('detail.version');
  });
  it('refuses an event above the 256 KB entry limit at the path prefix, though the bus takes 1 MB', () => {
    // Arrange: valid data made large by a long payment token.
    const big = exampleEvent('OrderPlaced');
    const value = { ...big, data: { ...big.data, paymentToken: 'x'.repeat(300_000) } };

    // Act
    const parse = () => parseEvent(value, { pathPrefix: 'detail' });

    // Assert
    expect(parse).toThrow(ValidationError);
    expect(parse).toThrow(/^detail: event is \d+ bytes, above the limit of 262144 bytes/);
  });

  it('refuses an event whose opaque metadata is nested too deeply to serialize, as a validation error', () => {
    // Arrange: metadata is a free-form record; 20,000 nested arrays parse but do not stringify.
    const metadata = JSON.parse(`{"deep":${'['.repeat(20_000)}${']'.repeat(20_000)}}`);
    const value = { ...exampleEvent('OrderPlaced'), metadata };

    // Act
    const parse = () => parseEvent(value, { pathPrefix: 'detail' });

    // Assert
    expect(parse).toThrow(ValidationError);
    expect(parse).toThrow('detail: event cannot be serialized (nested too deeply)');
  });
});

describe('createEvent', () => {
  it('builds a newest-version envelope with the catalog source and injected id and clock', () => {
    // Arrange
    const data = { orderId: 'ord-1', channel: 'sms' as const };

    // Act
    const event = createEvent('NotificationSent', data, { correlationId: 'corr-1' }, fixedDeps);

    // Assert
    expect(event).toEqual({
      id: 'evt-1',
      type: 'NotificationSent',
      version: 1,
      source: 'orders.notifications',
      time: '2026-03-01T10:00:00.000Z',
      correlationId: 'corr-1',
      data,
    });
  });

  it('uses random UUIDs and the wall clock by default', () => {
    // Act
    const event = createEvent('PaymentDeclined', { orderId: 'o', reason: 'r' }, { correlationId: 'c' });

    // Assert
    expect(event.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(event.time)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('takes correlation and causation from the event that caused it', () => {
    // Arrange
    const placed = exampleEvent('OrderPlaced', {}, fixedDeps);

    // Act
    const reserved = createEvent(
      'InventoryReserved',
      { orderId: 'o', items: [{ sku: 's', qty: 1 }] },
      causedBy(placed),
    );

    // Assert
    expect(reserved.correlationId).toBe(placed.correlationId);
    expect(reserved.causationId).toBe(placed.id);
  });

  it('rejects an empty correlationId at path correlationId', () => {
    // Act
    const error = validationErrorOf(() =>
      createEvent('PaymentDeclined', { orderId: 'o', reason: 'r' }, { correlationId: '' }),
    );

    // Assert
    expect(error.path).toBe('correlationId');
  });

  it('rejects invalid data at its field path', () => {
    // Act
    const error = validationErrorOf(() =>
      createEvent(
        'PaymentAuthorized',
        { orderId: 'o', authorizationId: 'a', amount: -1, currency: 'EUR' },
        {
          correlationId: 'c',
        },
      ),
    );

    // Assert
    expect(error.path).toBe('data.amount');
  });

  it('rejects data that would not fit one EventBridge entry at path data', () => {
    // Arrange
    const reason = 'x'.repeat(300 * 1024);

    // Act
    const error = validationErrorOf(() =>
      createEvent('PaymentDeclined', { orderId: 'o', reason }, { correlationId: 'c' }),
    );

    // Assert
    expect(error.path).toBe('data');
    expect(error.message).toContain('262144');
  });
});

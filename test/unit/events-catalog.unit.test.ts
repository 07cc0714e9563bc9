import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import {
  catalogVersions,
  definitionOf,
  describeCatalog,
  EVENT_SOURCES,
  type EventData,
  eventTypes,
} from '../../shared/contexts/orders/events/catalog.ts';
import { defineEvent, previousVersion } from '../../shared/kit/events/define.ts';
import { editDistance, nearestNames } from '../../shared/kit/events/suggest.ts';

describe('event catalog', () => {
  it('holds exactly the reference event types', () => {
    // Assert
    expect([...eventTypes].sort()).toEqual([
      'InventoryReleaseRequested',
      'InventoryReleased',
      'InventoryReservationFailed',
      'InventoryReservationRequested',
      'InventoryReserved',
      'NotificationSent',
      'OrderCancelled',
      'OrderConfirmed',
      'OrderPlaced',
      'OrderRejected',
      'PaymentAuthorizationRequested',
      'PaymentAuthorized',
      'PaymentDeclined',
      'PaymentVoidRequested',
      'PaymentVoided',
      'SagaStepTimedOut',
    ]);
  });

  it.each(catalogVersions().map((entry) => [`${entry.type} v${entry.version}`, entry] as const))(
    'has a valid example for %s',
    (_name, entry) => {
      // Act
      const result = z.safeParse(entry.schema, entry.example);

      // Assert
      expect(result.error).toBeUndefined();
    },
  );

  it('gives every order event a known source under orders., the kit saga timer excepted', () => {
    // Assert: the timer is the kit's one definition; its envelopes carry `orders.saga` (see saga timers).
    for (const type of eventTypes.filter((t) => t !== 'SagaStepTimedOut')) {
      expect(EVENT_SOURCES).toContain(definitionOf(type).source);
      expect(definitionOf(type).source.startsWith('orders.')).toBe(true);
    }
    expect(definitionOf('SagaStepTimedOut').source).toBe('pipeline.saga');
  });

  it('keeps OrderPlaced v1 and makes v2 the newest version', () => {
    // Act
    const rows = describeCatalog().filter((row) => row.type === 'OrderPlaced');

    // Assert
    expect(rows.map(({ version, latest }) => ({ version, latest }))).toEqual([
      { version: 1, latest: false },
      { version: 2, latest: true },
    ]);
  });

  it('describes every version with its source and a description', () => {
    // Act
    const rows = describeCatalog();

    // Assert
    expect(rows).toHaveLength(17);
    expect(rows).toContainEqual({
      type: 'NotificationSent',
      version: 1,
      latest: true,
      source: 'orders.notifications',
      description: expect.any(String),
    });
  });

  it('types EventData from the newest schema', () => {
    // Arrange
    const data: EventData<'OrderPlaced'> = definitionOf('OrderPlaced').example;

    // Assert
    expect(data.contact.channels).toEqual(['email']);
  });
});

describe('defineEvent', () => {
  const v1 = z.object({ a: z.string() });
  const v3 = z.object({ b: z.string() });

  it('refuses a version chain with a gap', () => {
    // Arrange
    const gap = previousVersion(v3, {
      version: 1,
      description: 'v1',
      schema: v1,
      example: { a: 'x' },
      upcast: ({ a }) => ({ b: a }),
    });

    // Act
    const define = () =>
      defineEvent({
        type: 'Gappy',
        source: 'orders.api',
        description: 'd',
        version: 3,
        schema: v3,
        example: { b: 'x' },
        previous: [gap],
      });

    // Assert
    expect(define).toThrow(/contiguous/);
  });
});

describe('nearestNames', () => {
  it('measures edit distance by insertions, deletions and substitutions', () => {
    // Assert
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('finds names that differ by case or a few letters, nearest first', () => {
    // Act
    const near = nearestNames('paymentdeclind', eventTypes);

    // Assert
    expect(near[0]).toBe('PaymentDeclined');
  });
});

import { describe, expect, it } from 'vitest';
import { toBatches } from '../../functions/outbox-publisher/batches.ts';

describe('outbox publisher: batching', () => {
  const item = (bytes: number) => ({
    entry: { Source: 's', DetailType: 'T', Detail: 'x'.repeat(bytes - 2) },
  });

  it('keeps the order and never exceeds the entry count or the byte limit', () => {
    // Arrange
    const items = [item(40), item(40), item(40), item(30)];

    // Act
    const batches = toBatches(items, { maxEntries: 3, maxBytes: 100 });

    // Assert
    expect(batches).toEqual([
      [items[0], items[1]],
      [items[2], items[3]],
    ]);
  });

  it('gives an entry that is alone over the byte limit a request of its own', () => {
    // Arrange
    const items = [item(10), item(500), item(10)];

    // Act
    const batches = toBatches(items, { maxBytes: 100 });

    // Assert
    expect(batches.map((b) => b.length)).toEqual([1, 1, 1]);
  });

  it('rejects more than 10 entries per request, the PutEvents maximum', () => {
    expect(() => toBatches([], { maxEntries: 11 })).toThrow(RangeError);
  });
});

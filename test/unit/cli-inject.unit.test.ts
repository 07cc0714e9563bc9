import { describe, expect, it } from 'vitest';
import { buildEvents, fillPlaceholders } from '../../cli/ops/inject.ts';
import { CliError } from '../../cli/output.ts';
import { definitionOf } from '../../shared/contexts/orders/events/catalog.ts';

describe('pipeline inject: placeholders and bad data', () => {
  it('fills {{seq}} and {{uuid}} in every string, keeping keys in order and other values as they are', () => {
    // Arrange
    const template = {
      orderId: 'ord-{{seq}}',
      n: 3,
      ok: true,
      none: null,
      items: [{ sku: 'S-{{seq}}' }],
      id: '{{uuid}}',
    };

    // Act
    const filled = fillPlaceholders(template, 7) as Record<string, unknown>;

    // Assert
    expect(Object.keys(filled)).toEqual(Object.keys(template));
    expect(filled).toMatchObject({ orderId: 'ord-7', n: 3, ok: true, none: null, items: [{ sku: 'S-7' }] });
    expect(filled.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(template.orderId).toBe('ord-{{seq}}');
  });

  it('keeps a "__proto__" key as data and leaves the prototype alone', () => {
    // Arrange
    const template = JSON.parse('{"__proto__": {"admin": "{{seq}}"}, "a": 1}');

    // Act
    const filled = fillPlaceholders(template, 1) as Record<string, unknown>;

    // Assert
    expect(Object.getPrototypeOf(filled)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(filled, '__proto__')?.value).toEqual({ admin: '1' });
    expect((filled as { admin?: unknown }).admin).toBeUndefined();
  });

  it('walks data nested 100,000 levels deep without overflowing the stack', () => {
    // Arrange
    const deep = JSON.parse(`${'['.repeat(100_000)}"{{seq}}"${']'.repeat(100_000)}`);

    // Act
    let filled = fillPlaceholders(deep, 5);

    // Assert
    for (let i = 0; i < 100_000; i++) filled = (filled as unknown[])[0];
    expect(filled).toBe('5');
  });

  it('refuses deeply nested data with a CLI error naming the field, not a crash', () => {
    // Arrange
    const data = {
      ...(definitionOf('OrderPlaced').example as object),
      customerId: JSON.parse(`${'['.repeat(10_000)}${']'.repeat(10_000)}`),
    };

    // Act
    const build = () => buildEvents('OrderPlaced', data, 1);

    // Assert
    expect(build).toThrow(CliError);
    expect(build).toThrow(
      /Invalid OrderPlaced event: data\.customerId: Invalid input: expected string, received array/,
    );
  });
});

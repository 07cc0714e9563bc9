import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { pipelineCatalog } from '../../shared/contexts/index.ts';
import { defineCatalog } from '../../shared/kit/events/catalog.ts';
import {
  breakingChanges,
  type CatalogBaseline,
  catalogBaseline,
  checkCatalog,
  type Schema,
} from '../../shared/kit/events/compatibility.ts';
import { defineEvent } from '../../shared/kit/events/define.ts';
import { CartCheckedOut, ItemRemoved, shopCatalog } from '../fakes/test-context.ts';

/** The JSON Schema zod emits for a data schema (draft-07, input side), as the baseline stores it. */
const json = (schema: z.ZodType) => z.toJSONSchema(schema, { target: 'draft-07', io: 'input' }) as Schema;

/** The rules a change from `before` to `after` breaks, as `path: rule`. */
const broken = (before: z.ZodType, after: z.ZodType) =>
  breakingChanges(json(before), json(after)).map((c) => `${c.path}: ${c.rule}`);

/** The shop catalog with ItemAdded v1 defined by `schema` instead (the other events as they are). */
function shopWithItemAdded(schema: z.ZodObject) {
  const changed = defineEvent({
    type: 'ItemAdded',
    source: 'shop.cart',
    description: 'An item was put in a cart.',
    version: 1,
    schema,
    example: { cartId: 'cart-1', sku: 'SKU-RED-MUG', qty: 2 },
  });
  return defineCatalog('shop', [changed, ItemRemoved, CartCheckedOut]);
}

const itemAdded = { cartId: z.string().min(1), sku: z.string().min(1), qty: z.number().int().positive() };

describe('event schema compatibility: each rule with a before/after pair', () => {
  it('passes an added optional field, a widened type, a relaxed bound, an added enum value', () => {
    expect(
      broken(z.object({ a: z.string() }), z.object({ a: z.string(), b: z.string().optional() })),
    ).toEqual([]);
    expect(broken(z.object({ n: z.number().int() }), z.object({ n: z.number() }))).toEqual([]);
    expect(broken(z.object({ n: z.number().min(5) }), z.object({ n: z.number().min(1) }))).toEqual([]);
    expect(broken(z.object({ c: z.enum(['a', 'b']) }), z.object({ c: z.enum(['a', 'b', 'c']) }))).toEqual([]);
    expect(broken(z.object({ a: z.string() }), z.object({ a: z.string().optional() }))).toEqual([]);
  });

  it('refuses a removed or renamed field, naming its path', () => {
    expect(broken(z.object({ a: z.string(), b: z.string() }), z.object({ a: z.string() }))).toEqual([
      'b: field-removed',
    ]);
    expect(broken(z.object({ name: z.string() }), z.object({ fullName: z.string() }))).toEqual([
      'fullName: now-required',
      'name: field-removed',
    ]);
  });

  it('refuses a field turned required and a new required field', () => {
    expect(broken(z.object({ a: z.string().optional() }), z.object({ a: z.string() }))).toEqual([
      'a: now-required',
    ]);
    const detail = breakingChanges(json(z.object({})), json(z.object({ b: z.string() })))[0]?.detail;
    expect(detail).toBe('a new required field');
  });

  it('refuses a narrowed type, nested in arrays too', () => {
    // zod's int also bounds the value to safe integers: two tightened bounds besides.
    expect(broken(z.object({ n: z.number() }), z.object({ n: z.number().int() }))).toContain(
      'n: type-narrowed',
    );
    expect(broken(z.object({ n: z.union([z.string(), z.number()]) }), z.object({ n: z.string() }))).toContain(
      'n: type-narrowed',
    );
    expect(
      broken(
        z.object({ lines: z.array(z.object({ qty: z.number() })) }),
        z.object({ lines: z.array(z.object({ qty: z.string() })) }),
      ),
    ).toEqual(['lines[].qty: type-narrowed']);
  });

  it('refuses a removed enum value, an enum where there was none, and a changed constant', () => {
    expect(broken(z.object({ c: z.enum(['a', 'b']) }), z.object({ c: z.enum(['a']) }))).toEqual([
      'c: enum-narrowed',
    ]);
    expect(broken(z.object({ c: z.string() }), z.object({ c: z.enum(['a']) }))).toEqual(['c: enum-narrowed']);
    expect(broken(z.object({ k: z.literal('x') }), z.object({ k: z.literal('y') }))).toEqual([
      'k: const-changed',
    ]);
  });

  it('refuses tighter bounds, lengths and item counts, a new pattern or format, and closing to extra fields', () => {
    expect(broken(z.object({ n: z.number().min(1) }), z.object({ n: z.number().min(2) }))).toEqual([
      'n: bound-tightened',
    ]);
    expect(broken(z.object({ n: z.number().nonnegative() }), z.object({ n: z.number().positive() }))).toEqual(
      ['n: bound-tightened'],
    );
    expect(broken(z.object({ n: z.number() }), z.object({ n: z.number().max(10) }))).toEqual([
      'n: bound-tightened',
    ]);
    expect(broken(z.object({ s: z.string().max(10) }), z.object({ s: z.string().max(5) }))).toEqual([
      's: bound-tightened',
    ]);
    expect(broken(z.object({ l: z.array(z.string()) }), z.object({ l: z.array(z.string()).min(1) }))).toEqual(
      ['l: bound-tightened'],
    );
    expect(broken(z.object({ s: z.string() }), z.object({ s: z.string().regex(/^[A-Z]+$/) }))).toEqual([
      's: pattern-changed',
    ]);
    expect(broken(z.object({ s: z.string() }), z.object({ s: z.string().url() }))).toEqual(
      expect.arrayContaining(['s: format-added']),
    );
    expect(broken(z.object({ a: z.string() }).loose(), z.object({ a: z.string() }).strict())).toEqual([
      ': closed-to-extra-fields',
    ]);
  });
});

describe('pipeline catalog check: the catalog against a committed baseline', () => {
  const baseline = catalogBaseline(shopWithItemAdded(z.object(itemAdded)));

  it('passes the catalog it was written from, and names versions the baseline does not hold yet', () => {
    // Act
    const result = checkCatalog(shopCatalog, baseline);

    // Assert
    expect(result.breaking).toEqual([]);
    expect(result.checked).toBe(3);
    expect(result.notInBaseline).toContain('StockReserved.v1');
  });

  it('fails a deliberately breaking edit of a fixture event, naming the event, version and field path', () => {
    // Arrange: qty becomes text, sku is dropped.
    const edited = shopWithItemAdded(z.object({ cartId: itemAdded.cartId, qty: z.string() }));

    // Act
    const result = checkCatalog(edited, baseline);

    // Assert
    expect(result.breaking.map((c) => `${c.event} ${c.path}: ${c.rule}`)).toEqual([
      'ItemAdded.v1 data.sku: field-removed',
      'ItemAdded.v1 data.qty: type-narrowed',
    ]);
  });

  it('fails a version the catalog no longer defines', () => {
    const withoutCheckout = defineCatalog('shop', [ItemRemoved]);

    const result = checkCatalog(withoutCheckout, baseline);

    expect(result.breaking.map((c) => `${c.event}: ${c.rule}`)).toEqual(
      expect.arrayContaining(['ItemAdded.v1: version-removed', 'CartCheckedOut.v1: version-removed']),
    );
  });

  it('holds every context of the pipeline to the committed baseline (shared/contexts/catalog.baseline.json)', () => {
    const committed = JSON.parse(
      readFileSync(new URL('../../shared/contexts/catalog.baseline.json', import.meta.url), 'utf8'),
    ) as CatalogBaseline;

    const result = checkCatalog(pipelineCatalog, committed);

    expect(result.breaking).toEqual([]);
    expect(result.notInBaseline).toEqual([]);
  });
});

import type { AnyCatalog } from './catalog.ts';
import { toJsonSchemas } from './json-schema.ts';

/**
 * Schema compatibility of the event catalog against a committed baseline. An event version is a
 * contract: events of it are stored forever and read again (replays, rebuilds, upcasting), and
 * consumers in other repositories rely on its fields. A change to an existing version must therefore
 * keep accepting everything it accepted and keep every field it had; anything else needs a new version
 * and an upcaster. Adding a version, or an optional field to one, is compatible.
 */

/** JSON Schema keywords this check reads (what zod emits for the catalog, draft-07). */
export interface Schema {
  readonly type?: string | readonly string[];
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly required?: readonly string[];
  readonly items?: Schema;
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly pattern?: string;
  readonly format?: string;
  readonly additionalProperties?: boolean | Schema;
  readonly minimum?: number;
  readonly exclusiveMinimum?: number;
  readonly maximum?: number;
  readonly exclusiveMaximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
}

/** The rules a change to an existing event version can break. */
export type CompatibilityRule =
  | 'version-removed'
  | 'field-removed'
  | 'now-required'
  | 'type-narrowed'
  | 'enum-narrowed'
  | 'const-changed'
  | 'bound-tightened'
  | 'pattern-changed'
  | 'format-added'
  | 'closed-to-extra-fields';

/** One breaking change: where, which rule, what changed. */
export interface BreakingChange {
  /** `<Type>.v<version>`. */
  readonly event: string;
  /** Field path inside the envelope, e.g. `data.items[].qty`; empty for the event version itself. */
  readonly path: string;
  readonly rule: CompatibilityRule;
  readonly detail: string;
}

/** The committed baseline: every event version's JSON Schema, by `<Type>.v<version>`. */
export interface CatalogBaseline {
  readonly comment: string;
  readonly schemas: Readonly<Record<string, Record<string, unknown>>>;
}

/** What {@link checkCatalog} found. */
export interface CatalogCheck {
  readonly breaking: readonly BreakingChange[];
  /** Versions in the catalog the baseline does not hold yet (compatible; baseline them to protect them). */
  readonly notInBaseline: readonly string[];
  readonly checked: number;
}

/** The baseline of `catalog` as it is now, for `pipeline catalog baseline`. */
export function catalogBaseline(catalog: AnyCatalog): CatalogBaseline {
  const schemas: Record<string, Record<string, unknown>> = {};
  for (const { name, schema } of toJsonSchemas(catalog, { target: 'draft-07' })) schemas[name] = schema;
  return {
    comment:
      'Written by `pipeline catalog baseline`; `pipeline catalog check` (npm test) fails when an event version stops accepting what it accepted here.',
    schemas,
  };
}

/** Compares every version of the baseline with the catalog's current schema of that version. */
export function checkCatalog(catalog: AnyCatalog, baseline: CatalogBaseline): CatalogCheck {
  const current = catalogBaseline(catalog).schemas;
  const breaking: BreakingChange[] = [];
  for (const [event, before] of Object.entries(baseline.schemas)) {
    const after = current[event];
    if (after === undefined) {
      breaking.push({
        event,
        path: '',
        rule: 'version-removed',
        detail: 'the catalog no longer defines this version',
      });
      continue;
    }
    breaking.push(...breakingChanges(before as Schema, after as Schema).map((c) => ({ event, ...c })));
  }
  return {
    breaking,
    notInBaseline: Object.keys(current).filter((name) => baseline.schemas[name] === undefined),
    checked: Object.keys(baseline.schemas).length,
  };
}

/** What to do about a breaking change, for the command's hint. */
export function breakingChangeAdvice(change: BreakingChange): string {
  const [type, version] = change.event.split('.v');
  const next = Number(version) + 1;
  return change.rule === 'version-removed'
    ? `Keep ${change.event} in the catalog (stored events of it are read again) and upcast it to the newest version.`
    : `Leave ${change.event} as it was and add ${type} v${next} with an upcaster from v${version}; only if no ${change.event} event was ever stored or sent, run \`pipeline catalog baseline\`.`;
}

/** Type names a schema accepts; `integer` is a subset of `number`. */
function typesOf(schema: Schema): Set<string> | undefined {
  if (schema.type === undefined) return undefined;
  return new Set(typeof schema.type === 'string' ? [schema.type] : schema.type);
}

function accepts(types: Set<string>, type: string): boolean {
  return types.has(type) || (type === 'integer' && types.has('number'));
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The lower bound a schema sets, as [value, exclusive]; undefined when none. */
function lower(schema: Schema): [number, boolean] | undefined {
  if (schema.exclusiveMinimum !== undefined) return [schema.exclusiveMinimum, true];
  if (schema.minimum !== undefined) return [schema.minimum, false];
  return undefined;
}

function upper(schema: Schema): [number, boolean] | undefined {
  if (schema.exclusiveMaximum !== undefined) return [schema.exclusiveMaximum, true];
  if (schema.maximum !== undefined) return [schema.maximum, false];
  return undefined;
}

/** True when `after` lets through less on its side than `before` (`side` 1: lower bound, -1: upper). */
function tighter(before: [number, boolean] | undefined, after: [number, boolean] | undefined, side: 1 | -1) {
  if (after === undefined) return false;
  if (before === undefined) return true;
  const [b, bExclusive] = before;
  const [a, aExclusive] = after;
  return side * (a - b) > 0 || (a === b && aExclusive && !bExclusive);
}

function describeBound(bound: [number, boolean] | undefined, side: 1 | -1): string {
  if (bound === undefined) return 'none';
  return `${side === 1 ? (bound[1] ? '>' : '≥') : bound[1] ? '<' : '≤'} ${bound[0]}`;
}

/**
 * The breaking changes from `before` to `after` at `path`: whatever `before` accepted that `after`
 * refuses, and every field `before` had that `after` dropped.
 */
export function breakingChanges(before: Schema, after: Schema, path = ''): Omit<BreakingChange, 'event'>[] {
  const found: Omit<BreakingChange, 'event'>[] = [];
  const at = (rule: CompatibilityRule, detail: string) => found.push({ path, rule, detail });

  const beforeTypes = typesOf(before);
  const afterTypes = typesOf(after);
  if (afterTypes !== undefined) {
    const lost =
      beforeTypes === undefined ? ['any'] : [...beforeTypes].filter((t) => !accepts(afterTypes, t));
    if (lost.length > 0)
      at('type-narrowed', `${[...(beforeTypes ?? ['any'])].join('|')} → ${[...afterTypes].join('|')}`);
  }
  if (after.enum !== undefined) {
    const removed =
      before.enum === undefined ? undefined : before.enum.filter((v) => !after.enum?.some((w) => same(v, w)));
    if (removed === undefined) at('enum-narrowed', `any value → one of ${JSON.stringify(after.enum)}`);
    else if (removed.length > 0)
      at('enum-narrowed', `no longer accepts ${removed.map((v) => JSON.stringify(v)).join(', ')}`);
  }
  if (after.const !== undefined && !same(before.const, after.const))
    at(
      'const-changed',
      `${before.const === undefined ? 'any value' : JSON.stringify(before.const)} → ${JSON.stringify(after.const)}`,
    );
  if (tighter(lower(before), lower(after), 1))
    at(
      'bound-tightened',
      `lower bound ${describeBound(lower(before), 1)} → ${describeBound(lower(after), 1)}`,
    );
  if (tighter(upper(before), upper(after), -1))
    at(
      'bound-tightened',
      `upper bound ${describeBound(upper(before), -1)} → ${describeBound(upper(after), -1)}`,
    );
  for (const [key, label, side] of [
    ['minLength', 'minimum length', 1],
    ['maxLength', 'maximum length', -1],
    ['minItems', 'minimum items', 1],
    ['maxItems', 'maximum items', -1],
  ] as const) {
    const b = before[key];
    const a = after[key];
    if (a !== undefined && (b === undefined || side * (a - b) > 0))
      at('bound-tightened', `${label} ${b ?? 'none'} → ${a}`);
  }
  if (after.pattern !== undefined && after.pattern !== before.pattern)
    at(
      'pattern-changed',
      `${before.pattern === undefined ? 'no pattern' : `/${before.pattern}/`} → /${after.pattern}/`,
    );
  if (after.format !== undefined && after.format !== before.format)
    at('format-added', `${before.format ?? 'no format'} → ${after.format}`);
  if (after.additionalProperties === false && before.additionalProperties !== false)
    at('closed-to-extra-fields', 'extra fields were accepted and are now refused');

  const beforeRequired = new Set(before.required ?? []);
  for (const name of after.required ?? []) {
    if (!beforeRequired.has(name))
      found.push({
        path: join(path, name),
        rule: 'now-required',
        detail: before.properties?.[name] === undefined ? 'a new required field' : 'optional → required',
      });
  }
  for (const [name, field] of Object.entries(before.properties ?? {})) {
    const next = after.properties?.[name];
    if (next === undefined) {
      found.push({ path: join(path, name), rule: 'field-removed', detail: 'removed (or renamed)' });
      continue;
    }
    found.push(...breakingChanges(field, next, join(path, name)));
  }
  if (before.items !== undefined && after.items !== undefined)
    found.push(...breakingChanges(before.items, after.items, `${path}[]`));
  return found;
}

function join(path: string, name: string): string {
  return path === '' ? name : `${path}.${name}`;
}

import { ValidationError } from '../errors/pipeline-error.ts';
import type { AnyCatalog, Catalog, DataOf, Definitions, TypeOf } from './catalog.ts';
import { valuesAt } from './data-path.ts';
import type { EventEnvelope } from './envelope.ts';
import { storedPatternFilter } from './stored.ts';

type Scalar = string | number | boolean | null;

/** EventBridge content filters (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html). */
export type ContentFilter =
  | { readonly prefix: string | { readonly 'equals-ignore-case': string } }
  | { readonly suffix: string | { readonly 'equals-ignore-case': string } }
  | { readonly 'equals-ignore-case': string }
  | { readonly wildcard: string }
  | { readonly 'anything-but': Scalar | readonly Scalar[] | { readonly prefix: string } }
  | { readonly numeric: readonly (string | number)[] }
  | { readonly exists: boolean }
  | { readonly cidr: string };

/** One allowed value of a field in an event pattern. */
export type PatternValue = Scalar | ContentFilter;

/**
 * Pattern over event data: field names must exist on the data type, so a misspelled field is a compile
 * error. Objects nest; arrays of objects match when any element matches, as EventBridge does.
 */
export type DataPattern<D> = {
  readonly [K in keyof D]?: NonNullable<D[K]> extends readonly (infer E)[]
    ? E extends object
      ? DataPattern<E>
      : readonly PatternValue[]
    : NonNullable<D[K]> extends object
      ? DataPattern<NonNullable<D[K]>>
      : readonly PatternValue[];
};

/** An EventBridge event pattern, as written in a rule's JSON. */
export interface EventBridgePattern {
  readonly source?: readonly string[];
  readonly 'detail-type': readonly string[];
  readonly detail?: {
    readonly data?: Readonly<Record<string, unknown>>;
    readonly metadata?: Readonly<Record<string, unknown>>;
  };
}

/** Options of {@link eventBridgePattern}. */
export interface PatternOptions<D extends Definitions, T extends TypeOf<D>> {
  /** The catalog defining `types` (and their owners, the default sources). */
  readonly catalog: Catalog<D>;
  readonly types: readonly T[];
  /**
   * `'any'` matches every source (an intake takes a command from whichever producer put it on the
   * pipeline's own bus). @default the owners of `types` in the catalog
   */
  readonly sources?: readonly string[] | 'any';
  /** Filter on the envelope's `data` (under `detail.data` in the EventBridge event). */
  readonly data?: DataPattern<DataOf<D, T>>;
  /**
   * `true`: only events the outbox published from the event store (they carry its mark, see
   * `stored.ts`); `false`: only events that were not stored yet (producers' commands, for their
   * intake). @default either
   */
  readonly stored?: boolean;
}

function uniqueTypes<T extends string>(catalog: AnyCatalog, types: readonly T[]): T[] {
  if (types.length === 0) throw new ValidationError('at least one event type is required', 'types');
  // The type system already rejects misspellings; this catches casts and plain-JS callers.
  types.forEach((type, index) => {
    if (!catalog.isType(type)) throw catalog.unknownTypeError(type, `types.${index}`);
  });
  return [...new Set(types)];
}

/** Owners of the given types in `catalog`, sorted and without duplicates. */
export function sourcesOf(catalog: AnyCatalog, types: readonly string[]): string[] {
  return [...new Set(types.map((type) => catalog.definitionOf(type).source as string))].sort();
}

/**
 * Builds the event pattern of a rule that matches the given catalog events. Matching on `source` as
 * well as `detail-type` keeps a rule from picking up another product's event of the same name.
 */
export function eventBridgePattern<D extends Definitions, const T extends TypeOf<D>>(
  options: PatternOptions<D, T>,
): EventBridgePattern {
  const types = uniqueTypes(options.catalog, options.types);
  const sources =
    options.sources === 'any'
      ? undefined
      : options.sources
        ? [...new Set(options.sources)]
        : sourcesOf(options.catalog, types);
  const detail = {
    ...(options.data === undefined ? {} : { data: options.data }),
    ...(options.stored === undefined ? {} : storedPatternFilter(options.stored)),
  };
  return {
    ...(sources === undefined ? {} : { source: sources }),
    'detail-type': types,
    ...(Object.keys(detail).length === 0 ? {} : { detail }),
  };
}

/**
 * The same pattern in the shape of aws-cdk-lib's `EventPattern` (`detailType` instead of
 * `detail-type`), without importing CDK into shared code.
 */
export function cdkEventPattern<D extends Definitions, const T extends TypeOf<D>>(
  options: PatternOptions<D, T>,
): { source?: string[]; detailType: string[]; detail?: Record<string, unknown> } {
  const pattern = eventBridgePattern(options);
  return {
    ...(pattern.source === undefined ? {} : { source: [...pattern.source] }),
    detailType: [...pattern['detail-type']],
    ...(pattern.detail === undefined ? {} : { detail: { ...pattern.detail } }),
  };
}

/** An SNS filter policy on message attributes (FilterPolicyScope `MessageAttributes`). */
export interface SnsFilterPolicy {
  readonly type: readonly string[];
  readonly source?: readonly string[];
}

/** Options of {@link snsFilterPolicy}. */
export interface SnsFilterOptions<D extends Definitions, T extends TypeOf<D>> {
  /** The catalog defining `types`. */
  readonly catalog: Catalog<D>;
  readonly types: readonly T[];
  /** Also require one of these sources; by default the type alone decides. */
  readonly sources?: readonly string[];
}

/**
 * Builds an attribute-scoped SNS filter policy on the `type` attribute that
 * {@link snsMessageAttributes} sets. Attribute scope because body-scoped policies are ignored by the
 * local emulator; it also means SNS never parses the message body.
 */
export function snsFilterPolicy<D extends Definitions, const T extends TypeOf<D>>(
  options: SnsFilterOptions<D, T>,
): SnsFilterPolicy {
  const types = uniqueTypes(options.catalog, options.types);
  return {
    type: types,
    ...(options.sources === undefined ? {} : { source: [...new Set(options.sources)] }),
  };
}

/** An SNS message attribute value. */
export interface SnsAttribute {
  readonly DataType: 'String' | 'Number' | 'String.Array';
  readonly StringValue: string;
}

/** The value at a dotted `path` of `data` (`contact.channels`), undefined where the path ends early. */
export function dataValueAt(data: unknown, path: string): unknown {
  return valuesAt(data, path.split('.'))[0];
}

/** A value a message attribute can carry: a non-empty string, or an array of strings. */
export function isAttributeValue(value: unknown): value is string | readonly string[] {
  return (
    (typeof value === 'string' && value.length > 0) ||
    (Array.isArray(value) && value.every((element) => typeof element === 'string'))
  );
}

/**
 * The message attributes a topic takes from an event's data (name → dotted path): a string as
 * `String`, an array of strings as `String.Array` (a subscription matches when any element does).
 * A path with no such value sets nothing, and the subscriptions' `{ exists: false }` lets the event in.
 */
export function snsDataAttributes(
  data: unknown,
  paths: Readonly<Record<string, string>>,
): Record<string, SnsAttribute> {
  const attributes: Record<string, SnsAttribute> = {};
  for (const [name, path] of Object.entries(paths)) {
    const value = dataValueAt(data, path);
    if (!isAttributeValue(value)) continue;
    attributes[name] =
      typeof value === 'string'
        ? { DataType: 'String', StringValue: value }
        : { DataType: 'String.Array', StringValue: JSON.stringify([...new Set(value)]) };
  }
  return attributes;
}

/** Message attributes to publish an envelope with, so that {@link snsFilterPolicy} can match it. */
export function snsMessageAttributes(envelope: Pick<EventEnvelope<unknown>, 'type' | 'source' | 'version'>): {
  type: SnsAttribute;
  source: SnsAttribute;
  version: SnsAttribute;
} {
  return {
    type: { DataType: 'String', StringValue: envelope.type },
    source: { DataType: 'String', StringValue: envelope.source },
    version: { DataType: 'Number', StringValue: String(envelope.version) },
  };
}

import { randomUUID } from 'node:crypto';
import { ValidationError } from '../errors/pipeline-error.ts';
import * as z from '../zod.ts';
import type { EventDefinition } from './define.ts';
import { assertEntryFits } from './entry-size.ts';
import { type EventEnvelope, joinPath, parseEnvelope, toValidationError } from './envelope.ts';
import { nearestNames } from './suggest.ts';

/**
 * A catalog: the event types one bounded context owns (or one process reads), each defined once with
 * its versions and upcasters. It validates and upcasts what arrives (`parse`) and builds what leaves
 * (`create`). The kit knows catalogs only through this type; each context defines its own with
 * {@link defineCatalog}, and tools that span contexts merge them ({@link mergeCatalogs}).
 */

/** A definition whose data is a JSON object, as every event's is. */
export type ObjectEventDefinition = EventDefinition<string, z.core.$ZodType<Record<string, unknown>>>;

/** Definitions keyed by type name. */
export type Definitions = { readonly [type: string]: ObjectEventDefinition };

/** Name of an event type of `D`. */
export type TypeOf<D extends Definitions> = keyof D & string;

/** Data of the newest version of `T`, the only version consumers ever see. */
export type DataOf<D extends Definitions, T extends TypeOf<D>> = z.output<D[T]['schema']>;

/** Input accepted for the data of `T` when creating an event (before zod defaults apply). */
export type DataInputOf<D extends Definitions, T extends TypeOf<D>> = z.input<D[T]['schema']>;

/** Envelope of the newest version of `T`. */
export type EnvelopeOf<D extends Definitions, T extends TypeOf<D>> = Omit<EventEnvelope, 'type' | 'data'> & {
  type: T;
  data: DataOf<D, T>;
};

/** Any event of `D`; `switch (event.type)` narrows `event.data`. */
export type EventOf<D extends Definitions> = { [T in TypeOf<D>]: EnvelopeOf<D, T> }[TypeOf<D>];

/** A type of `D` and its data: what a pure `decide` returns, before it gets an envelope. */
export type FactOf<D extends Definitions> = {
  [T in TypeOf<D>]: { readonly type: T; readonly data: DataInputOf<D, T> };
}[TypeOf<D>];

/**
 * A catalog of any context, for code that reads every context's events without their static types
 * (the outbox, the CLI, merged catalogs). `Catalog<Specific>` is not assignable to `Catalog<Definitions>`
 * (its generic methods make `D` invariant), hence the `any`.
 */
// biome-ignore lint/suspicious/noExplicitAny: erases a context's static event types, see above.
export type AnyCatalog = Catalog<any>;

/** Definitions of a list, keyed by type. */
export type ByType<L extends readonly ObjectEventDefinition[]> = {
  readonly [E in L[number] as E['type']]: E;
};

/** One (type, version) pair of a catalog, flattened for listings and schema export. */
export interface CatalogVersion {
  readonly type: string;
  readonly version: number;
  readonly latest: boolean;
  readonly source: string;
  readonly description: string;
  readonly schema: z.core.$ZodType;
  readonly example: unknown;
}

/** A row of {@link Catalog.describe}. */
export type CatalogRow = Omit<CatalogVersion, 'schema' | 'example'>;

/** Options of {@link Catalog.parse}. */
export interface ParseEventOptions {
  /** Prepended to every error path, e.g. `detail` when the envelope sits in an EventBridge event. */
  readonly pathPrefix?: string;
}

/** What {@link Catalog.create} needs besides the data; ids and time default to fresh ones. */
export interface CreateEventOptions {
  readonly correlationId: string;
  readonly causationId?: string;
  /** @default the owner in the catalog */
  readonly source?: string;
  /** @default `deps.newId()` */
  readonly id?: string;
  /** @default `deps.now()` */
  readonly time?: Date | string;
  readonly metadata?: Record<string, unknown>;
}

/** Clock and id generator of event factories, injectable for deterministic tests. */
export interface EventFactoryDeps {
  readonly now: () => Date;
  readonly newId: () => string;
}

/** Production defaults: wall clock and random UUIDs. */
export const defaultEventFactoryDeps: EventFactoryDeps = {
  now: () => new Date(),
  newId: () => randomUUID(),
};

/** The ids a follow-up event takes from the event that caused it. */
export function causedBy(parent: Pick<EventEnvelope, 'id' | 'correlationId'>): {
  correlationId: string;
  causationId: string;
} {
  return { correlationId: parent.correlationId, causationId: parent.id };
}

interface Step {
  readonly version: number;
  readonly schema: z.core.$ZodType;
  /** Upcaster to the next step; absent on the newest version. */
  readonly upcast?: (data: unknown) => unknown;
}

function validate(schema: z.core.$ZodType, data: unknown, path: string, context = ''): unknown {
  // The functional parse: a definition's schema may be a mini or a classic zod schema.
  const result = z.safeParse(schema, data);
  if (!result.success) throw toValidationError(result.error, path, context);
  return result.data;
}

/** JSON text of a parsed event; opaque `metadata` nested thousands of levels deep overflows the stack. */
function serialize(event: unknown, path: string): string {
  try {
    return JSON.stringify(event);
  } catch (cause) {
    throw new ValidationError('event cannot be serialized (nested too deeply)', path, cause);
  }
}

/** The event types of one context (or several, merged), with parse and create. */
export class Catalog<D extends Definitions = Definitions> {
  /** All type names, in definition order. */
  readonly types: readonly TypeOf<D>[];
  private readonly chains: ReadonlyMap<string, readonly Step[]>;

  constructor(
    /** Names the catalog in listings: a context name, or the names of those merged. */
    readonly name: string,
    readonly definitions: D,
  ) {
    this.types = Object.keys(definitions) as TypeOf<D>[];
    this.chains = new Map(
      this.types.map((type) => {
        const definition: EventDefinition = definitions[type] as EventDefinition;
        return [type, [...definition.previous, { version: definition.version, schema: definition.schema }]];
      }),
    );
  }

  /** True when `name` is a type of this catalog. */
  isType(name: string): name is TypeOf<D> {
    return Object.hasOwn(this.definitions, name);
  }

  /** The definition of `type`, with its newest version and the older versions it can still read. */
  definitionOf<T extends TypeOf<D>>(type: T): D[T] {
    return this.definitions[type];
  }

  /** The error for a name that is not in the catalog, suggesting the nearest names. */
  unknownTypeError(name: string, path: string): ValidationError {
    const near = nearestNames(name, this.types);
    const hint =
      near.length > 0 ? `did you mean ${near.join(' or ')}?` : `known types: ${this.types.join(', ')}`;
    return new ValidationError(`unknown event type '${name}'; ${hint}`, path);
  }

  /** Every version of every event, grouped by type in catalog order, oldest version first. */
  versions(): CatalogVersion[] {
    return this.types.flatMap((type) => {
      const definition: EventDefinition = this.definitions[type] as EventDefinition;
      const { source } = definition;
      const older = definition.previous.map(({ version, description, schema, example }): CatalogVersion => {
        return { type, version, latest: false, source, description, schema, example };
      });
      const { version, description, schema, example } = definition;
      return [...older, { type, version, latest: true, source, description, schema, example }];
    });
  }

  /** One row per event type and version, for the CLI's catalog listing. */
  describe(): CatalogRow[] {
    return this.versions().map(({ type, version, latest, source, description }) => ({
      type,
      version,
      latest,
      source,
      description,
    }));
  }

  /**
   * Validates an unknown value as an event of this catalog and returns it at its newest version.
   * Checks the envelope, then the type (suggesting near names), the version (listing known ones) and
   * the data; every failure is a {@link ValidationError} whose `path` names the field, e.g.
   * `data.items.0.qty`. The `source` is not checked against the owner, so replays and tools may use
   * their own. An event above the entry size limit (256 KB, as `create` enforces) is refused.
   */
  parse(value: unknown, options: ParseEventOptions = {}): EventOf<D> {
    const prefix = options.pathPrefix ?? '';
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new ValidationError('event must be a JSON object', prefix);
    }
    const rawType: unknown = (value as { type?: unknown }).type;
    if (typeof rawType === 'string' && !this.isType(rawType))
      throw this.unknownTypeError(rawType, joinPath(prefix, 'type'));
    const envelope = parseEnvelope(value, prefix);
    const type = envelope.type as TypeOf<D>;
    const data = this.upcastToLatest(type, envelope.version, envelope.data, prefix);
    const event = { ...envelope, version: this.definitions[type]?.version, data } as EventOf<D>;
    // Producers must fit one 256 KB entry (`create` checks); the bus itself takes up to 1 MB, so a
    // consumer refuses a larger event here, before any handler acts on it (it could not store or pass it on).
    assertEntryFits(
      { Source: event.source, DetailType: event.type, Detail: serialize(event, prefix) },
      prefix,
    );
    return event;
  }

  /**
   * Builds a newest-version envelope of `type`, validating the data (paths `data.…`), the ids and the
   * size: an event that would not fit one EventBridge entry fails here, before it is stored anywhere.
   */
  create<T extends TypeOf<D>>(
    type: T,
    data: DataInputOf<D, T>,
    options: CreateEventOptions,
    deps: EventFactoryDeps = defaultEventFactoryDeps,
  ): EnvelopeOf<D, T> {
    if (!this.isType(type)) throw this.unknownTypeError(type, 'type');
    const definition = this.definitions[type] as EventDefinition;
    const validData = validate(definition.schema, data, 'data');
    const time = options.time ?? deps.now();
    // The envelope is checked with empty data: the data was just validated and may be large.
    const head = parseEnvelope({
      id: options.id ?? deps.newId(),
      type,
      version: definition.version,
      source: options.source ?? definition.source,
      time: typeof time === 'string' ? time : time.toISOString(),
      correlationId: options.correlationId,
      ...(options.causationId === undefined ? {} : { causationId: options.causationId }),
      data: {},
      ...(options.metadata === undefined ? {} : { metadata: options.metadata }),
    });
    const envelope = { ...head, data: validData } as EnvelopeOf<D, T>;
    assertEntryFits({ Source: envelope.source, DetailType: type, Detail: JSON.stringify(envelope) }, 'data');
    return envelope;
  }

  /** A valid event of `type` built from the catalog example, for docs, the CLI and tests. */
  example<T extends TypeOf<D>>(
    type: T,
    options: Partial<CreateEventOptions> = {},
    deps: EventFactoryDeps = defaultEventFactoryDeps,
  ): EnvelopeOf<D, T> {
    const example = (this.definitions[type] as EventDefinition).example as DataInputOf<D, T>;
    return this.create(type, example, { correlationId: `example-${type}`, ...options }, deps);
  }

  /** Validates `data` as `version` of `type`, then upcasts it step by step to the newest version. */
  private upcastToLatest(type: string, version: number, data: unknown, prefix: string): unknown {
    const chain = this.chains.get(type) ?? [];
    const start = chain.findIndex((step) => step.version === version);
    if (start < 0) {
      const known = chain.map((step) => step.version).join(', ');
      throw new ValidationError(
        `unknown version ${version} of ${type}; known versions: ${known}`,
        joinPath(prefix, 'version'),
      );
    }
    const dataPath = joinPath(prefix, 'data');
    let current = validate((chain[start] as Step).schema, data, dataPath);
    for (let index = start + 1; index < chain.length; index++) {
      const from = chain[index - 1] as Step;
      const to = chain[index] as Step;
      const upcast = from.upcast ?? ((value: unknown) => value);
      current = validate(
        to.schema,
        upcast(current),
        dataPath,
        `after upcasting v${from.version} to v${to.version}: `,
      );
    }
    return current;
  }
}

/**
 * Declares a context's catalog: the events it owns, and (`foreign`) the integration events of other
 * contexts it reads, as their owners define them. Every owned source must start with `<name>.` (the
 * context owns its sources: rules, filters and the bus policy select on them) and no type may be
 * defined twice; both are programming errors, thrown at module load.
 */
export function defineCatalog<
  const L extends readonly ObjectEventDefinition[],
  const F extends readonly ObjectEventDefinition[] = readonly [],
>(
  name: string,
  definitions: L,
  options: { readonly foreign?: F } = {},
): Catalog<ByType<readonly [...L, ...F]>> {
  if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new Error(`catalog name ${name} must be lower-case kebab`);
  for (const definition of definitions) {
    if (!definition.source.startsWith(`${name}.`)) {
      throw new Error(`${definition.type}: source ${definition.source} must start with ${name}.`);
    }
  }
  return new Catalog(
    name,
    indexByType([...definitions, ...(options.foreign ?? [])]) as ByType<readonly [...L, ...F]>,
  );
}

/**
 * One catalog holding the types of several (the pipeline's tools and the outbox read every context's
 * events). A type defined by two catalogs must be the same definition (a context reading another's
 * integration event includes that definition), else it is a programming error.
 */
export function mergeCatalogs(catalogs: readonly AnyCatalog[]): Catalog {
  const byType: Record<string, ObjectEventDefinition> = {};
  for (const catalog of catalogs) {
    for (const type of catalog.types) {
      const definition: ObjectEventDefinition = catalog.definitionOf(type);
      const known = byType[type];
      if (known !== undefined && known !== definition) {
        throw new Error(`event type ${type} is defined differently by two catalogs`);
      }
      byType[type] = definition;
    }
  }
  return new Catalog(catalogs.map((catalog) => catalog.name).join('+'), byType);
}

function indexByType(definitions: readonly ObjectEventDefinition[]): Definitions {
  const byType: Record<string, ObjectEventDefinition> = {};
  for (const definition of definitions) {
    if (byType[definition.type]) throw new Error(`event type ${definition.type} is defined twice`);
    byType[definition.type] = definition;
  }
  return byType;
}

/**
 * What the docs say about each event, read from the code that runs: the catalog (descriptions,
 * versions, JSON Schemas, examples) and the context definitions (who publishes an event, which
 * consumers take it and how). Pure: the CLI hands it the declared contexts, tests hand it their own.
 */
import type { ContextConsumerDefinition, ContextDefinition } from '../../shared/kit/context.ts';
import { toJsonSchemas } from '../../shared/kit/events/json-schema.ts';

/** One field of an event's data, flattened from its JSON Schema (`items[].sku`). */
export interface FieldDoc {
  readonly path: string;
  readonly type: string;
  readonly required: boolean;
  readonly description: string;
}

/** One version of an event. */
export interface VersionDoc {
  readonly version: number;
  readonly latest: boolean;
  readonly description: string;
  readonly fields: readonly FieldDoc[];
  /** The catalog's example data of this version, as JSON text. */
  readonly example: string;
}

/** How a consumer gets an event. */
export type Delivery = 'stored' | 'intake' | 'from-bus' | 'topic' | 'refused-unstored';

/** A consumer of an event. */
export interface ConsumerRef {
  readonly context: string;
  readonly consumer: string;
  readonly delivery: Delivery;
  /** How, in words: "from the outbox, once stored", "through topic notifications (email)", … */
  readonly how: string;
}

/** One event type as documented. */
export interface EventDoc {
  readonly type: string;
  /** The context that owns it (its source's first segment). */
  readonly context: string;
  readonly source: string;
  readonly description: string;
  readonly versions: readonly VersionDoc[];
  /** Who publishes it, in words. */
  readonly producers: readonly string[];
  readonly consumers: readonly ConsumerRef[];
}

/** One context as documented: the events it owns and the others' events it reads. */
export interface ContextDoc {
  readonly name: string;
  readonly events: readonly EventDoc[];
  /** Other contexts' events its catalog includes (it reads them), with their owner. */
  readonly reads: readonly { readonly type: string; readonly owner: string }[];
  readonly consumers: readonly string[];
}

type JsonSchema = {
  readonly type?: string | readonly string[];
  readonly description?: string;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly items?: JsonSchema;
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly anyOf?: readonly JsonSchema[];
  readonly oneOf?: readonly JsonSchema[];
};

/** A schema's type in a few words: `string`, `"a" | "b"`, `object[]`, `string | null`. */
function typeOf(schema: JsonSchema): string {
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum !== undefined) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  const union = schema.anyOf ?? schema.oneOf;
  // A personal field is ciphertext-or-clear, both strings: one name each, `string` not `string | string`.
  if (union !== undefined) return [...new Set(union.map(typeOf))].join(' | ');
  if (schema.type === 'array') {
    const item = schema.items ? typeOf(schema.items) : 'any';
    return item.includes(' | ') ? `(${item})[]` : `${item}[]`;
  }
  if (Array.isArray(schema.type)) return schema.type.join(' | ');
  return typeof schema.type === 'string' ? schema.type : 'any';
}

/** Every field of an object schema, depth first; array items' fields under `name[]`. */
export function fieldsOf(schema: JsonSchema, prefix = ''): FieldDoc[] {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).flatMap(([name, property]) => {
    const path = `${prefix}${name}`;
    const own: FieldDoc = {
      path,
      type: typeOf(property),
      required: required.has(name),
      description: property.description ?? '',
    };
    const nested = property.type === 'array' ? property.items : property;
    const inner = nested?.properties
      ? fieldsOf(nested, `${path}${property.type === 'array' ? '[]' : ''}.`)
      : [];
    return [own, ...inner];
  });
}

const contextOf = (source: string): string => source.split('.')[0] ?? source;

/** The consumers of `type` across every context, with how each gets it. */
function consumersOf(type: string, contexts: readonly ContextDefinition[]): ConsumerRef[] {
  const refs: ConsumerRef[] = [];
  for (const context of contexts) {
    const ref = (consumer: ContextConsumerDefinition, delivery: Delivery, how: string) =>
      refs.push({ context: context.name, consumer: consumer.name, delivery, how });
    for (const consumer of context.consumers) {
      if (consumer.intake?.includes(type)) ref(consumer, 'intake', 'first-hand from the bus (its intake)');
      if (consumer.stored?.includes(type)) {
        const how = consumer.fromStoreStream
          ? "from the event store's change stream, once stored"
          : 'from the outbox, once stored';
        ref(consumer, 'stored', how);
      }
      if (consumer.fromBus?.includes(type)) ref(consumer, 'from-bus', 'from the bus, once stored');
      if (consumer.refuseUnstored?.includes(type) && !consumer.intake?.includes(type))
        ref(consumer, 'refused-unstored', 'refuses it to its DLQ when it arrives unstored');
      const fromTopic = consumer.fromTopic;
      if (fromTopic) {
        const topic = context.topics?.find((t) => t.name === fromTopic.topic);
        const subscription = topic?.subscriptions.find((s) => s.name === fromTopic.subscription);
        if (subscription?.types.includes(type))
          ref(consumer, 'topic', `through topic ${fromTopic.topic} (subscription ${fromTopic.subscription})`);
      }
    }
  }
  return refs;
}

/** Who publishes `type`, in words. */
function producersOf(type: string, source: string, contexts: readonly ContextDefinition[]): string[] {
  const producers = [`${source} (its owner)`];
  for (const context of contexts) {
    for (const consumer of context.consumers)
      if (consumer.intake?.includes(type))
        producers.push(`producers put it on the bus; ${context.name}/${consumer.name} stores it first`);
    if (context.integrationEvents.includes(type))
      producers.push('the outbox puts it on the bus once stored (integration event)');
    for (const topic of context.topics ?? [])
      if (topic.fromOutbox && topic.subscriptions.some((s) => s.types.includes(type)))
        producers.push(`the outbox publishes it to topic ${topic.name} once stored`);
  }
  return [...new Set(producers)];
}

/** The documentation model of every context in `contexts`. */
export function catalogDocs(contexts: readonly ContextDefinition[]): ContextDoc[] {
  const names = new Set(contexts.map((c) => c.name));
  // An event whose source names no context here (the kit's own, e.g. a saga timer) is documented
  // with the first context that includes it, so every event has exactly one page.
  const ownerOf = (type: string): string | undefined => {
    const including = contexts.filter((c) => c.catalog.isType(type));
    const source = contextOf(including[0]?.catalog.definitionOf(type).source ?? '');
    return names.has(source) ? source : including[0]?.name;
  };
  return contexts.map((context) => {
    const schemas = toJsonSchemas(context.catalog, { target: 'draft-2020-12' });
    const versions = context.catalog.versions();
    const owned = context.catalog.types.filter((type: string) => ownerOf(type) === context.name);
    const events = owned.map((type: string): EventDoc => {
      const definition = context.catalog.definitionOf(type);
      return {
        type,
        context: context.name,
        source: definition.source,
        description: definition.description,
        versions: versions
          .filter((v) => v.type === type)
          .map((v) => {
            const schema = schemas.find((s) => s.type === type && s.version === v.version)?.schema as
              | { properties?: { data?: JsonSchema } }
              | undefined;
            return {
              version: v.version,
              latest: v.latest,
              description: v.description,
              fields: fieldsOf(schema?.properties?.data ?? {}),
              example: JSON.stringify(v.example, null, 2),
            };
          }),
        producers: producersOf(type, definition.source, contexts),
        consumers: consumersOf(type, contexts),
      };
    });
    const reads = context.catalog.types
      .filter((type: string) => !owned.includes(type))
      .map((type: string) => ({ type, owner: ownerOf(type) ?? context.name }));
    return { name: context.name, events, reads, consumers: context.consumers.map((c) => c.name) };
  });
}

import type { AnyCatalog } from './events/catalog.ts';
import type { EventDefinition } from './events/define.ts';
import { dataValueAt, isAttributeValue } from './events/patterns.ts';
import { personalFieldsOf } from './personal-data/protect.ts';
import { fieldPathText } from './personal-data/schema.ts';

/**
 * The name of a duration the deployment's stage settings define (a short one in dev so a demo shows
 * it, a longer one in prod), e.g. `sagaStepTimeout`. The kit only carries the name, so a definition
 * stays data and a new context adds its durations to the stage settings, not to the kit; the
 * construct that deploys the definition refuses a name its stage does not define.
 */
export type StageDurationSetting = string;

/** Stage setting names: lowerCamelCase identifiers. */
const STAGE_SETTING_NAME = /^[a-z][A-Za-z0-9]*$/;

/**
 * Capabilities a consumer has on the event store table, each granted exactly:
 * - `eventStore`: read and append events and snapshots (Query, GetItem, PutItem);
 * - `storedEventCheck`: check a stored mark against the store (Query only), e.g. a read model's folder;
 * - `idempotencyRecords`: keep idempotency records next to the events (PutItem, DeleteItem);
 * - `eventStoreUpdate`: UpdateItem on the table, for a counter kept next to the events (atomic ADD).
 */
export const EVENT_STORE_GRANTS = [
  'eventStore',
  'storedEventCheck',
  'idempotencyRecords',
  'eventStoreUpdate',
] as const;
export type EventStoreGrant = (typeof EVENT_STORE_GRANTS)[number];

/** Item actions a consumer may be granted on a context table: on the table only, never its indexes. */
export const TABLE_ITEM_ACTIONS = ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query'] as const;
export type TableItemAction = (typeof TABLE_ITEM_ACTIONS)[number];

/** What a consumer may do beyond draining its own queue, each as a least-privilege grant. */
export type ConsumerGrant =
  | EventStoreGrant
  /** Publish to one of the context's topics; `env` names the variable that carries its ARN. */
  | { readonly publish: string; readonly env: string }
  /** These item actions on one of the context's tables; `env` names the variable that carries its name. */
  | { readonly table: string; readonly env: string; readonly actions: readonly TableItemAction[] };

/** One consumer of a context, as data: where its events come from and how it is run. */
export interface ContextConsumerDefinition {
  /**
   * Lower-case kebab name: its construct, its outputs (`<prefix><Name>QueueUrl`, `…DlqUrl`), its
   * dashboard row, and its service name unless `serviceName` says otherwise.
   */
  readonly name: string;
  /** Handler file relative to the repository root, e.g. `functions/onboarding/accounts.ts`. */
  readonly entry: string;
  /** Stored events of the pipeline the outbox delivers straight to its queue. */
  readonly stored?: readonly string[];
  /** Events it takes first-hand from producers on the bus (it is their intake, their one writer). */
  readonly intake?: readonly string[];
  /**
   * Further events its intake rule takes before they are stored, only for the handler to refuse them
   * to the DLQ with the reason: a producer that put one on the bus is seen rather than silently
   * unmatched. Needs an `intake`. @default none
   */
  readonly refuseUnstored?: readonly string[];
  /** Other contexts' integration events it takes from the bus once stored (they carry the outbox's mark). */
  readonly fromBus?: readonly string[];
  /**
   * Drains the queue of one subscription of one of the context's topics instead of a queue of its own
   * (it then takes no other events: `stored`, `intake` and `fromBus` stay empty).
   */
  readonly fromTopic?: { readonly topic: string; readonly subscription: string };
  /**
   * Per-key order: a FIFO queue whose message group is the event's stream, so one stream's events are
   * handled one at a time, in order, and streams in parallel. Fed by the outbox only. @default false
   */
  readonly ordered?: boolean;
  /**
   * Sends itself a saga's step timers: delayed messages to its own queue (SendMessage on it, which
   * stays a standard queue: a FIFO queue ignores per-message delay) and, for timers due later than the
   * stage's `timerSchedulerAfter`, EventBridge Scheduler schedules that deliver to that queue
   * (`SagaTimerSchedules`: a schedule group, a delivery role, the `TIMER_*` environment). @default false
   */
  readonly timers?: boolean;
  /**
   * Reads its `stored` types straight from the event store's change stream (a DynamoDB stream
   * mapping) instead of from a queue the outbox feeds: no queue, no message per event, no receive and
   * delete, no stored check (every record is a commit the store holds). For idempotent work off the
   * critical path, a read model above all: a failing batch is retried from the failing commit,
   * bisected, and after its retries its coordinates go to the consumer's DLQ; meanwhile the shard
   * waits. Its handler is built with `createStoreStreamConsumer`. A stream serves two readers per
   * shard without throttling, the outbox and one more: one such consumer per stack. @default false
   */
  readonly fromStoreStream?: boolean;
  /** On a flow's critical path (`immediate`) or not (`gathered`, up to `gatherSeconds`). @default 'immediate' */
  readonly batching?: 'immediate' | 'gathered';
  /**
   * How long a `gathered` consumer's event source waits to fill a batch (its
   * `MaximumBatchingWindowInSeconds`, 1 – 300). Longer windows mean fewer, fuller invocations; for a
   * read model, also fewer writes, since the events of one entity that land in one batch are folded
   * into one write. The read model then lags the store by up to this much. @default 1
   */
  readonly gatherSeconds?: number;
  /**
   * Records per invocation: at most 10 when `immediate` or `ordered`, up to 10,000 when `gathered`.
   * @default the batching's (10 immediate, 25 gathered)
   */
  readonly batchSize?: number;
  /** Receives before a message moves to the DLQ. @default 5 */
  readonly maxReceiveCount?: number;
  /** Function timeout. @default 10 */
  readonly timeoutSeconds?: number;
  /**
   * Function timeout for a batch that may wait out one bounded call per record: `batchSize` × the
   * stage duration `perRecord` + `marginSeconds` for the rest. Instead of `timeoutSeconds`.
   */
  readonly timeoutPerRecord?: { readonly perRecord: StageDurationSetting; readonly marginSeconds: number };
  /** Powertools service name (its logs and its metrics' `service` dimension). @default `<context>-<name>` */
  readonly serviceName?: string;
  readonly environment?: Readonly<Record<string, string>>;
  /** Environment variables set to a stage duration, in milliseconds, e.g. `{ STEP_TIMEOUT_MS: 'sagaStepTimeout' }`. */
  readonly stageEnvironment?: Readonly<Record<string, StageDurationSetting>>;
  /** What it may do besides draining its queue. @default ['eventStore'] (a kit consumer's store) */
  readonly grants?: readonly ConsumerGrant[];
  /** The variable naming the event store table, set when it has an event store grant. @default 'TABLE_NAME' */
  readonly eventStoreEnv?: string;
  /**
   * Its use of the data subjects' keys (docs/personal-data.md): `encrypt` for an intake whose events
   * carry personal fields (it encrypts them before storing; key read and conditional create),
   * `decrypt` for a consumer that needs clear values to act (a channel sending to an address; key
   * read). Absent: no access to the keys table; it handles personal fields as ciphertext only.
   */
  readonly personalData?: 'encrypt' | 'decrypt';
}

/**
 * A table the context owns (a read model): string keys, on-demand, encrypted, point-in-time recovery,
 * deletion protection and removal by stage. Its key design lives with the adapter that uses it.
 */
export interface ContextTableDefinition {
  /** Lower-case kebab: its construct and its output (`<prefix><Name>TableName`). */
  readonly name: string;
  readonly partitionKey: string;
  readonly sortKey?: string;
  /**
   * Global secondary indexes, keys only: each write that moves an item in an index is one write unit,
   * and listings fetch the items by key.
   */
  readonly indexes?: readonly {
    readonly name: string;
    readonly partitionKey: string;
    readonly sortKey?: string;
  }[];
}

/**
 * A topic the context owns, fanned out to one queue per subscription (each filtered on the event
 * type, each drained by one of the context's consumers through `fromTopic`).
 */
export interface ContextTopicDefinition {
  /** Lower-case kebab: its construct and its output (`<prefix><Name>TopicArn`). */
  readonly name: string;
  readonly subscriptions: readonly {
    /** Lower-case kebab: the subscription's queue and the consumer's `fromTopic.subscription`. */
    readonly name: string;
    /** Catalog events this subscription receives. */
    readonly types: readonly string[];
    /**
     * Also filter on the topic's `attributes`: attribute name → the values, any of which lets an event
     * in (an array attribute matches when any element does). An event without the attribute (its data
     * has no value at the path: an older version, a hand-published message) still comes in, so the
     * filter never drops what the consumer would have handled. @default the type decides alone
     */
    readonly where?: Readonly<Record<string, readonly string[]>>;
  }[];
  /**
   * Message attributes the outbox sets on each event it publishes here, taken from the event's data:
   * attribute name → dotted path in `data` whose value is a string or an array of strings (e.g.
   * `{ channels: 'contact.channels' }`). Subscriptions filter on them with `where`, so a subscriber
   * is not sent, and does not pay a receive, a delete and an invocation for, what it would only pass
   * over. Never a personal field: the outbox publishes attributes in clear. @default none
   */
  readonly attributes?: Readonly<Record<string, string>>;
  /**
   * The outbox publishes the stored events its subscriptions take straight to the topic (PublishBatch,
   * ≤ 10 per request, with the `type`/`source` attributes the subscriptions filter on), so no consumer
   * sits between the store and the fan-out: one request instead of a send, a receive, a delete, an
   * invocation and a publish per event. Without it, a consumer publishes (grant `{ publish }`).
   * @default false
   */
  readonly fromOutbox?: boolean;
}

/**
 * A bounded context as data: its catalog, what it publishes for others, and its consumers. The kit
 * derives queues, DLQs, rules, alarms, grants, outbox routes and dashboard rows from it (the
 * `BoundedContext` construct in infra/); the context writes no CDK. Pure data, so it lives beside the
 * context's code and is listed once in `shared/contexts/index.ts`.
 */
export interface ContextDefinition {
  /** The catalog's name: the source prefix of its events (`<name>.`) and of its services' names. */
  readonly name: string;
  readonly catalog: AnyCatalog;
  /** Events the outbox puts on the bus, for other contexts and outside consumers. */
  readonly integrationEvents: readonly string[];
  readonly consumers: readonly ContextConsumerDefinition[];
  /** CloudWatch namespace of its consumers' metrics. @default the name in PascalCase, e.g. `Onboarding` */
  readonly metricsNamespace?: string;
  /** Tables it owns (read models). @default none */
  readonly tables?: readonly ContextTableDefinition[];
  /** Topics it owns, with the subscriptions its consumers drain. @default none */
  readonly topics?: readonly ContextTopicDefinition[];
  /**
   * Prefix of its stack outputs: `<prefix><Consumer>QueueUrl`, `…DlqUrl`, `<prefix><Table>TableName`,
   * `<prefix><Topic>TopicArn`. @default the name in PascalCase, e.g. `OnboardingAccountsQueueUrl`
   */
  readonly outputPrefix?: string;
  /**
   * The types of the streams it writes that the event store's stream catalog lists (what a rebuild
   * pages through, e.g. `saga-order`): a stream of any other type costs no catalog write when it
   * starts. A type is a stream id's part before its first `#`. @default every type it writes
   */
  readonly catalogedStreamTypes?: readonly string[];
}

/** Lower-case kebab: words of letters and digits joined by single hyphens. */
const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** `cart-1` → `Cart1`: construct ids and output names; two names must not meet here. */
export function pascalName(name: string): string {
  return name.replace(/(^|-)([a-z0-9])/g, (_, _dash: string, letter: string) => letter.toUpperCase());
}

/** Prefix of a context's stack outputs (see {@link ContextDefinition.outputPrefix}). */
export function contextOutputPrefix(definition: ContextDefinition): string {
  return definition.outputPrefix ?? pascalName(definition.name);
}

/**
 * The names of the stack outputs a context has, derived like its resources: per consumer its queue
 * and DLQ URLs, per table its name, per topic its ARN.
 */
export function contextOutputNames(definition: ContextDefinition): string[] {
  const prefix = contextOutputPrefix(definition);
  return [
    ...definition.consumers.flatMap(({ name, fromStoreStream }) => [
      // A consumer of the store's stream has no queue, only the DLQ its failed batches go to.
      ...(fromStoreStream ? [] : [`${prefix}${pascalName(name)}QueueUrl`]),
      `${prefix}${pascalName(name)}DlqUrl`,
    ]),
    ...(definition.tables ?? []).map(({ name }) => `${prefix}${pascalName(name)}TableName`),
    ...(definition.topics ?? []).map(({ name }) => `${prefix}${pascalName(name)}TopicArn`),
  ];
}

/** The grants of a consumer, with the default a kit consumer needs (its event store). */
export function consumerGrants(consumer: ContextConsumerDefinition): readonly ConsumerGrant[] {
  return consumer.grants ?? ['eventStore'];
}

/** Whether the consumer has any grant on the event store table (so it is told the table's name). */
export function usesEventStore(consumer: ContextConsumerDefinition): boolean {
  return consumerGrants(consumer).some((grant) => typeof grant === 'string');
}

/** The events a consumer's intake rule takes before they are stored: its intake, then those it refuses. */
export function unstoredRuleTypes(consumer: ContextConsumerDefinition): string[] {
  return [...new Set([...(consumer.intake ?? []), ...(consumer.refuseUnstored ?? [])])];
}

/** Environment variables the construct sets on every consumer: a definition cannot set them. */
const RESERVED_ENV = /^(QUEUE_URL|DLQ_URL|RETRY_BASE_SECONDS|POWERTOOLS_.*|AWS_.*|NODE_OPTIONS)$/;
const ENV_NAME = /^[A-Z][A-Z0-9_]*$/;
/** DynamoDB's rule for index names. */
const INDEX_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
/** A subscription's name becomes part of its queue's construct path (kept short). */
const SUBSCRIPTION_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** A definition that cannot deploy as meant is a programming error: thrown at synth, naming the field. */
export function validateContextDefinition(definition: ContextDefinition): void {
  const { catalog } = definition;
  if (!NAME.test(definition.name))
    throw new Error(`context name must be lower-case kebab: ${definition.name}`);
  if (catalog.name !== definition.name) {
    throw new Error(`${definition.name}: its catalog is named ${catalog.name}`);
  }
  const known = (types: readonly string[], where: string) => {
    for (const type of types) {
      if (!catalog.isType(type))
        throw new Error(`${definition.name}.${where}: ${type} is not in the catalog`);
    }
  };
  known(definition.integrationEvents, 'integrationEvents');
  const prefix = definition.outputPrefix;
  if (prefix !== undefined && !/^([A-Z][A-Za-z0-9]*)?$/.test(prefix)) {
    throw new Error(
      `${definition.name}.outputPrefix must be empty or PascalCase letters and digits, got ${prefix}`,
    );
  }
  validateTables(definition);
  validateTopics(definition);
  for (const type of definition.catalogedStreamTypes ?? []) {
    if (!/^[^#,\s]+$/.test(type)) {
      throw new Error(
        `${definition.name}.catalogedStreamTypes: ${type} is not a stream type (no #, comma or space)`,
      );
    }
  }
  if (definition.consumers.length === 0)
    throw new Error(`${definition.name}: at least one consumer is required`);
  const names = new Map<string, string>();
  const services = new Map<string, string>();
  const intakeOwners = new Map<string, string>();
  const drained = new Map<string, string>();
  const owned = (type: string) => catalog.definitionOf(type).source.startsWith(`${definition.name}.`);
  for (const consumer of definition.consumers) {
    const where = `consumers.${consumer.name}`;
    const fail = (message: string): never => {
      throw new Error(`${definition.name}.${where}: ${message}`);
    };
    if (!NAME.test(consumer.name)) fail('name must be lower-case kebab (a-z, 0-9, single hyphens)');
    const id = pascalName(consumer.name);
    if (names.has(id)) fail(`defined twice (or named like ${names.get(id)}: both are ${id})`);
    names.set(id, consumer.name);
    const service = consumer.serviceName ?? `${definition.name}-${consumer.name}`;
    if (!NAME.test(service)) fail(`serviceName must be lower-case kebab, got ${service}`);
    // The service is the consumer's dimension in the context's metrics: two would add up.
    if (services.has(service)) fail(`serviceName ${service} is already ${services.get(service)}'s`);
    services.set(service, consumer.name);
    known(consumer.stored ?? [], `${where}.stored`);
    known(consumer.intake ?? [], `${where}.intake`);
    known(consumer.refuseUnstored ?? [], `${where}.refuseUnstored`);
    known(consumer.fromBus ?? [], `${where}.fromBus`);
    const subscription = validateFromTopic(definition, consumer, fail, drained);
    const total = [consumer.stored, consumer.intake, consumer.fromBus, subscription?.types].flatMap(
      (types) => types ?? [],
    );
    if (total.length === 0) fail('takes no event type');
    if ((consumer.refuseUnstored ?? []).length > 0 && (consumer.intake ?? []).length === 0) {
      fail('refuseUnstored needs an intake: they arrive through its intake rule');
    }
    // EventBridge gives a FIFO target one static message group: per-stream order needs the outbox.
    if (consumer.ordered && [...(consumer.intake ?? []), ...(consumer.fromBus ?? [])].length > 0) {
      fail('an ordered (FIFO) consumer is fed by the outbox only');
    }
    // A FIFO queue ignores per-message delay: a timer would fire at once.
    if (consumer.timers && consumer.ordered)
      fail('timers need a standard queue: an ordered consumer has none');
    // One writer at the door: a producer's command has exactly one intake.
    for (const type of consumer.intake ?? []) {
      const other = intakeOwners.get(type);
      if (other !== undefined) fail(`${type} already has an intake (${other}): one writer per command`);
      intakeOwners.set(type, consumer.name);
    }
    // A stored event reaches a queue once: from the outbox or through a bus rule, not both.
    const both = (consumer.stored ?? []).filter((type) => (consumer.fromBus ?? []).includes(type));
    if (both.length > 0) fail(`${both.join(', ')} both stored and fromBus: it would arrive twice`);
    // The outbox puts only integration events on the bus: a rule for another of the context's own
    // events would never fire (take it as `stored`).
    for (const type of consumer.fromBus ?? []) {
      if (owned(type) && !definition.integrationEvents.includes(type)) {
        fail(`fromBus ${type} is this context's own event but not an integration event: take it as stored`);
      }
    }
    if (consumer.fromStoreStream) validateFromStoreStream(consumer, fail);
    if (consumer.ordered && consumer.batching === 'gathered') {
      fail('an ordered (FIFO) consumer takes no batching window: leave batching unset');
    }
    validateRunSettings(consumer, fail);
    if (!/^functions\/[\w-]+\/[\w.-]+\.ts$/.test(consumer.entry)) {
      fail(`entry must be functions/<folder>/<file>.ts, got ${consumer.entry}`);
    }
    validateGrants(definition, consumer, fail);
  }
  for (const topic of definition.topics ?? []) {
    for (const { name } of topic.subscriptions) {
      // An undrained subscription queue only fills up until its messages expire.
      if (!drained.has(`${topic.name}/${name}`)) {
        throw new Error(
          `${definition.name}.topics.${topic.name}.subscriptions.${name}: no consumer drains it (fromTopic)`,
        );
      }
    }
  }
}

type Fail = (message: string) => never;

function validateTables(definition: ContextDefinition): void {
  const seen = new Set<string>();
  for (const table of definition.tables ?? []) {
    const fail = (message: string): never => {
      throw new Error(`${definition.name}.tables.${table.name}: ${message}`);
    };
    if (!NAME.test(table.name)) fail('name must be lower-case kebab (a-z, 0-9, single hyphens)');
    if (seen.has(table.name)) fail('defined twice');
    seen.add(table.name);
    if (table.partitionKey === '') fail('partitionKey must name an attribute');
    if (table.sortKey === '') fail('sortKey must name an attribute (or be left out)');
    const indexes = new Set<string>();
    for (const index of table.indexes ?? []) {
      if (!INDEX_NAME.test(index.name))
        fail(`indexes.${index.name}: name must be 3-255 of A-Z a-z 0-9 _ . -`);
      if (indexes.has(index.name)) fail(`indexes.${index.name}: defined twice`);
      indexes.add(index.name);
      if (index.partitionKey === '') fail(`indexes.${index.name}.partitionKey must name an attribute`);
      if (index.sortKey === '') fail(`indexes.${index.name}.sortKey must name an attribute (or be left out)`);
    }
  }
}

function validateTopics(definition: ContextDefinition): void {
  const seen = new Set<string>();
  for (const topic of definition.topics ?? []) {
    const where = `${definition.name}.topics.${topic.name}`;
    if (!NAME.test(topic.name)) throw new Error(`${where}: name must be lower-case kebab`);
    if (seen.has(topic.name)) throw new Error(`${where}: defined twice`);
    seen.add(topic.name);
    if (topic.subscriptions.length === 0) throw new Error(`${where}: at least one subscription is required`);
    const names = new Set<string>();
    for (const subscription of topic.subscriptions) {
      const at = `${where}.subscriptions.${subscription.name}`;
      if (!SUBSCRIPTION_NAME.test(subscription.name) || subscription.name.length > 31) {
        throw new Error(`${at}: name must be lower-case kebab, at most 31 characters`);
      }
      if (names.has(subscription.name)) throw new Error(`${at}: defined twice`);
      names.add(subscription.name);
      if (subscription.types.length === 0) throw new Error(`${at}: takes no event type`);
      for (const type of subscription.types) {
        if (!definition.catalog.isType(type)) throw new Error(`${at}.types: ${type} is not in the catalog`);
      }
      for (const [attribute, values] of Object.entries(subscription.where ?? {})) {
        if (topic.attributes?.[attribute] === undefined) {
          throw new Error(`${at}.where.${attribute}: not one of the topic's attributes`);
        }
        if (values.length === 0 || values.some((value) => typeof value !== 'string' || value.length === 0)) {
          throw new Error(`${at}.where.${attribute}: list at least one non-empty value`);
        }
      }
    }
    validateTopicAttributes(definition, topic, where);
    // The outbox already publishes what the subscriptions take: a consumer publishing too would deliver
    // every event twice.
    if (topic.fromOutbox) {
      const publisher = definition.consumers.find((consumer) =>
        (consumer.grants ?? []).some(
          (grant) => typeof grant !== 'string' && 'publish' in grant && grant.publish === topic.name,
        ),
      );
      if (publisher) {
        throw new Error(
          `${where}: fed by the outbox (fromOutbox), so ${publisher.name} must not publish to it`,
        );
      }
    }
  }
}

/** SNS message attribute names (letters, digits, `_` and `-`), other than the ones every message carries. */
const ATTRIBUTE_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const DATA_PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const RESERVED_ATTRIBUTES = new Set(['type', 'source', 'version']);

/**
 * A topic's attributes: well-named, set only by the outbox, and each path naming a string or strings
 * in the example of every type the topic takes (its newest version) and no personal field.
 */
function validateTopicAttributes(
  definition: ContextDefinition,
  topic: ContextTopicDefinition,
  where: string,
) {
  const attributes = Object.entries(topic.attributes ?? {});
  if (attributes.length === 0) return;
  if (!topic.fromOutbox) throw new Error(`${where}.attributes: only the outbox sets them (fromOutbox)`);
  // SNS takes 10 message attributes per message; type, source and version are three of them.
  if (attributes.length > 7) throw new Error(`${where}.attributes: at most 7 (SNS takes 10 per message)`);
  const types = outboxTopicTypes(topic);
  const examples = new Map(
    definition.catalog
      .versions()
      .filter((version) => version.latest)
      .map((version) => [version.type, version.example] as const),
  );
  for (const [attribute, path] of attributes) {
    const at = `${where}.attributes.${attribute}`;
    if (!ATTRIBUTE_NAME.test(attribute) || RESERVED_ATTRIBUTES.has(attribute)) {
      throw new Error(`${at}: a message attribute name (letters, digits, _ and -), not type/source/version`);
    }
    if (!DATA_PATH.test(path)) throw new Error(`${at}: ${path} is not a dotted path in the event's data`);
    for (const type of types) {
      const personal = personalFieldsOf(definition.catalog.definitions[type] as EventDefinition);
      if (personal.some((field) => fieldPathText(field) === path)) {
        throw new Error(`${at}: ${path} of ${type} is personal data, and attributes travel in clear`);
      }
      const value = dataValueAt(examples.get(type), path);
      if (!isAttributeValue(value)) {
        throw new Error(`${at}: ${path} of ${type}'s example is not a string or an array of strings`);
      }
    }
  }
}

/** The stored events the outbox publishes to each topic fed by it (the union of its subscriptions' types). */
export function outboxTopicTypes(topic: ContextTopicDefinition): readonly string[] {
  return topic.fromOutbox ? [...new Set(topic.subscriptions.flatMap(({ types }) => types))] : [];
}

/** The subscription a `fromTopic` consumer drains (once per subscription), checked. */
function validateFromTopic(
  definition: ContextDefinition,
  consumer: ContextConsumerDefinition,
  fail: Fail,
  drained: Map<string, string>,
): { readonly types: readonly string[] } | undefined {
  const from = consumer.fromTopic;
  if (from === undefined) return undefined;
  const topic = (definition.topics ?? []).find(({ name }) => name === from.topic);
  if (!topic) return fail(`fromTopic.topic ${from.topic} is not one of the context's topics`);
  const subscription = topic.subscriptions.find(({ name }) => name === from.subscription);
  if (!subscription)
    return fail(`fromTopic.subscription ${from.subscription} is not a subscription of ${topic.name}`);
  const key = `${topic.name}/${subscription.name}`;
  const other = drained.get(key);
  if (other !== undefined) fail(`fromTopic ${key} is already drained by ${other}`);
  drained.set(key, consumer.name);
  const own = [consumer.stored, consumer.intake, consumer.fromBus, consumer.refuseUnstored].flat();
  if (own.some((type) => type !== undefined)) {
    fail(
      'a fromTopic consumer takes only its subscription: leave stored, intake, refuseUnstored and fromBus unset',
    );
  }
  if (consumer.ordered)
    fail('a fromTopic consumer drains a standard subscription queue: it cannot be ordered');
  if (consumer.timers) fail('timers are sent to its own queue: a fromTopic consumer has none');
  return subscription;
}

/** A consumer of the store's stream takes stored events only, and has no queue to be ordered or timed on. */
function validateFromStoreStream(consumer: ContextConsumerDefinition, fail: Fail): void {
  if ((consumer.stored ?? []).length === 0) fail('fromStoreStream takes stored events: list them in stored');
  const unstored = [consumer.intake, consumer.refuseUnstored, consumer.fromBus].flat();
  if (unstored.some((type) => type !== undefined) || consumer.fromTopic !== undefined) {
    fail('fromStoreStream reads the store only: leave intake, refuseUnstored, fromBus and fromTopic unset');
  }
  if (consumer.ordered) fail('fromStoreStream is in order per stream already: leave ordered unset');
  if (consumer.timers) fail('timers are sent to its own queue: a fromStoreStream consumer has none');
  if (consumer.maxReceiveCount !== undefined) {
    fail('maxReceiveCount is a queue setting: a fromStoreStream consumer retries per its stream mapping');
  }
}

/** Batch size, receives and timeout as SQS and Lambda take them. */
function validateRunSettings(consumer: ContextConsumerDefinition, fail: Fail): void {
  const whole = (value: number, from: number, to: number) =>
    Number.isInteger(value) && value >= from && value <= to;
  const batch = consumer.batchSize;
  // Without a batching window SQS hands Lambda at most 10 records (FIFO event sources take no window).
  const maxBatch = consumer.batching === 'gathered' ? 10_000 : 10;
  if (batch !== undefined && !whole(batch, 1, maxBatch)) {
    fail(
      `batchSize must be a whole number from 1 to ${maxBatch} (${consumer.batching ?? 'immediate'}), got ${batch}`,
    );
  }
  const gather = consumer.gatherSeconds;
  if (gather !== undefined) {
    if (consumer.batching !== 'gathered') fail("gatherSeconds is the window of batching: 'gathered'");
    if (!whole(gather, 1, 300)) fail(`gatherSeconds must be a whole number from 1 to 300, got ${gather}`);
  }
  const receives = consumer.maxReceiveCount;
  if (receives !== undefined && !whole(receives, 1, 1000)) {
    fail(`maxReceiveCount must be a whole number from 1 to 1000, got ${receives}`);
  }
  const timeout = consumer.timeoutSeconds;
  if (timeout !== undefined && !whole(timeout, 1, 900)) {
    fail(`timeoutSeconds must be a whole number of seconds from 1 to 900, got ${timeout}`);
  }
  const perRecord = consumer.timeoutPerRecord;
  if (perRecord !== undefined) {
    if (timeout !== undefined) fail('timeoutSeconds and timeoutPerRecord both set: give one');
    if (!STAGE_SETTING_NAME.test(perRecord.perRecord)) {
      fail(`timeoutPerRecord.perRecord: ${perRecord.perRecord} is not a stage setting name (lowerCamelCase)`);
    }
    if (!whole(perRecord.marginSeconds, 0, 900)) {
      fail(
        `timeoutPerRecord.marginSeconds must be a whole number of seconds from 0 to 900, got ${perRecord.marginSeconds}`,
      );
    }
  }
}

/** Grants name declared resources; every variable is set once, by one field. */
function validateGrants(
  definition: ContextDefinition,
  consumer: ContextConsumerDefinition,
  fail: Fail,
): void {
  const variables = new Map<string, string>();
  const variable = (name: string, field: string) => {
    if (!ENV_NAME.test(name)) fail(`${field}: ${name} is not an environment variable name (A-Z, 0-9, _)`);
    if (RESERVED_ENV.test(name)) fail(`${field}: ${name} is set by the kit for every consumer`);
    const other = variables.get(name);
    if (other !== undefined) fail(`${field}: ${name} is already set by ${other}`);
    variables.set(name, field);
  };
  for (const name of Object.keys(consumer.environment ?? {})) variable(name, 'environment');
  for (const [name, setting] of Object.entries(consumer.stageEnvironment ?? {})) {
    variable(name, 'stageEnvironment');
    if (!STAGE_SETTING_NAME.test(setting)) {
      fail(`stageEnvironment.${name}: ${setting} is not a stage setting name (lowerCamelCase)`);
    }
  }
  const seen = new Set<string>();
  for (const grant of consumerGrants(consumer)) {
    const key = JSON.stringify(grant);
    if (seen.has(key)) fail(`grants: ${key} is granted twice`);
    seen.add(key);
    if (typeof grant === 'string') {
      if (!(EVENT_STORE_GRANTS as readonly string[]).includes(grant)) {
        fail(`grants: ${grant} is not a grant (${EVENT_STORE_GRANTS.join(', ')}, { publish }, { table })`);
      }
    } else if ('publish' in grant) {
      if (!(definition.topics ?? []).some(({ name }) => name === grant.publish)) {
        fail(`grants: publish ${grant.publish} is not one of the context's topics`);
      }
      variable(grant.env, `grants.publish ${grant.publish}`);
    } else {
      if (!(definition.tables ?? []).some(({ name }) => name === grant.table)) {
        fail(`grants: table ${grant.table} is not one of the context's tables`);
      }
      if (grant.actions.length === 0) fail(`grants: table ${grant.table} grants no action`);
      for (const action of grant.actions) {
        if (!(TABLE_ITEM_ACTIONS as readonly string[]).includes(action)) {
          fail(
            `grants: table ${grant.table}: ${action} is not an item action (${TABLE_ITEM_ACTIONS.join(', ')})`,
          );
        }
      }
      variable(grant.env, `grants.table ${grant.table}`);
    }
  }
  if (usesEventStore(consumer)) variable(consumer.eventStoreEnv ?? 'TABLE_NAME', 'eventStoreEnv');
  else if (consumer.eventStoreEnv !== undefined) fail('eventStoreEnv is set but it has no event store grant');
}

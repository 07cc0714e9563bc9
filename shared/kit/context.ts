import type { AnyCatalog } from './events/catalog.ts';

/** One consumer of a context, as data: where its events come from and how it is run. */
export interface ContextConsumerDefinition {
  /** Lower-case kebab name: its construct, its service name (`<context>-<name>`), its dashboard row. */
  readonly name: string;
  /** Handler file relative to the repository root, e.g. `functions/onboarding/accounts.ts`. */
  readonly entry: string;
  /** Stored events of the pipeline the outbox delivers straight to its queue. */
  readonly stored?: readonly string[];
  /** Events it takes first-hand from producers on the bus (it is their intake, their one writer). */
  readonly intake?: readonly string[];
  /** Other contexts' integration events it takes from the bus once stored (they carry the outbox's mark). */
  readonly fromBus?: readonly string[];
  /**
   * Per-key order: a FIFO queue whose message group is the event's stream, so one stream's events are
   * handled one at a time, in order, and streams in parallel. Fed by the outbox only. @default false
   */
  readonly ordered?: boolean;
  /** On a flow's critical path (`immediate`) or not (`gathered`, up to 1 s). @default 'immediate' */
  readonly batching?: 'immediate' | 'gathered';
  /** @default 5 */
  readonly maxReceiveCount?: number;
  /** Function timeout. @default 10 */
  readonly timeoutSeconds?: number;
  readonly environment?: Readonly<Record<string, string>>;
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
}

/** Lower-case kebab: words of letters and digits joined by single hyphens. */
const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** `cart-1` → `Cart1`: construct ids and output names; two names must not meet here. */
export function pascalName(name: string): string {
  return name.replace(/(^|-)([a-z0-9])/g, (_, _dash: string, letter: string) => letter.toUpperCase());
}

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
  if (definition.consumers.length === 0)
    throw new Error(`${definition.name}: at least one consumer is required`);
  const names = new Map<string, string>();
  const intakeOwners = new Map<string, string>();
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
    known(consumer.stored ?? [], `${where}.stored`);
    known(consumer.intake ?? [], `${where}.intake`);
    known(consumer.fromBus ?? [], `${where}.fromBus`);
    const total = [consumer.stored, consumer.intake, consumer.fromBus].flatMap((types) => types ?? []);
    if (total.length === 0) fail('takes no event type');
    // EventBridge gives a FIFO target one static message group: per-stream order needs the outbox.
    if (consumer.ordered && [...(consumer.intake ?? []), ...(consumer.fromBus ?? [])].length > 0) {
      fail('an ordered (FIFO) consumer is fed by the outbox only');
    }
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
    if (consumer.ordered && consumer.batching === 'gathered') {
      fail('an ordered (FIFO) consumer takes no batching window: leave batching unset');
    }
    const timeout = consumer.timeoutSeconds;
    if (timeout !== undefined && !(Number.isInteger(timeout) && timeout >= 1 && timeout <= 900)) {
      fail(`timeoutSeconds must be a whole number of seconds from 1 to 900, got ${timeout}`);
    }
    if (!/^functions\/[\w-]+\/[\w.-]+\.ts$/.test(consumer.entry)) {
      fail(`entry must be functions/<folder>/<file>.ts, got ${consumer.entry}`);
    }
  }
}

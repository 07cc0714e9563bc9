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
}

const NAME = /^[a-z][a-z0-9-]*$/;

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
  const names = new Set<string>();
  for (const consumer of definition.consumers) {
    const where = `consumers.${consumer.name}`;
    if (!NAME.test(consumer.name))
      throw new Error(`${definition.name}.${where}: name must be lower-case kebab`);
    if (names.has(consumer.name)) throw new Error(`${definition.name}.${where}: defined twice`);
    names.add(consumer.name);
    known(consumer.stored ?? [], `${where}.stored`);
    known(consumer.intake ?? [], `${where}.intake`);
    known(consumer.fromBus ?? [], `${where}.fromBus`);
    const total = [consumer.stored, consumer.intake, consumer.fromBus].flatMap((types) => types ?? []);
    if (total.length === 0) throw new Error(`${definition.name}.${where}: takes no event type`);
    // EventBridge gives a FIFO target one static message group: per-stream order needs the outbox.
    if (consumer.ordered && [...(consumer.intake ?? []), ...(consumer.fromBus ?? [])].length > 0) {
      throw new Error(`${definition.name}.${where}: an ordered (FIFO) consumer is fed by the outbox only`);
    }
  }
}

import type { DecodedMessage } from '../dlq/decode.ts';
import type { RedriveResult } from '../dlq/redrive.ts';
import type { DlqListEntry } from '../dlq/render.ts';
import type { Topology } from '../docs/topology.ts';
import type { InjectedEvent } from '../ops/inject.ts';
import type { QueueStatus } from '../ops/status.ts';
import type { TailedEvent } from '../ops/tail.ts';
import type { Trace } from '../ops/trace.ts';

/** A live feed of bus events (`pipeline tail`'s tap): `next` long-polls, `close` removes what it created. */
export interface EventFeed {
  next(waitSeconds: number): Promise<TailedEvent[]>;
  close(): Promise<void>;
}

/** One catalog type as the inject form builds it: the JSON Schema of its data and an example. */
export interface CatalogEntry {
  readonly type: string;
  /** The JSON Schema (draft 2020-12) of the event's `data`. */
  readonly schema: Record<string, unknown>;
  readonly example: unknown;
  /** True for the commands producers send; other types are refused by whichever consumer gets them. */
  readonly intake: boolean;
}

/**
 * Everything the console reads or does, as one port: the server knows nothing of AWS, so its tests
 * drive it with in-memory ports, and production wires each method to the module its CLI command uses.
 */
export interface ConsolePorts {
  /** Stack name and where it runs, for the page header. */
  readonly stackName: string;
  readonly where: string;
  /** The deployed topology (docs' model), read from the stack's template. */
  topology(): Promise<Topology>;
  /** Every queue's depth, DLQs marked (`pipeline status`). */
  depths(): Promise<QueueStatus[]>;
  /** Opens a tap on the bus (`pipeline tail`). */
  openEvents(): Promise<EventFeed>;
  /** One flow by order id or correlation id (`pipeline trace --json`). */
  trace(id: string): Promise<Trace>;
  /** Every DLQ with depth and oldest age (`pipeline dlq list`). */
  deadLetters(): Promise<DlqListEntry[]>;
  /** Decoded messages of one DLQ, left in place (`pipeline dlq show`). */
  deadLetterMessages(queue: string, limit: number): Promise<DecodedMessage[]>;
  /** Moves the chosen messages back, audited (`pipeline dlq redrive --ids`). */
  redrive(queue: string, ids: readonly string[]): Promise<RedriveResult>;
  /** The catalog's latest version of every type. */
  catalog(): CatalogEntry[];
  /** Validates and puts one event on the bus (`pipeline inject`). */
  inject(type: string, data: unknown, correlationId?: string): Promise<InjectedEvent[]>;
}

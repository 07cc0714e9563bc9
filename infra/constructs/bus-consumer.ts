import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { type EventPattern, Rule } from 'aws-cdk-lib/aws-events';
import type { Construct } from 'constructs';
import type { AnyCatalog } from '../../shared/kit/events/catalog.ts';
import { cdkEventPattern } from '../../shared/kit/events/patterns.ts';
import { LIVE_EVENTS_ONLY } from '../../shared/kit/replay.ts';
import { QueueConsumer, type QueueConsumerProps } from './queue-consumer.ts';
import type { RuleTargets } from './rule-targets.ts';

/** Props of {@link BusConsumer}. */
export interface BusConsumerProps extends Omit<QueueConsumerProps, 'queue'> {
  readonly bus: IEventBus;
  /** Gives the rule's target its DLQ and retry policy. */
  readonly ruleTargets: RuleTargets;
  /** Defines the event types below: a misspelled type fails the synth. */
  readonly catalog: AnyCatalog;
  /**
   * Catalog events the consumer takes from the bus once stored: the rule matches exactly these when
   * they carry the outbox's stored mark. Empty when the outbox delivers its stored events to its queue
   * directly (`OutboxPublisher.deliverTo`) and only its intake comes from the bus. @default none
   */
  readonly eventTypes?: readonly string[];
  /**
   * Catalog events the consumer takes before they are stored (it is their intake, their one writer):
   * a second rule matches these when they do not carry the stored mark. @default none
   */
  readonly intakeTypes?: readonly string[];
  /** @default "<id>: <event types>" */
  readonly description?: string;
}

/**
 * The flow bus → rule → queue (+DLQ) → Lambda: a {@link QueueConsumer} whose queue is fed by a rule
 * matching the stored catalog events it handles (and, for an intake, a rule for its commands not yet stored) (pattern from `cdkEventPattern`, so a misspelled type fails
 * the synth). The rule target has a DLQ and a retry policy like every target of the pipeline.
 */
export class BusConsumer extends QueueConsumer {
  /** The rule for stored events (see {@link BusConsumerProps.eventTypes}). */
  readonly rule: Rule | undefined;
  /** The rule for events not yet stored (see {@link BusConsumerProps.intakeTypes}). */
  readonly intakeRule: Rule | undefined;

  constructor(scope: Construct, id: string, props: BusConsumerProps) {
    super(scope, id, props);
    const stored = props.eventTypes ?? [];
    const intake = props.intakeTypes ?? [];
    if (stored.length === 0 && intake.length === 0) {
      throw new Error(`${id}: at least one event type (eventTypes or intakeTypes) is required`);
    }
    this.rule =
      stored.length === 0
        ? undefined
        : new Rule(this, 'Rule', {
            eventBus: props.bus,
            description: props.description ?? `${id}: ${stored.join(', ')}`.slice(0, 512),
            // Any source: a stored event keeps its producer's source (a bare-data producer names its
            // own), and the stored mark, checked against the store by the consumer, makes it ours.
            eventPattern: liveOnly(
              cdkEventPattern({ catalog: props.catalog, types: stored, stored: true, sources: 'any' }),
            ),
            targets: [props.ruleTargets.queue(this.queue)],
          });
    this.intakeRule =
      intake.length === 0
        ? undefined
        : new Rule(this, 'IntakeRule', {
            eventBus: props.bus,
            description: `${id} intake (not yet stored): ${intake.join(', ')}`.slice(0, 512),
            // Any source: a producer's command on the pipeline's own bus is meant for it, whatever
            // the producer calls itself; the derived envelope keeps that source.
            eventPattern: liveOnly(
              cdkEventPattern({ catalog: props.catalog, types: intake, stored: false, sources: 'any' }),
            ),
            targets: [props.ruleTargets.queue(this.queue)],
          });
  }
}

/**
 * A consumer rule takes live traffic only: replayed events reach a consumer through `pipeline replay`'s
 * staging rule and forwarder, paced and addressed (see shared/kit/replay.ts), never straight off the
 * bus. (`replay-name` is not a field of CDK's EventPattern type; CDK renders unknown keys as given.)
 */
export function liveOnly(pattern: EventPattern): EventPattern {
  return { ...pattern, ...LIVE_EVENTS_ONLY } as EventPattern;
}

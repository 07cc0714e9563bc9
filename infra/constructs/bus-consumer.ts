import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { Rule } from 'aws-cdk-lib/aws-events';
import type { Construct } from 'constructs';
import type { EventType } from '../../shared/events/catalog.ts';
import { cdkEventPattern } from '../../shared/events/patterns.ts';
import { QueueConsumer, type QueueConsumerProps } from './queue-consumer.ts';
import type { RuleTargets } from './rule-targets.ts';

/** Props of {@link BusConsumer}. */
export interface BusConsumerProps extends Omit<QueueConsumerProps, 'queue'> {
  readonly bus: IEventBus;
  /** Gives the rule's target its DLQ and retry policy. */
  readonly ruleTargets: RuleTargets;
  /** Catalog events the consumer handles: the rule matches exactly these (type and owning source). */
  readonly eventTypes: readonly EventType[];
  /** @default "<id>: <event types>" */
  readonly description?: string;
}

/**
 * The flow bus → rule → queue (+DLQ) → Lambda: a {@link QueueConsumer} whose queue is fed by a rule
 * matching the catalog events it handles (pattern from `cdkEventPattern`, so a misspelled type fails
 * the synth). The rule target has a DLQ and a retry policy like every target of the pipeline.
 */
export class BusConsumer extends QueueConsumer {
  readonly rule: Rule;

  constructor(scope: Construct, id: string, props: BusConsumerProps) {
    super(scope, id, props);
    if (props.eventTypes.length === 0) throw new Error(`${id}: at least one event type is required`);
    this.rule = new Rule(this, 'Rule', {
      eventBus: props.bus,
      description: props.description ?? `${id}: ${props.eventTypes.join(', ')}`.slice(0, 512),
      eventPattern: cdkEventPattern({ types: props.eventTypes }),
      targets: [props.ruleTargets.queue(this.queue)],
    });
  }
}

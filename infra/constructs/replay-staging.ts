import { Duration } from 'aws-cdk-lib';
import { type EventPattern, type IEventBus, Rule } from 'aws-cdk-lib/aws-events';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { REPLAYED_EVENTS_ONLY } from '../../shared/kit/replay.ts';
import type { StageSettings } from '../stages.ts';
import { ConsumerQueue } from './consumer-queue.ts';
import type { RuleTargets } from './rule-targets.ts';

/** Props of {@link ReplayStaging}. */
export interface ReplayStagingProps {
  readonly stage: StageSettings;
  readonly bus: IEventBus;
  /** Gives the rule's target its DLQ and retry policy. */
  readonly ruleTargets: RuleTargets;
  readonly alarmTopic?: ITopic;
}

/**
 * The flow archive replay → staging rule → staging queue, drained by `pipeline replay`, which forwards
 * each event, paced and filtered, to the consumers that take it (shared/kit/replay.ts). Every consumer
 * rule takes live traffic only, so this rule is the one place a replayed event lands; `pipeline
 * replay` also names it in the replay's FilterArns, so EventBridge evaluates no other rule.
 *
 * Nothing polls the queue between replays: no idle cost. A message the forwarder cannot deliver is
 * received again and, after 5 receives, kept in the staging DLQ (alarmed) rather than dropped. The
 * age alarm (6 h) flags a replay left half-forwarded.
 */
export class ReplayStaging extends Construct {
  readonly rule: Rule;
  readonly queue: ConsumerQueue;

  constructor(scope: Construct, id: string, props: ReplayStagingProps) {
    super(scope, id);
    this.queue = new ConsumerQueue(this, 'Staging', {
      stage: props.stage,
      purpose: 'replayed events waiting for pipeline replay to forward them',
      // The forwarder holds a batch only while it sends it on.
      visibilityTimeout: Duration.seconds(30),
      maxReceiveCount: 5,
      maxMessageAge: Duration.hours(6),
      alarmTopic: props.alarmTopic,
    });
    this.rule = new Rule(this, 'Rule', {
      eventBus: props.bus,
      description: 'Replayed events only, to the staging queue pipeline replay forwards from',
      // `replay-name` is not a field of CDK's EventPattern type; CDK renders unknown keys as given.
      eventPattern: { ...REPLAYED_EVENTS_ONLY } as unknown as EventPattern,
      targets: [props.ruleTargets.queue(this.queue.queue)],
    });
  }
}

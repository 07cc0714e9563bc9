import { Duration } from 'aws-cdk-lib';
import { LambdaFunction, SnsTopic, SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { StageSettings } from '../stages.ts';
import { DeadLetterQueue } from './dead-letter-queue.ts';

/** Props of {@link RuleTargets}. */
export interface RuleTargetsProps {
  readonly stage: StageSettings;
  /** Where the "DLQ not empty" alarm notifies. @default no action */
  readonly alarmTopic?: ITopic;
  /** Delivery attempts EventBridge makes before dead-lettering (0–185). @default 8 */
  readonly retryAttempts?: number;
  /** How long EventBridge keeps retrying one event (1 minute – 24 hours). @default Duration.hours(2) */
  readonly maxEventAge?: Duration;
}

/**
 * Builds EventBridge rule targets that never drop an event silently: each one gets an explicit retry
 * policy (attempts and maximum age) and this construct's dead-letter queue, where EventBridge puts
 * what it could not deliver (target missing, permission denied, retries exhausted).
 */
export class RuleTargets extends Construct {
  readonly deadLetterQueue: DeadLetterQueue;
  readonly retryAttempts: number;
  readonly maxEventAge: Duration;

  constructor(scope: Construct, id: string, props: RuleTargetsProps) {
    super(scope, id);
    this.retryAttempts = props.retryAttempts ?? 8;
    this.maxEventAge = props.maxEventAge ?? Duration.hours(2);
    if (!Number.isInteger(this.retryAttempts) || this.retryAttempts < 0 || this.retryAttempts > 185) {
      throw new Error(`${id}: retryAttempts must be an integer between 0 and 185, got ${this.retryAttempts}`);
    }
    const age = this.maxEventAge.toSeconds();
    if (age < 60 || age > 86_400) {
      throw new Error(`${id}: maxEventAge must be between 1 minute and 24 hours, got ${age} s`);
    }
    this.deadLetterQueue = new DeadLetterQueue(this, 'Dlq', {
      stage: props.stage,
      purpose: 'EventBridge rule targets',
      alarmTopic: props.alarmTopic,
    });
  }

  private get policy() {
    return {
      deadLetterQueue: this.deadLetterQueue.queue,
      retryAttempts: this.retryAttempts,
      maxEventAge: this.maxEventAge,
    };
  }

  /** A queue target (the rule grants itself SendMessage on it). */
  queue(queue: IQueue): SqsQueue {
    return new SqsQueue(queue, this.policy);
  }

  /** A topic target. An encrypted topic's key must let `events.amazonaws.com` use it. */
  topic(topic: ITopic): SnsTopic {
    return new SnsTopic(topic, this.policy);
  }

  /** A Lambda target (asynchronous invocation). */
  function(fn: IFunction): LambdaFunction {
    return new LambdaFunction(fn, this.policy);
  }
}

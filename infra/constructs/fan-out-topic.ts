import type { Duration } from 'aws-cdk-lib';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { type ITopic, type Subscription, SubscriptionFilter, Topic } from 'aws-cdk-lib/aws-sns';
import { SqsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { AnyCatalog } from '../../shared/kit/events/catalog.ts';
import { snsFilterPolicy } from '../../shared/kit/events/patterns.ts';
import type { StageSettings } from '../stages.ts';
import { ConsumerQueue } from './consumer-queue.ts';
import { DeadLetterQueue } from './dead-letter-queue.ts';

/** One subscriber of a {@link FanOutTopic}: a queue that receives the listed catalog events. */
export interface FanOutSubscriber {
  /** Short name used in construct ids and alarm texts, e.g. `email`. */
  readonly name: string;
  /** Catalog events this subscriber receives (attribute-scoped filter policy on `type`). */
  readonly types: readonly string[];
  /** Also require one of these sources. @default any source */
  readonly sources?: readonly string[];
  /**
   * Also filter on message attributes the publisher sets: name → values, any of which matches (an
   * array attribute matches when any element does). A message without the attribute still matches,
   * so a publisher that does not set it loses nothing. @default no other filter
   */
  readonly where?: Readonly<Record<string, readonly string[]>>;
  /** @default 3 */
  readonly maxReceiveCount?: number;
  /** At least six times the timeout of the Lambda that will drain it. @default Duration.seconds(60) */
  readonly visibilityTimeout?: Duration;
}

/** What a {@link FanOutTopic} created for one subscriber. */
export interface FanOutSubscription {
  /** The subscriber's work queue, with its DLQ and alarms. */
  readonly queue: ConsumerQueue;
  readonly subscription: Subscription;
  /** Where SNS puts messages it could not deliver to the queue (subscription redrive policy). */
  readonly deliveryDlq: DeadLetterQueue;
}

/** Props of {@link FanOutTopic}. */
export interface FanOutTopicProps {
  readonly stage: StageSettings;
  /** Defines the subscribers' `types`: a misspelled type fails the synth. */
  readonly catalog: AnyCatalog;
  /** At least one; names must be unique. */
  readonly subscribers: readonly FanOutSubscriber[];
  /** Where the queues' alarms notify. @default no action */
  readonly alarmTopic?: ITopic;
}

const SUBSCRIBER_NAME = /^[a-z][a-z0-9-]{0,30}$/;

/**
 * An SNS topic encrypted with its own KMS key and reachable over TLS only, fanned out to one SQS queue
 * per subscriber. Each subscription delivers raw messages, filters on the `type` message attribute
 * (built from the event catalog by `snsFilterPolicy`, so publishers must set `snsMessageAttributes`),
 * and has a dead-letter queue for messages SNS cannot deliver; each queue has its own DLQ and alarms.
 */
export class FanOutTopic extends Construct {
  readonly topic: Topic;
  readonly key: Key;
  readonly subscribers: Readonly<Record<string, FanOutSubscription>>;

  constructor(scope: Construct, id: string, props: FanOutTopicProps) {
    super(scope, id);
    validateSubscribers(id, props.subscribers);

    this.key = new Key(this, 'Key', {
      description: `Encrypts messages at rest in ${this.node.path}`,
      enableKeyRotation: true,
      removalPolicy: props.stage.removalPolicy,
    });
    this.topic = new Topic(this, 'Topic', { masterKey: this.key, enforceSSL: true });

    const subscribers: Record<string, FanOutSubscription> = {};
    for (const subscriber of props.subscribers) {
      subscribers[subscriber.name] = this.subscribe(subscriber, props);
    }
    this.subscribers = subscribers;
  }

  /**
   * Lets `grantee` publish: `sns:Publish` on the topic, and on its key the two calls SNS makes for an
   * encrypting publisher (`kms:GenerateDataKey`, `kms:Decrypt`), named exactly rather than the
   * `GenerateDataKey*` family `topic.grantPublish` grants.
   */
  grantPublish(grantee: IGrantable): Grant {
    Grant.addToPrincipal({
      grantee,
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resourceArns: [this.key.keyArn],
    });
    return Grant.addToPrincipal({ grantee, actions: ['sns:Publish'], resourceArns: [this.topic.topicArn] });
  }

  private subscribe(subscriber: FanOutSubscriber, props: FanOutTopicProps): FanOutSubscription {
    const scope = new Construct(this, pascal(subscriber.name));
    const queue = new ConsumerQueue(scope, 'Work', {
      stage: props.stage,
      purpose: `${subscriber.name} subscriber of ${this.node.id}`,
      maxReceiveCount: subscriber.maxReceiveCount,
      visibilityTimeout: subscriber.visibilityTimeout,
      alarmTopic: props.alarmTopic,
    });
    const deliveryDlq = new DeadLetterQueue(scope, 'DeliveryDlq', {
      stage: props.stage,
      purpose: `SNS deliveries to the ${subscriber.name} subscriber of ${this.node.id}`,
      alarmTopic: props.alarmTopic,
    });
    const policy = snsFilterPolicy({
      catalog: props.catalog,
      types: subscriber.types,
      ...(subscriber.sources === undefined ? {} : { sources: subscriber.sources }),
    });
    const subscription = this.topic.addSubscription(
      new SqsSubscription(queue.queue, {
        rawMessageDelivery: true,
        deadLetterQueue: deliveryDlq.queue,
        filterPolicy: {
          type: SubscriptionFilter.stringFilter({ allowlist: [...policy.type] }),
          ...(policy.source
            ? { source: SubscriptionFilter.stringFilter({ allowlist: [...policy.source] }) }
            : {}),
          ...Object.fromEntries(
            Object.entries(subscriber.where ?? {}).map(([name, values]) => [
              name,
              // Absent OR one of the values: an event the publisher set no such attribute on is not
              // filtered out. Absent first: the rules are OR-ed in any order on AWS, but moto stops at
              // the first value rule when the attribute is missing (conformance test "SNS attribute filters").
              new SubscriptionFilter([{ exists: false }, ...new Set(values)]),
            ]),
          ),
        },
      }),
    );
    return { queue, subscription, deliveryDlq };
  }
}

function validateSubscribers(id: string, subscribers: readonly FanOutSubscriber[]): void {
  if (subscribers.length === 0) throw new Error(`${id}: at least one subscriber is required`);
  const seen = new Set<string>();
  for (const { name, where } of subscribers) {
    if (!SUBSCRIBER_NAME.test(name)) {
      throw new Error(`${id}: subscriber name "${name}" must be lower-case letters, digits and dashes`);
    }
    if (seen.has(name)) throw new Error(`${id}: subscriber "${name}" is defined twice`);
    seen.add(name);
    for (const [attribute, values] of Object.entries(where ?? {})) {
      if (['type', 'source'].includes(attribute) || values.length === 0) {
        throw new Error(
          `${id}: subscriber "${name}" filters on ${attribute}: not type/source, one value at least`,
        );
      }
    }
  }
}

function pascal(name: string): string {
  return name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { EventEnvelope } from '../../../kit/events/envelope.ts';
import { snsMessageAttributes } from '../../../kit/events/patterns.ts';
import type { EventPublisher } from '../use-cases/outcome-fan-out.ts';

/** Dependencies of {@link SnsEventPublisher}. */
export interface SnsEventPublisherOptions {
  readonly client: Pick<SNSClient, 'send'>;
  readonly topicArn: string;
}

/**
 * Publishes envelopes to an SNS topic: the envelope itself as the message (subscribers with raw
 * delivery receive it as their SQS body) and `snsMessageAttributes(envelope)`, the `type`/`source`
 * attributes the subscriptions' catalog filter policies match on. Without them no subscriber would
 * get anything, which is why an EventBridge → SNS rule target (it cannot set attributes) is not used.
 */
export class SnsEventPublisher implements EventPublisher {
  constructor(private readonly options: SnsEventPublisherOptions) {}

  async publish(event: EventEnvelope<unknown>): Promise<{ readonly messageId: string }> {
    const result = await this.options.client.send(
      new PublishCommand({
        TopicArn: this.options.topicArn,
        Message: JSON.stringify(event),
        MessageAttributes: snsMessageAttributes(event),
      }),
    );
    return { messageId: result.MessageId ?? 'unknown' };
  }
}

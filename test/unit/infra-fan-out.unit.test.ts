import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { AlarmTopic } from '../../infra/constructs/alarm-topic.ts';
import { FanOutTopic } from '../../infra/constructs/fan-out-topic.ts';
import { stageSettings } from '../../infra/stages.ts';
import { NOTIFICATION_SUBSCRIPTIONS as NOTIFICATION_CHANNELS } from '../../shared/contexts/orders/definition.ts';
import type { EventType } from '../../shared/contexts/orders/events/catalog.ts';
import { ordersCatalog } from '../../shared/contexts/orders/events/catalog.ts';
import { snsFilterPolicy } from '../../shared/kit/events/patterns.ts';
import { type CfnResource, pipelineTemplate, referencedId, testStack } from './infra-fixture.ts';

const template = pipelineTemplate('dev');
const subscriptions = Object.values(template.findResources('AWS::SNS::Subscription')) as CfnResource[];
const stage = stageSettings('dev');

describe('infra: notifications fan-out topic', () => {
  it('encrypts the topic with its own rotating KMS key', () => {
    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OrdersNotificationsKey'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      Description: Match.stringLikeRegexp('Notifications'),
      EnableKeyRotation: true,
    });
  });

  it('refuses publishing over plain HTTP to every topic', () => {
    for (const id of Object.keys(template.findResources('AWS::SNS::Topic'))) {
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        Topics: [{ Ref: id }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 'sns:Publish',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    }
  });

  it('subscribes one queue per channel with raw delivery, a catalog filter and a delivery DLQ', () => {
    expect(subscriptions).toHaveLength(NOTIFICATION_CHANNELS.length);
    for (const channel of NOTIFICATION_CHANNELS) {
      // Arrange
      const prefix = `OrdersNotifications${channel.name.charAt(0).toUpperCase()}${channel.name.slice(1)}`;
      const subscription = subscriptions.find((s) =>
        referencedId(s.Properties?.Endpoint)?.startsWith(`${prefix}WorkQueue`),
      );

      // Assert
      expect(subscription?.Properties).toMatchObject({
        Protocol: 'sqs',
        RawMessageDelivery: true,
        FilterPolicy: snsFilterPolicy({
          catalog: ordersCatalog,
          types: channel.types as readonly EventType[],
        }),
        RedrivePolicy: {
          deadLetterTargetArn: { 'Fn::GetAtt': [expect.stringMatching(`^${prefix}DeliveryDlq`), 'Arn'] },
        },
      });
      expect(subscription?.Properties?.FilterPolicyScope ?? 'MessageAttributes').toBe('MessageAttributes');
    }
  });

  it('lets only the topic write to a channel queue and its delivery DLQ', () => {
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: Match.stringLikeRegexp('^OrdersNotificationsEmailDeliveryDlqQueue') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sqs:SendMessage',
            Principal: { Service: 'sns.amazonaws.com' },
            Condition: {
              ArnEquals: { 'aws:SourceArn': { Ref: Match.stringLikeRegexp('^OrdersNotificationsTopic') } },
            },
          }),
        ]),
      },
    });
  });

  it('rejects duplicate subscribers, odd names, unknown event types and an empty list', () => {
    const fanOut = (subscribers: unknown) =>
      new FanOutTopic(testStack(), 'Topic', {
        stage,
        catalog: ordersCatalog,
        subscribers: subscribers as never,
      });
    expect(() => fanOut([])).toThrow(/at least one/);
    expect(() => fanOut([{ name: 'Email', types: ['OrderPlaced'] }])).toThrow(/lower-case/);
    expect(() =>
      fanOut([
        { name: 'email', types: ['OrderPlaced'] },
        { name: 'email', types: ['OrderPlaced'] },
      ]),
    ).toThrow(/twice/);
    expect(() => fanOut([{ name: 'email', types: ['OrderPlacd'] }])).toThrow(/OrderPlaced/);
  });
});

describe('infra: alarm topic', () => {
  it('lets CloudWatch alarms of this account publish to it and use its key', () => {
    const fromOurAlarms = {
      StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
      ArnLike: { 'aws:SourceArn': Match.anyValue() },
    };
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: Match.stringLikeRegexp('^AlarmsTopic') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: fromOurAlarms,
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Condition: fromOurAlarms }),
        ]),
      },
    });
  });

  it('subscribes an email address when given one, and refuses a malformed one', () => {
    // Arrange
    const stack = testStack();

    // Act
    new AlarmTopic(stack, 'Alarms', { email: 'ops@example.com' });

    // Assert
    Template.fromStack(stack).hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
    template.resourcePropertiesCountIs('AWS::SNS::Subscription', { Protocol: 'email' }, 0);
    expect(() => new AlarmTopic(testStack(), 'Alarms', { email: 'not-an-address' })).toThrow(/email/);
  });
});

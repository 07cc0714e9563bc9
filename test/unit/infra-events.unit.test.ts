import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { PipelineEventBus } from '../../infra/constructs/event-bus.ts';
import { RuleTargets } from '../../infra/constructs/rule-targets.ts';
import { stageSettings } from '../../infra/stages.ts';
import { type CfnResource, pipelineTemplate, referencedId, testStack } from './infra-fixture.ts';

const template = pipelineTemplate('dev');
const prodTemplate = pipelineTemplate('prod');

describe('infra: event bus', () => {
  it('lets only this account put events on the bus', () => {
    template.hasResourceProperties('AWS::Events::EventBus', {
      Name: 'OrderPipeline-dev-bus',
      Policy: {
        Statement: [
          {
            Sid: 'PutEventsFromAllowedAccounts',
            Effect: 'Allow',
            Action: 'events:PutEvents',
            Principal: { AWS: [{ 'Fn::Join': ['', Match.arrayWith([{ Ref: 'AWS::AccountId' }, ':root'])] }] },
            Resource: Match.anyValue(),
          },
        ],
      },
    });
  });

  it('lets the accounts it is configured with put events, and nobody else', () => {
    // Arrange
    const stack = testStack();

    // Act
    new PipelineEventBus(stack, 'Bus', {
      busName: 'shared-bus',
      putEventsAccounts: ['111111111111', '222222222222'],
    });

    // Assert
    Template.fromStack(stack).hasResourceProperties('AWS::Events::EventBus', {
      Policy: {
        Statement: [
          Match.objectLike({
            Principal: {
              AWS: ['111111111111', '222222222222'].map((account) => ({
                'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${account}:root`]],
              })),
            },
          }),
        ],
      },
    });
  });

  it('archives every event of the account for replay, for as long as the stage says', () => {
    const archive = (retention: number) => ({
      ArchiveName: Match.stringLikeRegexp('-bus-archive$'),
      EventPattern: { account: [{ Ref: 'AWS::AccountId' }] },
      RetentionDays: retention,
      SourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EventsBus'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::Events::Archive', archive(7));
    prodTemplate.hasResource('AWS::Events::Archive', {
      Properties: archive(365),
      DeletionPolicy: 'Retain',
    });
  });

  it('registers a schema discoverer only when asked to', () => {
    // Arrange
    const stack = testStack();

    // Act
    new PipelineEventBus(stack, 'Bus', { busName: 'discovered', schemaDiscovery: true });

    // Assert
    template.resourceCountIs('AWS::EventSchemas::Discoverer', 0);
    Template.fromStack(stack).hasResourceProperties('AWS::EventSchemas::Discoverer', {
      SourceArn: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] },
      CrossAccount: false,
    });
  });

  it('rejects an account id that is not 12 digits and a retention in part days', () => {
    expect(() => new PipelineEventBus(testStack(), 'Bus', { putEventsAccounts: ['12345'] })).toThrow(
      /12-digit/,
    );
    expect(() => new PipelineEventBus(testStack(), 'Bus', { putEventsAccounts: [] })).toThrow(/at least one/);
    expect(() => new PipelineEventBus(testStack(), 'Bus', { archiveRetention: Duration.hours(36) })).toThrow(
      /whole days/,
    );
  });
});

describe('infra: rule targets', () => {
  it('gives every rule target a dead-letter queue and an explicit retry policy', () => {
    const rules = Object.values(template.findResources('AWS::Events::Rule')) as CfnResource[];
    const targets = rules.flatMap((rule) => (rule.Properties?.Targets as Record<string, unknown>[]) ?? []);
    expect(targets.length).toBeGreaterThan(0);
    for (const target of targets) {
      expect(target).toMatchObject({
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [expect.stringMatching(/Dlq/), 'Arn'] } },
        RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 7200 },
      });
    }
  });

  it("routes every context's events on the bus to the walking-skeleton recorder queue", () => {
    const rules = Object.entries(template.findResources('AWS::Events::Rule')) as [string, CfnResource][];
    const rule = rules.find(([id]) => id.startsWith('RecordAllOrderEvents'))?.[1];
    const [target] = (rule?.Properties?.Targets as { Arn: unknown }[]) ?? [];
    expect(rule?.Properties?.EventPattern).toEqual({
      source: [{ prefix: 'orders.' }, { prefix: 'onboarding.' }],
      'replay-name': [{ exists: false }],
    });
    expect(referencedId(rule?.Properties?.EventBusName)).toMatch(/^EventsBus/);
    expect(referencedId(target?.Arn)).toMatch(/^RecorderWorkQueue/);
  });

  it('lets only the rule that dead-letters into it write to the rule-target DLQ', () => {
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: Match.stringLikeRegexp('^RuleTargetsDlqQueue') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sqs:SendMessage',
            Principal: { Service: 'events.amazonaws.com' },
            Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] } } },
          }),
        ]),
      },
    });
  });

  it('rejects retry settings EventBridge does not accept', () => {
    const stage = stageSettings('dev');
    expect(() => new RuleTargets(testStack(), 'T', { stage, retryAttempts: 186 })).toThrow(/retryAttempts/);
    expect(() => new RuleTargets(testStack(), 'T', { stage, maxEventAge: Duration.seconds(30) })).toThrow(
      /maxEventAge/,
    );
    expect(() => new RuleTargets(testStack(), 'T', { stage, maxEventAge: Duration.hours(25) })).toThrow(
      /maxEventAge/,
    );
  });
});

describe('infra: replays reach consumers only through the staging rule', () => {
  for (const [stage, t] of [
    ['dev', template],
    ['prod', prodTemplate],
  ] as const) {
    it(`gives every rule of the ${stage} stack but the staging rule a live-traffic-only pattern`, () => {
      const rules = Object.entries(t.findResources('AWS::Events::Rule')) as [string, CfnResource][];
      const staging = rules.filter(([id]) => id.startsWith('ReplaysRule'));
      expect(staging).toHaveLength(1);
      expect(staging[0]?.[1].Properties?.EventPattern).toEqual({ 'replay-name': [{ exists: true }] });
      const others = rules.filter(([id]) => !id.startsWith('ReplaysRule'));
      expect(others.length).toBeGreaterThan(2);
      for (const [id, rule] of others) {
        expect({
          id,
          replay: (rule.Properties?.EventPattern as Record<string, unknown> | undefined)?.['replay-name'],
        }).toEqual({
          id,
          replay: [{ exists: false }],
        });
      }
    });
  }

  it('sends replayed events to a staging queue with a DLQ, and names the rule and queue in outputs', () => {
    const outputs = template.toJSON().Outputs as Record<string, unknown>;
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining(['ReplayRuleArn', 'ReplayStagingQueueUrl', 'ReplayStagingDlqUrl']),
    );
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'replay-name': [{ exists: true }] },
      Targets: [Match.objectLike({ DeadLetterConfig: Match.anyValue(), RetryPolicy: Match.anyValue() })],
    });
  });
});

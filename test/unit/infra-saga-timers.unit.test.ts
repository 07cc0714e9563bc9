import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { stageSettings } from '../../infra/stages.ts';
import { type CfnResource, pipelineStack, pipelineTemplate, referencedId } from './infra-fixture.ts';

interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: unknown;
}

const template = pipelineTemplate('dev');
const resources = template.toJSON().Resources as Record<string, CfnResource>;
const [groupId, group] = Object.entries(template.findResources('AWS::Scheduler::ScheduleGroup'))[0] as [
  string,
  CfnResource,
];
const groupName = group.Properties?.Name as string;
type Environment = { Variables: Record<string, unknown> } | undefined;
const environmentOf = (r: CfnResource) => (r.Properties?.Environment as Environment)?.Variables ?? {};
const [sagaFnId, sagaFn] = Object.entries(resources).find(
  ([, r]) => r.Type === 'AWS::Lambda::Function' && environmentOf(r).POWERTOOLS_SERVICE_NAME === 'order-saga',
) as [string, CfnResource];
const sagaEnv = environmentOf(sagaFn);
const sagaQueueId = referencedId(sagaEnv.QUEUE_URL) as string;
const deliveryRoleId = referencedId(sagaEnv.TIMER_SCHEDULER_ROLE_ARN) as string;

/** The statements of the policies attached to a role. */
function statementsOf(roleId: string): Statement[] {
  return Object.values(resources)
    .filter(
      (r) =>
        r.Type === 'AWS::IAM::Policy' &&
        ((r.Properties?.Roles as unknown[]) ?? []).some((role) => referencedId(role) === roleId),
    )
    .flatMap(
      (p) => (p.Properties?.PolicyDocument as { Statement?: Statement[] } | undefined)?.Statement ?? [],
    );
}

const actionsOf = (statements: Statement[]) => statements.flatMap((s) => [s.Action].flat());

describe('infra: saga timers on EventBridge Scheduler', () => {
  it('creates one schedule group, removed with a dev stack, kept with a prod one', () => {
    const prodGroup = Object.values(pipelineTemplate('prod').findResources('AWS::Scheduler::ScheduleGroup'));

    expect(Object.keys(template.findResources('AWS::Scheduler::ScheduleGroup'))).toEqual([groupId]);
    expect(groupName.length).toBeLessThanOrEqual(64);
    expect(group.DeletionPolicy).toBe('Delete');
    expect(prodGroup.map((g) => (g as CfnResource).DeletionPolicy)).toEqual(['Retain']);
  });

  it('lets only Scheduler of this account assume the delivery role', () => {
    const trust = resources[deliveryRoleId]?.Properties?.AssumeRolePolicyDocument as {
      Statement: Statement[];
    };

    expect(trust.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Principal: { Service: 'scheduler.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      },
    ]);
  });

  it('lets the delivery role send to the saga queue and do nothing else', () => {
    const statements = statementsOf(deliveryRoleId);

    expect(actionsOf(statements)).toEqual(['sqs:SendMessage']);
    expect(referencedId(statements[0]?.Resource)).toBe(sagaQueueId);
  });

  it('lets the saga create and delete schedules in its group only, and pass the delivery role to Scheduler only', () => {
    const statements = statementsOf(referencedId(sagaFn.Properties?.Role) as string);
    const scheduling = statements.filter((s) => actionsOf([s]).some((a) => a.startsWith('scheduler:')));
    const passing = statements.filter((s) => actionsOf([s]).includes('iam:PassRole'));

    expect(scheduling).toHaveLength(1);
    expect(actionsOf(scheduling).sort()).toEqual(['scheduler:CreateSchedule', 'scheduler:DeleteSchedule']);
    expect(JSON.stringify(scheduling[0]?.Resource)).toContain(`:schedule/${groupName}/*`);
    expect(passing).toEqual([
      {
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: { 'Fn::GetAtt': [deliveryRoleId, 'Arn'] },
        Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      },
    ]);
    expect(
      actionsOf(statements).filter((a) => a.startsWith('scheduler:') || a.startsWith('iam:')),
    ).toHaveLength(3);
  });

  it('tells the saga its group, delivery role, queue ARN and the stage threshold', () => {
    expect(sagaEnv).toMatchObject({
      TIMER_SCHEDULE_GROUP: groupName,
      TIMER_SCHEDULER_ROLE_ARN: { 'Fn::GetAtt': [deliveryRoleId, 'Arn'] },
      TIMER_QUEUE_ARN: { 'Fn::GetAtt': [sagaQueueId, 'Arn'] },
      TIMER_SCHEDULER_AFTER_SECONDS: '900',
    });
    expect(sagaFnId).toMatch(/Saga/);
  });

  it('takes a lowered threshold from the deploy context, and refuses one an SQS delay cannot cover', () => {
    const lowered = Template.fromStack(
      pipelineStack('dev', { context: { timerSchedulerAfterSeconds: '10' } }),
    );
    const env = Object.values(lowered.findResources('AWS::Lambda::Function'))
      .map((r) => environmentOf(r as CfnResource))
      .find((e) => e.POWERTOOLS_SERVICE_NAME === 'order-saga');

    expect(env?.TIMER_SCHEDULER_AFTER_SECONDS).toBe('10');
    expect(stageSettings('prod', { timerSchedulerAfterSeconds: 60 }).timerSchedulerAfter).toEqual(
      Duration.seconds(60),
    );
    expect(() => stageSettings('dev', { timerSchedulerAfterSeconds: '901' })).toThrow(/1 to 900/);
    expect(() => stageSettings('dev', { timerSchedulerAfterSeconds: 'soon' })).toThrow(/1 to 900/);
  });
});

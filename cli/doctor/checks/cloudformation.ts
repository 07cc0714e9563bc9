import {
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { DescribeArchiveCommand } from '@aws-sdk/client-eventbridge';
import { queueAttributes, required } from '../resources.ts';
import { type Check, type CheckContext, CheckFailed } from '../types.ts';

/**
 * Creates a throwaway stack from the template, waits for CREATE_COMPLETE and returns the physical id
 * of each resource by logical id. The stack is deleted when the check ends.
 */
async function deployTemplate(ctx: CheckContext, resources: object): Promise<Record<string, string>> {
  const { cloudformation } = ctx.clients;
  const stackName = ctx.name('stack');
  const template = {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: 'pipeline doctor probe (deleted when the check ends)',
    Resources: resources,
  };
  await cloudformation.send(
    new CreateStackCommand({ StackName: stackName, TemplateBody: JSON.stringify(template) }),
  );
  ctx.defer(`stack ${stackName}`, () =>
    cloudformation.send(new DeleteStackCommand({ StackName: stackName })),
  );
  await ctx.poll(
    async () => {
      const stack = (await cloudformation.send(new DescribeStacksCommand({ StackName: stackName })))
        .Stacks?.[0];
      const status = stack?.StackStatus ?? '';
      if (status === 'CREATE_COMPLETE') return true;
      if (/FAILED|ROLLBACK/.test(status)) {
        throw new CheckFailed(`stack ${status}: ${stack?.StackStatusReason ?? 'no reason given'}`);
      }
      return undefined;
    },
    { what: `stack ${stackName} to reach CREATE_COMPLETE`, timeoutMs: 75_000, intervalMs: 500 },
  );
  const described = await cloudformation.send(new DescribeStackResourcesCommand({ StackName: stackName }));
  return Object.fromEntries(
    (described.StackResources ?? []).map((r) => [r.LogicalResourceId ?? '', r.PhysicalResourceId ?? '']),
  );
}

export const cfnSqsRedrive: Check = {
  id: 'cfn-sqs-redrive',
  title: 'SQS RedrivePolicy set through CloudFormation',
  breaks: 'deployed queues have no DLQ: poison messages loop forever although the template says otherwise',
  timeoutMs: 90_000,
  async run(ctx) {
    const physical = await deployTemplate(ctx, {
      DeadLetters: { Type: 'AWS::SQS::Queue', Properties: { MessageRetentionPeriod: 300 } },
      Work: {
        Type: 'AWS::SQS::Queue',
        Properties: {
          VisibilityTimeout: 5,
          RedrivePolicy: {
            deadLetterTargetArn: { 'Fn::GetAtt': ['DeadLetters', 'Arn'] },
            maxReceiveCount: 3,
          },
        },
      },
    });
    const dlqUrl = required(physical.DeadLetters, 'the stack has no DeadLetters queue');
    const queueUrl = required(physical.Work, 'the stack has no Work queue');
    const dlqArn = (await queueAttributes(ctx, dlqUrl, ['QueueArn'])).QueueArn;
    const raw = (await queueAttributes(ctx, queueUrl, ['RedrivePolicy'])).RedrivePolicy;
    if (!raw) throw new CheckFailed('the queue created by CloudFormation has no RedrivePolicy');
    const policy = JSON.parse(raw) as { deadLetterTargetArn?: string; maxReceiveCount?: number | string };
    if (policy.deadLetterTargetArn !== dlqArn || Number(policy.maxReceiveCount) !== 3) {
      throw new CheckFailed(
        `RedrivePolicy is ${raw}; expected the stack's DLQ (${dlqArn}) and maxReceiveCount 3`,
      );
    }
    return 'RedrivePolicy present with the DLQ and maxReceiveCount 3';
  },
};

export const cfnEventsArchive: Check = {
  id: 'cfn-events-archive',
  title: 'EventBridge archive deployed through CloudFormation (AWS::Events::Archive)',
  breaks:
    'a plain `cdk deploy` of the stack fails here; `pipeline deploy` works around it on MiniStack (deploys without the archive, then creates it through events:CreateArchive, visibly)',
  // Info, not required: the CLI's local-cloud fix-up covers it (cli/cloud/template-patches.ts).
  severity: 'info',
  timeoutMs: 90_000,
  async run(ctx) {
    // Named: an archive name holds 48 characters, and a name generated from this long stack name
    // does not fit on every endpoint (moto refuses the stack).
    const archiveName = ctx.name('archive');
    const physical = await deployTemplate(ctx, {
      Bus: { Type: 'AWS::Events::EventBus', Properties: { Name: ctx.name('bus') } },
      Archive: {
        Type: 'AWS::Events::Archive',
        Properties: {
          ArchiveName: archiveName,
          SourceArn: { 'Fn::GetAtt': ['Bus', 'Arn'] },
          RetentionDays: 1,
        },
      },
    });
    // The physical id is the archive's name on AWS; moto reports none, so the given name stands in.
    const archive = await ctx.clients.events.send(
      new DescribeArchiveCommand({ ArchiveName: physical.Archive || archiveName }),
    );
    return `archive ${archive.ArchiveName} created (state ${archive.State ?? 'unknown'})`;
  },
};

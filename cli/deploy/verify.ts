import {
  DescribeStacksCommand,
  paginateListStackResources,
  type StackResourceSummary,
} from '@aws-sdk/client-cloudformation';
import { DescribeAlarmsCommand, GetDashboardCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DescribeEventBusCommand, DescribeRuleCommand } from '@aws-sdk/client-eventbridge';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { GetEventSourceMappingCommand, GetFunctionCommand } from '@aws-sdk/client-lambda';
import { GetScheduleGroupCommand } from '@aws-sdk/client-scheduler';
import { GetSubscriptionAttributesCommand, GetTopicAttributesCommand } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { clientsFor } from '../cloud/clients.ts';
import type { Target } from '../cloud/target.ts';

/** One deployed resource and whether its service confirms it exists. */
export interface ResourceCheck {
  readonly logicalId: string;
  readonly type: string;
  readonly physicalId: string;
  readonly status: 'exists' | 'missing' | 'not-checked';
  readonly error?: string;
}

type Checker = (physicalId: string) => Promise<unknown>;

function checkers(target: Target, busNames: readonly string[]): Record<string, Checker> {
  const {
    sqs,
    dynamodb: dynamo,
    lambda,
    events,
    sns,
    iam,
    cloudwatch,
    logs,
    kms,
    scheduler,
  } = clientsFor(target);
  return {
    'AWS::SQS::Queue': (url) =>
      sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] })),
    'AWS::DynamoDB::Table': (name) => dynamo.send(new DescribeTableCommand({ TableName: name })),
    'AWS::Lambda::Function': (name) => lambda.send(new GetFunctionCommand({ FunctionName: name })),
    'AWS::Lambda::EventSourceMapping': (uuid) =>
      lambda.send(new GetEventSourceMappingCommand({ UUID: uuid })),
    'AWS::Events::EventBus': (name) => events.send(new DescribeEventBusCommand({ Name: name })),
    'AWS::Events::Rule': async (id) => {
      // AWS names a rule on a custom bus "busName|ruleName"; some emulators use the bare rule name,
      // so without a bus in the id every bus of the stack (and the default one) is asked.
      if (id.includes('|')) {
        const [bus, rule] = id.split('|');
        return events.send(new DescribeRuleCommand({ Name: rule, EventBusName: bus }));
      }
      let lastError: unknown;
      for (const bus of [...busNames, undefined]) {
        try {
          return await events.send(new DescribeRuleCommand({ Name: id, EventBusName: bus }));
        } catch (error) {
          lastError = error;
        }
      }
      throw lastError;
    },
    'AWS::SNS::Topic': (arn) => sns.send(new GetTopicAttributesCommand({ TopicArn: arn })),
    'AWS::SNS::Subscription': (arn) =>
      sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: arn })),
    'AWS::IAM::Role': (name) => iam.send(new GetRoleCommand({ RoleName: name })),
    'AWS::CloudWatch::Alarm': async (name) => {
      const found = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [name] }));
      if ((found.MetricAlarms ?? []).length === 0) throw new Error('alarm not found');
    },
    // GetDashboard, not ListDashboards: MiniStack answers the latter with a date the SDK cannot parse.
    'AWS::CloudWatch::Dashboard': (name) => cloudwatch.send(new GetDashboardCommand({ DashboardName: name })),
    'AWS::KMS::Key': (id) => kms.send(new DescribeKeyCommand({ KeyId: id })),
    'AWS::Scheduler::ScheduleGroup': (name) => scheduler.send(new GetScheduleGroupCommand({ Name: name })),
    'AWS::Logs::LogGroup': async (name) => {
      const found = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name }));
      if (!(found.logGroups ?? []).some((g) => g.logGroupName === name))
        throw new Error('log group not found');
    },
  };
}

/** Stack status and outputs, or undefined when the stack does not exist. */
export async function describeStack(target: Target, stackName: string) {
  const cfn = clientsFor(target).cloudformation;
  try {
    const result = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
    const stack = result.Stacks?.[0];
    if (!stack) return undefined;
    const outputs = Object.fromEntries(
      (stack.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']),
    );
    return { status: stack.StackStatus ?? 'UNKNOWN', outputs };
  } catch (error) {
    if (error instanceof Error && /does not exist/i.test(error.message)) return undefined;
    throw error;
  }
}

/**
 * Asks each service whether the stack's resources really exist: a green deploy is a claim,
 * this is the check. Types without a checker are reported as `not-checked`, never as fine.
 */
export async function verifyStackResources(target: Target, stackName: string): Promise<ResourceCheck[]> {
  const cfn = clientsFor(target).cloudformation;
  const summaries: StackResourceSummary[] = [];
  for await (const page of paginateListStackResources({ client: cfn }, { StackName: stackName })) {
    summaries.push(...(page.StackResourceSummaries ?? []));
  }
  const busNames = summaries
    .filter((s) => s.ResourceType === 'AWS::Events::EventBus')
    .map((s) => s.PhysicalResourceId ?? '');
  const byType = checkers(target, busNames);
  return Promise.all(
    summaries.map(async (resource): Promise<ResourceCheck> => {
      const base = {
        logicalId: resource.LogicalResourceId ?? '?',
        type: resource.ResourceType ?? '?',
        physicalId: resource.PhysicalResourceId ?? '',
      };
      const check = byType[base.type];
      if (!check) return { ...base, status: 'not-checked' };
      try {
        await check(base.physicalId);
        return { ...base, status: 'exists' };
      } catch (error) {
        return { ...base, status: 'missing', error: error instanceof Error ? error.message : String(error) };
      }
    }),
  );
}

import { paginateListStackResources, type StackResourceSummary } from '@aws-sdk/client-cloudformation';
import { ListTargetsByRuleCommand } from '@aws-sdk/client-eventbridge';
import { GetEventSourceMappingCommand, GetFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { GetSubscriptionAttributesCommand, ListSubscriptionsByTopicCommand } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { TargetClients } from '../cloud/clients.ts';
import type { Reporter } from '../output.ts';
import {
  classifyDeadLetterQueues,
  type DeadLetterQueue,
  type DlqLink,
  parseQueueArn,
  type QueueRef,
  type StackQueue,
  stackQueueFrom,
} from './model.ts';

/** The SDK clients the DLQ commands use (from {@link clientsFor}, one set per command). */
export type AwsClients = Pick<TargetClients, 'cloudformation' | 'sqs' | 'events' | 'sns' | 'lambda'>;

/** The stack's queues and, among them, its dead-letter queues. */
export interface StackQueues {
  readonly queues: readonly StackQueue[];
  readonly dlqs: readonly DeadLetterQueue[];
}

type Resources = readonly StackResourceSummary[];
const ofType = (resources: Resources, type: string) =>
  resources.filter((r) => r.ResourceType === type && r.PhysicalResourceId);

/**
 * Reads every queue of the stack (ListStackResources) and what dead-letters into each: queue redrive
 * and redrive-allow policies, rule targets' and subscriptions' DLQs, Lambda failure destinations.
 * A probe the service refuses (an emulator without that API) is skipped and said with --verbose.
 */
export async function discoverQueues(
  clients: AwsClients,
  stackName: string,
  reporter: Reporter,
): Promise<StackQueues> {
  const resources: StackResourceSummary[] = [];
  for await (const page of paginateListStackResources(
    { client: clients.cloudformation },
    { StackName: stackName },
  )) {
    resources.push(...(page.StackResourceSummaries ?? []));
  }
  const queues = await Promise.all(
    ofType(resources, 'AWS::SQS::Queue').map(async (r) => {
      const url = r.PhysicalResourceId ?? '';
      const attributes = await clients.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }),
      );
      return stackQueueFrom(r.LogicalResourceId ?? '', url, attributes.Attributes ?? {});
    }),
  );
  const probes = [ruleTargetLinks, subscriptionLinks, lambdaLinks];
  const links = (await Promise.all(probes.map((probe) => probe(clients, resources, reporter)))).flat();
  return { queues, dlqs: classifyDeadLetterQueues(queues, links) };
}

async function probe<T>(reporter: Reporter, what: string, run: () => Promise<T>): Promise<T | undefined> {
  try {
    return await run();
  } catch (error) {
    reporter.detail(`could not read ${what}: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}

async function ruleTargetLinks(clients: AwsClients, resources: Resources, reporter: Reporter) {
  const buses = ofType(resources, 'AWS::Events::EventBus').map((r) => r.PhysicalResourceId ?? '');
  const links: DlqLink[] = [];
  for (const rule of ofType(resources, 'AWS::Events::Rule')) {
    const id = rule.PhysicalResourceId ?? '';
    // AWS names a rule on a custom bus "bus|rule"; emulators may give the bare name (see verify.ts).
    const [bus, name = ''] = id.includes('|') ? id.split('|') : [undefined, id];
    const candidates = bus ? [bus] : [...buses, undefined];
    for (const eventBus of candidates) {
      const found = await probe(reporter, `targets of rule ${name}`, () =>
        clients.events.send(new ListTargetsByRuleCommand({ Rule: name, EventBusName: eventBus })),
      );
      if (!found) continue;
      for (const target of found.Targets ?? []) {
        const dlqArn = target.DeadLetterConfig?.Arn;
        if (dlqArn && target.Arn) {
          links.push({ dlqArn, source: { kind: 'rule-target', rule: name, targetArn: target.Arn } });
        }
      }
      break;
    }
  }
  return links;
}

async function subscriptionLinks(clients: AwsClients, resources: Resources, reporter: Reporter) {
  const links: DlqLink[] = [];
  for (const subscription of ofType(resources, 'AWS::SNS::Subscription')) {
    const arn = subscription.PhysicalResourceId ?? '';
    const found = await probe(reporter, `subscription ${arn}`, () =>
      clients.sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: arn })),
    );
    const policy = found?.Attributes?.RedrivePolicy;
    const dlqArn = policy
      ? (JSON.parse(policy) as { deadLetterTargetArn?: string }).deadLetterTargetArn
      : undefined;
    if (dlqArn) {
      const endpointArn = found?.Attributes?.Endpoint ?? (await subscriptionEndpoint(clients, arn, reporter));
      links.push({ dlqArn, source: { kind: 'sns-subscription', subscriptionArn: arn, endpointArn } });
    }
  }
  return links;
}

/** Some emulators leave Endpoint out of the subscription's attributes; the topic's listing has it. */
async function subscriptionEndpoint(clients: AwsClients, subscriptionArn: string, reporter: Reporter) {
  const topicArn = subscriptionArn.slice(0, subscriptionArn.lastIndexOf(':'));
  let token: string | undefined;
  do {
    const page = await probe(reporter, `subscriptions of ${topicArn}`, () =>
      clients.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken: token })),
    );
    const match = page?.Subscriptions?.find((s) => s.SubscriptionArn === subscriptionArn);
    if (match?.Endpoint) return match.Endpoint;
    token = page?.NextToken;
  } while (token);
  return '';
}

async function lambdaLinks(clients: AwsClients, resources: Resources, reporter: Reporter) {
  const links: DlqLink[] = [];
  for (const mapping of ofType(resources, 'AWS::Lambda::EventSourceMapping')) {
    const uuid = mapping.PhysicalResourceId ?? '';
    const found = await probe(reporter, `event source mapping ${uuid}`, () =>
      clients.lambda.send(new GetEventSourceMappingCommand({ UUID: uuid })),
    );
    const dlqArn = found?.DestinationConfig?.OnFailure?.Destination;
    if (dlqArn && parseQueueArn(dlqArn)) {
      const name = found?.FunctionArn?.split(':').pop() ?? uuid;
      const fn = resources.find((r) => r.PhysicalResourceId === name)?.LogicalResourceId ?? name;
      links.push({ dlqArn, source: { kind: 'lambda', resource: `event source mapping of ${fn}` } });
    }
  }
  for (const fn of ofType(resources, 'AWS::Lambda::Function')) {
    const name = fn.PhysicalResourceId ?? '';
    const found = await probe(reporter, `function ${name}`, () =>
      clients.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name })),
    );
    const dlqArn = found?.DeadLetterConfig?.TargetArn;
    if (dlqArn && parseQueueArn(dlqArn)) {
      const label = fn.LogicalResourceId ?? name;
      links.push({ dlqArn, source: { kind: 'lambda', resource: `function ${label}` } });
    }
  }
  return links;
}

/**
 * Resolves a queue ARN or URL: a queue of the stack without a call, any other through SQS
 * (undefined when it does not exist).
 */
export function queueResolver(sqs: SQSClient, queues: readonly QueueRef[]) {
  return async (ref: string): Promise<QueueRef | undefined> => {
    const known = queues.find((q) => q.arn === ref || q.url === ref);
    if (known) return known;
    try {
      const arn = parseQueueArn(ref);
      const url = arn
        ? (
            await sqs.send(
              new GetQueueUrlCommand({ QueueName: arn.name, QueueOwnerAWSAccountId: arn.account }),
            )
          ).QueueUrl
        : ref;
      if (!url) return undefined;
      const attributes = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn', 'FifoQueue'] }),
      );
      const queue = stackQueueFrom('', url, attributes.Attributes ?? {});
      return { logicalId: '', name: queue.name, url, arn: queue.arn, fifo: queue.fifo };
    } catch {
      return undefined;
    }
  };
}

import { paginateListStackResources } from '@aws-sdk/client-cloudformation';
import { FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { type AttributeValue, QueryCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { OUTPUTS } from '../../infra/stacks/outputs.ts';
import {
  ORDER_STATUSES,
  ORDER_SUMMARY_KEYS,
} from '../../shared/contexts/orders/adapters/dynamodb-order-summaries.ts';
import { clientsFor, type TargetClients } from '../cloud/clients.ts';
import type { StackContext } from './stack-context.ts';

/** One queue of the stack with its backlog. */
export interface QueueStatus {
  readonly logicalId: string;
  readonly url: string;
  readonly visible: number;
  readonly inFlight: number;
  /** True when another queue's redrive policy (or a rule target) sends its failures here. */
  readonly isDlq: boolean;
}

/** A recent error line from one of the stack's function log groups. */
export interface RecentError {
  readonly logGroup: string;
  readonly time: string;
  readonly message: string;
}

async function stackResources(context: StackContext, clients: TargetClients = clientsFor(context.target)) {
  const cfn = clients.cloudformation;
  const resources: { logicalId: string; type: string; physicalId: string }[] = [];
  for await (const page of paginateListStackResources({ client: cfn }, { StackName: context.stackName })) {
    for (const r of page.StackResourceSummaries ?? []) {
      resources.push({
        logicalId: r.LogicalResourceId ?? '',
        type: r.ResourceType ?? '',
        physicalId: r.PhysicalResourceId ?? '',
      });
    }
  }
  return resources;
}

/**
 * Depth of every queue; DLQs are recognised by being some queue's redrive target, or by name. A caller
 * that polls (the console) passes its own clients, so each poll does not open sockets of its own.
 */
export async function queueStatuses(
  context: StackContext,
  clients: TargetClients = clientsFor(context.target),
): Promise<QueueStatus[]> {
  const { sqs } = clients;
  const queues = (await stackResources(context, clients)).filter((r) => r.type === 'AWS::SQS::Queue');
  const details = await Promise.all(
    queues.map(async (queue) => {
      const { Attributes: a = {} } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: queue.physicalId, AttributeNames: ['All'] }),
      );
      return { queue, a };
    }),
  );
  const redriveTargets = new Set(
    details.map(({ a }) =>
      a.RedrivePolicy ? (JSON.parse(a.RedrivePolicy).deadLetterTargetArn as string) : '',
    ),
  );
  return details.map(({ queue, a }) => ({
    logicalId: queue.logicalId,
    url: queue.physicalId,
    visible: Number(a.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0),
    isDlq: redriveTargets.has(a.QueueArn ?? '') || /dlq|deadletter/i.test(queue.logicalId),
  }));
}

/** ERROR-level lines of the last `minutes` from the stack's log groups, newest first. */
export async function recentErrors(context: StackContext, minutes = 60, limit = 10): Promise<RecentError[]> {
  const logs = clientsFor(context.target).logs;
  const groups = (await stackResources(context)).filter((r) => r.type === 'AWS::Logs::LogGroup');
  const since = Date.now() - minutes * 60_000;
  const found = await Promise.all(
    groups.map(async (group) => {
      const page = await logs
        .send(new FilterLogEventsCommand({ logGroupName: group.physicalId, startTime: since, limit: 500 }))
        .catch(() => ({ events: [] }));
      return (page.events ?? [])
        .filter((e) => /"level":"ERROR"|\bERROR\b|Task timed out/.test(e.message ?? ''))
        .map((e) => ({
          logGroup: group.physicalId,
          time: new Date(e.timestamp ?? 0).toISOString(),
          message: (e.message ?? '').trim().slice(0, 300),
        }));
    }),
  );
  return found
    .flat()
    .sort((x, y) => y.time.localeCompare(x.time))
    .slice(0, limit);
}

/**
 * Orders (one saga each) per status, from the read model's status index: a COUNT query per status.
 * Undefined when the stack has no order-summary table (an older deploy).
 */
export async function sagasByStatus(context: StackContext): Promise<Record<string, number> | undefined> {
  const tableName = context.outputs[OUTPUTS.orderSummaryTable];
  if (!tableName) return undefined;
  const dynamo = clientsFor(context.target).dynamodb;
  const { statusIndex, statusAttribute } = ORDER_SUMMARY_KEYS;
  const counts = await Promise.all(
    ORDER_STATUSES.map(async (status) => {
      let count = 0;
      let startKey: Record<string, AttributeValue> | undefined;
      do {
        const page = await dynamo.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: statusIndex,
            KeyConditionExpression: '#s = :s',
            ExpressionAttributeNames: { '#s': statusAttribute },
            ExpressionAttributeValues: { ':s': { S: status } },
            Select: 'COUNT',
            ExclusiveStartKey: startKey,
          }),
        );
        count += page.Count ?? 0;
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      return [status, count] as const;
    }),
  );
  return Object.fromEntries(counts);
}

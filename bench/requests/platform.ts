/**
 * Requests AWS makes on the pipeline's behalf, which no SDK call of ours shows: EventBridge rule
 * targets sending to SQS, SNS delivering to subscribed queues, Lambda event source mappings receiving
 * and deleting, Lambda invocations and their duration, log bytes ingested. They are derived from the
 * deployed topology (rules, targets, subscriptions, asked of the emulator) applied to what the proxy
 * saw published, and from the functions' own log groups (START/END/REPORT lines per invocation).
 */

import { CloudWatchLogsClient, paginateFilterLogEvents } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  EventBridgeClient,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  type Rule,
  TestEventPatternCommand,
} from '@aws-sdk/client-eventbridge';
import {
  GetSubscriptionAttributesCommand,
  paginateListSubscriptionsByTopic,
  SNSClient,
} from '@aws-sdk/client-sns';
import { STORED_METADATA_KEY, STORED_VERSION_METADATA_KEY } from '../../shared/kit/events/stored.ts';
import { localClientConfig } from '../local-cloud.ts';
import type { RequestRecord } from './classify.ts';
import type { IndexShape } from './dynamodb-capacity.ts';

/** Rules whose name starts with this are the bench's (or `pipeline tail`'s) taps, not the product. */
export const TAP_RULE_PREFIX = 'pipeline-tail-';

export interface RuleRoute {
  readonly name: string;
  readonly pattern: string;
  /** ARNs of the rule's SQS targets. */
  readonly queues: readonly string[];
}

export interface SubscriptionRoute {
  readonly queue: string;
  readonly filterPolicy?: Record<string, unknown>;
}

/** `http://host/000000000000/name` → `arn:aws:sqs:us-east-1:000000000000:name`. */
export function queueArnOfUrl(url: string, region = 'us-east-1'): string {
  const [account = '000000000000', name = ''] = new URL(url).pathname.split('/').filter(Boolean);
  return `arn:aws:sqs:${region}:${account}:${name}`;
}

type Condition = string | number | Record<string, unknown>;

function conditionMatches(condition: Condition, value: string | undefined): boolean {
  if (typeof condition !== 'object') return value === String(condition);
  if ('exists' in condition) return (value !== undefined) === Boolean(condition.exists);
  if (value === undefined) return false;
  if ('prefix' in condition) return value.startsWith(String(condition.prefix));
  if ('suffix' in condition) return value.endsWith(String(condition.suffix));
  if ('anything-but' in condition) {
    const but = condition['anything-but'];
    return !(Array.isArray(but) ? but.map(String) : [String(but)]).includes(value);
  }
  return false;
}

/**
 * SNS attribute-scope filter policy against a message's String attributes: every key must match one
 * of its conditions (exact value, prefix, suffix, anything-but, exists). No policy matches everything.
 */
export function matchesFilterPolicy(
  policy: Record<string, unknown> | undefined,
  attributes: Readonly<Record<string, string>>,
): boolean {
  if (!policy) return true;
  return Object.entries(policy).every(([key, conditions]) =>
    (Array.isArray(conditions) ? conditions : [conditions]).some((c) =>
      conditionMatches(c as Condition, attributes[key]),
    ),
  );
}

export async function readRules(endpoint: string, busName: string): Promise<RuleRoute[]> {
  const events = new EventBridgeClient(localClientConfig(endpoint));
  const routes: RuleRoute[] = [];
  const rules: Rule[] = [];
  let token: string | undefined;
  do {
    const page = await events.send(new ListRulesCommand({ EventBusName: busName, NextToken: token }));
    rules.push(...(page.Rules ?? []));
    token = page.NextToken;
  } while (token);
  for (const rule of rules) {
    if (!rule.Name || !rule.EventPattern || rule.Name.startsWith(TAP_RULE_PREFIX)) continue;
    const targets = await events.send(
      new ListTargetsByRuleCommand({ Rule: rule.Name, EventBusName: busName }),
    );
    const queues = (targets.Targets ?? [])
      .map((t) => t.Arn ?? '')
      .filter((arn) => arn.startsWith('arn:aws:sqs:'));
    routes.push({ name: rule.Name, pattern: rule.EventPattern, queues });
  }
  return routes;
}

export async function readSubscriptions(endpoint: string, topicArn: string): Promise<SubscriptionRoute[]> {
  const sns = new SNSClient(localClientConfig(endpoint));
  const routes: SubscriptionRoute[] = [];
  for await (const page of paginateListSubscriptionsByTopic({ client: sns }, { TopicArn: topicArn })) {
    for (const sub of page.Subscriptions ?? []) {
      if (sub.Protocol !== 'sqs' || !sub.SubscriptionArn || !sub.Endpoint) continue;
      const attributes = await sns.send(
        new GetSubscriptionAttributesCommand({ SubscriptionArn: sub.SubscriptionArn }),
      );
      const policy = attributes.Attributes?.FilterPolicy;
      routes.push({ queue: sub.Endpoint, ...(policy ? { filterPolicy: JSON.parse(policy) } : {}) });
    }
  }
  return routes;
}

/**
 * Messages each queue received from rules (per PutEvents entry the proxy saw), SNS (per Publish and
 * matching subscription) and direct SendMessage calls, keyed by queue ARN. Rule matching is asked of
 * the emulator (TestEventPattern, cached per source, detail-type and stored mark: the product's
 * patterns filter on nothing else; stored-event rules require the outbox's mark, the intake rule its
 * absence).
 */
export async function queueDeliveries(
  endpoint: string,
  records: readonly RequestRecord[],
  rules: readonly RuleRoute[],
  subscriptions: readonly SubscriptionRoute[],
): Promise<{ fromRules: Map<string, number>; fromSns: Map<string, number>; direct: Map<string, number> }> {
  const events = new EventBridgeClient(localClientConfig(endpoint));
  const cache = new Map<string, string[]>();
  const queuesFor = async (source: string, detailType: string, stored: boolean): Promise<string[]> => {
    const key = `${source}\u0000${detailType}\u0000${stored}`;
    const cached = cache.get(key);
    if (cached) return cached;
    const event = JSON.stringify({
      id: '00000000-0000-0000-0000-000000000000',
      account: '000000000000',
      source,
      time: new Date().toISOString(),
      region: 'us-east-1',
      resources: [],
      'detail-type': detailType,
      detail: stored
        ? { metadata: { [STORED_METADATA_KEY]: 'bench#stream', [STORED_VERSION_METADATA_KEY]: 1 } }
        : {},
    });
    const matched: string[] = [];
    for (const rule of rules) {
      const test = await events.send(
        new TestEventPatternCommand({ EventPattern: rule.pattern, Event: event }),
      );
      if (test.Result) matched.push(...rule.queues);
    }
    cache.set(key, matched);
    return matched;
  };
  const add = (map: Map<string, number>, key: string, n = 1) => map.set(key, (map.get(key) ?? 0) + n);
  const fromRules = new Map<string, number>();
  const fromSns = new Map<string, number>();
  const direct = new Map<string, number>();
  for (const record of records) {
    for (const entry of record.entries ?? []) {
      for (const queue of await queuesFor(entry.source, entry.detailType, entry.stored === true)) {
        add(fromRules, queue);
      }
    }
    if (record.attributes) {
      for (const sub of subscriptions) {
        if (matchesFilterPolicy(sub.filterPolicy, record.attributes)) add(fromSns, sub.queue);
      }
    }
    if (record.sent && record.status < 300)
      add(direct, queueArnOfUrl(record.sent.queueUrl), record.sent.messages);
  }
  return { fromRules, fromSns, direct };
}

/** What one function's log group says about a time window. */
export interface FunctionUsage {
  readonly invocations: number;
  readonly durationMs: number;
  readonly logBytes: number;
  /**
   * The bytes a prod stage would ingest of the same lines (infra/stages.ts): no platform lines
   * (system log level WARN drops START/END/REPORT) and no application line below INFO. Modelled from
   * the dev run's lines; Lambda's JSON wrapper is counted like the per-event overhead.
   */
  readonly prodLogBytes?: number;
}

const PLATFORM_LINE = /^(START|END|REPORT|INIT_START|EXTENSION|TELEMETRY) /;

/** Whether a prod stage (application log level INFO, system log level WARN) would ingest the line. */
export function ingestedInProd(message: string): boolean {
  if (PLATFORM_LINE.test(message)) return false;
  const level = /"level"\s*:\s*"([A-Za-z]+)"/.exec(message)?.[1]?.toUpperCase();
  return level !== 'DEBUG' && level !== 'TRACE';
}

/** Counts REPORT lines (invocations, their Duration) and all log bytes in `[startMs, endMs]`. */
export async function functionUsage(
  endpoint: string,
  logGroup: string,
  startMs: number,
  endMs: number,
): Promise<FunctionUsage> {
  const logs = new CloudWatchLogsClient(localClientConfig(endpoint));
  let invocations = 0;
  let durationMs = 0;
  let logBytes = 0;
  let prodLogBytes = 0;
  const pages = paginateFilterLogEvents(
    { client: logs },
    { logGroupName: logGroup, startTime: Math.floor(startMs), endTime: Math.ceil(endMs) },
  );
  try {
    for await (const page of pages) {
      for (const event of page.events ?? []) {
        const message = event.message ?? '';
        const bytes = Buffer.byteLength(message) + 26; // + the timestamp/ids AWS bills as part of each event
        logBytes += bytes;
        if (ingestedInProd(message)) prodLogBytes += bytes;
        const report = /^REPORT RequestId: \S+\s+Duration: ([\d.]+) ms/.exec(message);
        if (report) {
          invocations += 1;
          durationMs += Number(report[1]);
        }
      }
    }
  } catch (error) {
    if (!/ResourceNotFound|does not exist/i.test(String(error))) throw error;
  }
  return { invocations, durationMs, logBytes, prodLogBytes };
}

/** The global secondary indexes of a table, as the emulator describes it (none when it cannot say). */
export async function readTableIndexes(endpoint: string, tableName: string): Promise<IndexShape[]> {
  const dynamo = new DynamoDBClient(localClientConfig(endpoint));
  try {
    const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: tableName }));
    const tableKeys = (Table?.KeySchema ?? []).flatMap((k) => (k.AttributeName ? [k.AttributeName] : []));
    return (Table?.GlobalSecondaryIndexes ?? []).map((index) => ({
      name: index.IndexName ?? '',
      keyAttributes: (index.KeySchema ?? []).flatMap((k) => (k.AttributeName ? [k.AttributeName] : [])),
      projection: (index.Projection?.ProjectionType ?? 'ALL') as IndexShape['projection'],
      included: index.Projection?.NonKeyAttributes ?? [],
      tableKeys,
    }));
  } catch {
    return [];
  } finally {
    dynamo.destroy();
  }
}

/**
 * The permission model of a template: each function's identity policies (its role's inline policies
 * and the AWS::IAM::Policy resources attached to the role), the resource policies by resource ARN
 * (queues, topics, buses, KMS keys), which KMS key encrypts a queue or topic, and the calls the Lambda
 * platform makes with the function's role (event source polling, log delivery, tracing): those never
 * cross the recording proxy, yet AWS authorizes them against the same role.
 */
import type { TemplateReader } from './template.ts';

export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: readonly Statement[] | Statement;
}

export interface Statement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
  readonly Principal?: unknown;
  readonly Condition?: unknown;
}

export interface NamedPolicy {
  /** The logical id of the AWS::IAM::Policy (or `<role>/<inline name>`, `<role>/managed:<arn>`). */
  readonly name: string;
  readonly policy: PolicyDocument;
}

/** A call to authorize: the function's own SDK calls, or one the platform makes with its role. */
export interface IamCall {
  readonly action: string;
  readonly resource: string;
}

export interface FunctionModel {
  readonly logicalId: string;
  readonly roleLogicalId: string;
  readonly roleArn: string;
  /** The principal AWS sees for the function's calls: its role's session. */
  readonly principal: string;
  readonly identityPolicies: readonly NamedPolicy[];
  /** Managed policy ARNs on the role: their documents are not in the template, so they are reported. */
  readonly managedPolicyArns: readonly string[];
  readonly platformCalls: readonly (IamCall & { readonly why: string })[];
}

/**
 * A delivery AWS makes on the stack's behalf with a service principal (a rule sending to its target
 * queue or dead-letter queue, a topic to a subscribed queue, an alarm to its topic): only the target's
 * resource policy can allow it, so this is where queue, topic and key policies are put to the test.
 */
export interface ServiceDelivery extends IamCall {
  readonly principal: string;
  /** The ARN of what delivers (rule, topic, alarm): resource policies condition on aws:SourceArn. */
  readonly sourceArn: string;
  readonly why: string;
}

export interface PermissionModel {
  readonly account: string;
  readonly functions: readonly FunctionModel[];
  /** Resource policy of each queue, topic, bus and key, by resource ARN. */
  readonly resourcePolicies: ReadonlyMap<string, PolicyDocument>;
  /** The customer-managed KMS key ARN that encrypts a queue or topic, by its ARN. */
  readonly encryptionKeys: ReadonlyMap<string, string>;
  readonly deliveries: readonly ServiceDelivery[];
}

export const asList = <T>(value: T | readonly T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? [...value] : [value as T];

const props = (reader: TemplateReader, id: string) => reader.resources[id]?.Properties ?? {};

/** `{ Ref: X }` / `{ Fn::GetAtt: [X, …] }` → X. */
function targetId(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const ref = (value as { Ref?: unknown }).Ref;
  if (typeof ref === 'string') return ref;
  const getAtt = (value as { 'Fn::GetAtt'?: unknown })['Fn::GetAtt'];
  return Array.isArray(getAtt) && typeof getAtt[0] === 'string' ? getAtt[0] : undefined;
}

function mergeInto(map: Map<string, PolicyDocument>, arn: string, document: PolicyDocument): void {
  const existing = map.get(arn);
  const statements = [...asList(existing?.Statement), ...asList(document.Statement)];
  map.set(arn, { Version: '2012-10-17', Statement: statements });
}

function resourcePolicies(reader: TemplateReader): Map<string, PolicyDocument> {
  const policies = new Map<string, PolicyDocument>();
  const resolved = (value: unknown) => reader.resolve(value) as PolicyDocument;
  for (const id of reader.ofType('AWS::SQS::QueuePolicy')) {
    for (const queue of asList(props(reader, id).Queues)) {
      const queueId = targetId(queue);
      if (queueId) mergeInto(policies, reader.arnOf(queueId), resolved(props(reader, id).PolicyDocument));
    }
  }
  for (const id of reader.ofType('AWS::SNS::TopicPolicy')) {
    for (const topic of asList(props(reader, id).Topics)) {
      const topicId = targetId(topic);
      if (topicId) mergeInto(policies, reader.arnOf(topicId), resolved(props(reader, id).PolicyDocument));
    }
  }
  for (const id of reader.ofType('AWS::Events::EventBus')) {
    const policy = props(reader, id).Policy;
    if (policy) mergeInto(policies, reader.arnOf(id), resolved(policy));
  }
  for (const id of reader.ofType('AWS::Events::EventBusPolicy')) {
    const p = props(reader, id);
    const busName = p.EventBusName === undefined ? 'default' : String(reader.resolve(p.EventBusName));
    const busId = reader.ofType('AWS::Events::EventBus').find((bus) => reader.nameOf(bus) === busName);
    const busArn = busId
      ? reader.arnOf(busId)
      : `arn:aws:events:${reader.naming.region}:${reader.naming.account}:event-bus/${busName}`;
    // The legacy form (Action/Principal without Statement) grants PutEvents to an account.
    const statement = p.Statement
      ? (reader.resolve(p.Statement) as Statement)
      : ({
          Sid: String(p.StatementId ?? id),
          Effect: 'Allow',
          Action: String(p.Action ?? 'events:PutEvents'),
          Principal: { AWS: String(reader.resolve(p.Principal)) },
          Resource: busArn,
        } satisfies Statement);
    mergeInto(policies, busArn, { Statement: [statement] });
  }
  for (const id of reader.ofType('AWS::KMS::Key')) {
    const policy = props(reader, id).KeyPolicy;
    if (policy) mergeInto(policies, reader.arnOf(id), resolved(policy));
  }
  return policies;
}

/** A KmsMasterKeyId is a key ARN, id or alias; only the template's own keys have a policy to check. */
function encryptionKeys(reader: TemplateReader): Map<string, string> {
  const keys = new Map<string, string>();
  for (const type of ['AWS::SQS::Queue', 'AWS::SNS::Topic']) {
    for (const id of reader.ofType(type)) {
      const keyId = targetId(props(reader, id).KmsMasterKeyId);
      if (keyId && reader.resources[keyId]?.Type === 'AWS::KMS::Key') {
        keys.set(reader.arnOf(id), reader.arnOf(keyId));
      }
    }
  }
  return keys;
}

/**
 * Polling an SQS source or a DynamoDB stream: what Lambda's event source mapping calls with the role
 * (the KMS use behind an encrypted source queue is added with every other implied KMS call).
 */
function eventSourceCalls(reader: TemplateReader, functionId: string) {
  const calls: (IamCall & { why: string })[] = [];
  for (const id of reader.ofType('AWS::Lambda::EventSourceMapping')) {
    const p = props(reader, id);
    if (targetId(p.FunctionName) !== functionId) continue;
    const source = String(reader.resolve(p.EventSourceArn));
    const why = `event source mapping ${id}`;
    if (source.startsWith('arn:aws:sqs:')) {
      for (const api of ['ReceiveMessage', 'DeleteMessage', 'GetQueueAttributes']) {
        calls.push({ action: `sqs:${api}`, resource: source, why });
      }
    } else if (source.includes(':dynamodb:')) {
      for (const api of ['DescribeStream', 'GetRecords', 'GetShardIterator']) {
        calls.push({ action: `dynamodb:${api}`, resource: source, why });
      }
      calls.push({ action: 'dynamodb:ListStreams', resource: '*', why });
    }
  }
  return calls;
}

function platformCalls(reader: TemplateReader, functionId: string) {
  const p = props(reader, functionId);
  const calls = eventSourceCalls(reader, functionId);
  const logging = p.LoggingConfig as { LogGroup?: unknown } | undefined;
  const logGroup = logging?.LogGroup
    ? String(reader.resolve(logging.LogGroup))
    : `/aws/lambda/${reader.nameOf(functionId)}`;
  const stream = `arn:aws:logs:${reader.naming.region}:${reader.naming.account}:log-group:${logGroup}:log-stream:platform`;
  const why = 'Lambda delivers the function log';
  calls.push({ action: 'logs:CreateLogStream', resource: stream, why });
  calls.push({ action: 'logs:PutLogEvents', resource: stream, why });
  if ((p.TracingConfig as { Mode?: string } | undefined)?.Mode === 'Active') {
    for (const api of ['PutTraceSegments', 'PutTelemetryRecords']) {
      calls.push({ action: `xray:${api}`, resource: '*', why: 'active tracing' });
    }
  }
  return calls;
}

function functionModel(reader: TemplateReader, functionId: string): FunctionModel {
  const roleId = targetId(props(reader, functionId).Role);
  if (!roleId || reader.resources[roleId]?.Type !== 'AWS::IAM::Role') {
    throw new Error(
      `function ${functionId} has no role of this template; the IAM check cannot read its grants`,
    );
  }
  const role = props(reader, roleId);
  const identityPolicies: NamedPolicy[] = [];
  for (const inline of asList(role.Policies as { PolicyName: unknown; PolicyDocument: unknown }[])) {
    identityPolicies.push({
      name: `${roleId}/${String(reader.resolve(inline.PolicyName))}`,
      policy: reader.resolve(inline.PolicyDocument) as PolicyDocument,
    });
  }
  for (const id of reader.ofType('AWS::IAM::Policy')) {
    const p = props(reader, id);
    if (!asList(p.Roles).some((r) => targetId(r) === roleId)) continue;
    identityPolicies.push({ name: id, policy: reader.resolve(p.PolicyDocument) as PolicyDocument });
  }
  const roleArn = reader.arnOf(roleId);
  return {
    logicalId: functionId,
    roleLogicalId: roleId,
    roleArn,
    principal: `arn:aws:sts::${reader.naming.account}:assumed-role/${reader.nameOf(roleId)}/${reader.nameOf(functionId)}`,
    identityPolicies,
    managedPolicyArns: asList(role.ManagedPolicyArns).map((arn) => String(reader.resolve(arn))),
    platformCalls: platformCalls(reader, functionId),
  };
}

/** A service sending to `target` (a queue or topic ARN), plus the KMS use when a customer key encrypts it. */
function deliveriesTo(
  principal: string,
  target: string,
  sourceArn: string,
  why: string,
  keys: ReadonlyMap<string, string>,
): ServiceDelivery[] {
  const action = target.startsWith('arn:aws:sns:')
    ? 'sns:Publish'
    : target.startsWith('arn:aws:sqs:')
      ? 'sqs:SendMessage'
      : undefined;
  if (!action) return [];
  const deliveries: ServiceDelivery[] = [{ principal, action, resource: target, sourceArn, why }];
  const key = keys.get(target);
  if (key) {
    for (const kms of ['kms:GenerateDataKey', 'kms:Decrypt']) {
      deliveries.push({
        principal,
        action: kms,
        resource: key,
        sourceArn,
        why: `${why} (encrypted by ${key})`,
      });
    }
  }
  return deliveries;
}

function serviceDeliveries(reader: TemplateReader, keys: ReadonlyMap<string, string>): ServiceDelivery[] {
  const deliveries: ServiceDelivery[] = [];
  for (const id of reader.ofType('AWS::Events::Rule')) {
    const rule = reader.arnOf(id);
    for (const target of asList(
      props(reader, id).Targets as { Arn: unknown; DeadLetterConfig?: { Arn?: unknown } }[],
    )) {
      const arn = String(reader.resolve(target.Arn));
      deliveries.push(...deliveriesTo('events.amazonaws.com', arn, rule, `rule ${id} target`, keys));
      if (target.DeadLetterConfig?.Arn) {
        const dlq = String(reader.resolve(target.DeadLetterConfig.Arn));
        deliveries.push(
          ...deliveriesTo('events.amazonaws.com', dlq, rule, `rule ${id} dead-letter queue`, keys),
        );
      }
    }
  }
  for (const id of reader.ofType('AWS::SNS::Subscription')) {
    const p = props(reader, id);
    if (p.Protocol !== 'sqs') continue;
    const topic = String(reader.resolve(p.TopicArn));
    const queue = String(reader.resolve(p.Endpoint));
    deliveries.push(...deliveriesTo('sns.amazonaws.com', queue, topic, `subscription ${id}`, keys));
    const redrive = p.RedrivePolicy as { deadLetterTargetArn?: unknown } | undefined;
    if (redrive?.deadLetterTargetArn) {
      const dlq = String(reader.resolve(redrive.deadLetterTargetArn));
      deliveries.push(
        ...deliveriesTo('sns.amazonaws.com', dlq, topic, `subscription ${id} dead-letter queue`, keys),
      );
    }
  }
  for (const id of reader.ofType('AWS::CloudWatch::Alarm')) {
    const p = props(reader, id);
    const actions = new Set(
      [...asList(p.AlarmActions), ...asList(p.OKActions), ...asList(p.InsufficientDataActions)].map((a) =>
        String(reader.resolve(a)),
      ),
    );
    for (const topic of actions) {
      deliveries.push(
        ...deliveriesTo('cloudwatch.amazonaws.com', topic, reader.arnOf(id), `alarm ${id}`, keys),
      );
    }
  }
  return deliveries;
}

/** Reads the whole permission model of a template. */
export function permissionModel(reader: TemplateReader): PermissionModel {
  const keys = encryptionKeys(reader);
  return {
    account: reader.naming.account,
    functions: reader.ofType('AWS::Lambda::Function').map((id) => functionModel(reader, id)),
    resourcePolicies: resourcePolicies(reader),
    encryptionKeys: keys,
    deliveries: serviceDeliveries(reader, keys),
  };
}

/**
 * The deployed topology, read from a synthesized CloudFormation template and nothing else: what the
 * docs draw is what `cdk deploy` would create, never a picture someone has to keep up to date. A pure
 * function over the template JSON, so it is tested on the stack's own synthesized template.
 */

/** The kinds of resource the topology shows. */
export type TopologyNodeKind = 'bus' | 'archive' | 'rule' | 'queue' | 'topic' | 'function' | 'table' | 'api';

/**
 * The kinds of connection:
 * - `rule`: a bus feeds one of its rules; `target`: a rule delivers to a queue (or another target);
 * - `target-dlq`: where a rule puts what its target refused after the retry policy;
 * - `redrive`: a queue moves a message to its DLQ after `maxReceiveCount` receives;
 * - `subscription`: a topic delivers to a queue, through its filter policy;
 * - `subscription-dlq`: where a subscription puts what it could not deliver;
 * - `event-source`: a Lambda event source mapping, a queue or a table's stream → a function;
 * - `on-failure`: where a stream mapping sends the records it gave up on;
 * - `archive`: a bus keeps its events in an archive;
 * - `env`: a function is handed a resource through an environment variable (it sends, publishes or writes there).
 */
export type TopologyEdgeKind =
  | 'rule'
  | 'target'
  | 'target-dlq'
  | 'redrive'
  | 'subscription'
  | 'subscription-dlq'
  | 'event-source'
  | 'on-failure'
  | 'archive'
  | 'env'
  | 'route';

/** One resource of the template. */
export interface TopologyNode {
  /** The template's logical id. */
  readonly id: string;
  readonly kind: TopologyNodeKind;
  /** The logical id without CDK's 8-character hash suffix, e.g. `OrdersSagaWorkQueue`. */
  readonly label: string;
  /** The physical name when the template sets one (bus, queue, topic, table, function). */
  readonly name?: string;
  /** A queue that is some other resource's dead-letter queue. */
  readonly deadLetter?: boolean;
  /** Facts worth showing: FIFO, stream view type, a rule's event pattern (JSON), … */
  readonly details: Readonly<Record<string, string>>;
}

/** One connection between two nodes. */
export interface TopologyEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: TopologyEdgeKind;
  /** Facts of the connection: a filter policy, a maximum receive count, a variable name, … */
  readonly details: Readonly<Record<string, string>>;
}

/** Nodes and edges, each list in template order. */
export interface Topology {
  readonly nodes: readonly TopologyNode[];
  readonly edges: readonly TopologyEdge[];
}

/** The part of a CloudFormation template the topology reads. */
export interface CfnTemplateJson {
  readonly Resources?: Readonly<Record<string, { readonly Type: string; readonly Properties?: unknown }>>;
}

const NODE_KINDS: Readonly<Record<string, TopologyNodeKind>> = {
  'AWS::Events::EventBus': 'bus',
  'AWS::Events::Archive': 'archive',
  'AWS::Events::Rule': 'rule',
  'AWS::SQS::Queue': 'queue',
  'AWS::SNS::Topic': 'topic',
  'AWS::Lambda::Function': 'function',
  'AWS::DynamoDB::Table': 'table',
  'AWS::ApiGatewayV2::Api': 'api',
};

/** The property that holds each kind's physical name. */
const NAME_PROPERTY: Readonly<Record<TopologyNodeKind, string>> = {
  bus: 'Name',
  archive: 'ArchiveName',
  rule: 'Name',
  queue: 'QueueName',
  topic: 'TopicName',
  function: 'FunctionName',
  table: 'TableName',
  api: 'Name',
};

type Props = Readonly<Record<string, unknown>>;

/** CDK appends an 8-hex-digit hash to every logical id; people read the part before it. */
export function labelOf(logicalId: string): string {
  return logicalId.replace(/[0-9A-F]{8}$/, '') || logicalId;
}

/** The logical id a `Ref` or `Fn::GetAtt` names, else undefined. */
export function referencedId(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const getAtt = (value as { 'Fn::GetAtt'?: unknown })['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  const ref = (value as { Ref?: unknown }).Ref;
  return typeof ref === 'string' ? ref : undefined;
}

/** Every logical id a value references, however deeply nested, in order of appearance. */
export function referencedIds(value: unknown): string[] {
  const ids: string[] = [];
  const walk = (node: unknown): void => {
    const id = referencedId(node);
    if (id !== undefined && !ids.includes(id)) ids.push(id);
    if (Array.isArray(node)) node.forEach(walk);
    else if (typeof node === 'object' && node !== null) Object.values(node).forEach(walk);
  };
  walk(value);
  return ids;
}

const asProps = (value: unknown): Props =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Props) : {};

const text = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

/** A JSON value as the template holds it, or its JSON text when the template gives it as a string. */
function jsonValue(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** Facts of a node, by kind. */
function nodeDetails(kind: TopologyNodeKind, props: Props): Record<string, string> {
  const details: Record<string, string> = {};
  if (kind === 'rule') {
    if (props.Description !== undefined) details.description = text(props.Description);
    if (props.EventPattern !== undefined)
      details.eventPattern = JSON.stringify(jsonValue(props.EventPattern));
    if (props.ScheduleExpression !== undefined) details.schedule = text(props.ScheduleExpression);
  }
  if (kind === 'queue' && props.FifoQueue === true) details.fifo = 'true';
  if (kind === 'table') {
    const stream = asProps(props.StreamSpecification).StreamViewType;
    if (stream !== undefined) details.stream = text(stream);
    const keys = Array.isArray(props.KeySchema) ? props.KeySchema.map((k) => asProps(k).AttributeName) : [];
    if (keys.length > 0) details.keys = keys.map(text).join(', ');
  }
  if (kind === 'archive' && props.RetentionDays !== undefined)
    details.retentionDays = text(props.RetentionDays);
  return details;
}

/** An edge's details without the undefined ones. */
function facts(entries: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(entries)) if (value !== undefined) out[key] = text(value);
  return out;
}

/**
 * The topology of `template`: the buses, archives, rules, queues, topics, functions and tables, and
 * how they connect (see {@link TopologyEdgeKind}). A function's environment references to its own
 * event-source queue and that queue's DLQ are left out: they say where it reads from, which the
 * mapping already shows. References to resources outside the template (imports) draw no edge.
 */
export function topologyFromTemplate(template: CfnTemplateJson): Topology {
  const resources = Object.entries(template.Resources ?? {});
  const kinds = new Map<string, TopologyNodeKind>();
  for (const [id, resource] of resources) {
    const kind = NODE_KINDS[resource.Type];
    if (kind !== undefined) kinds.set(id, kind);
  }
  const edges: TopologyEdge[] = [];
  const add = (from: unknown, to: unknown, kind: TopologyEdgeKind, details: Record<string, unknown> = {}) => {
    const fromId = typeof from === 'string' ? from : referencedId(from);
    const toId = typeof to === 'string' ? to : referencedId(to);
    if (fromId === undefined || toId === undefined || !kinds.has(fromId) || !kinds.has(toId)) return;
    edges.push({ from: fromId, to: toId, kind, details: facts(details) });
  };

  // An HTTP API's routes reach a function through an integration (Route.Target = integrations/<id>).
  const integrations = new Map<string, unknown>();
  for (const [id, resource] of resources) {
    if (resource.Type === 'AWS::ApiGatewayV2::Integration')
      integrations.set(id, asProps(resource.Properties).IntegrationUri);
  }

  for (const [id, resource] of resources) {
    const props = asProps(resource.Properties);
    switch (resource.Type) {
      case 'AWS::ApiGatewayV2::Route': {
        const integration = referencedIds(props.Target).find((ref) => integrations.has(ref));
        if (integration === undefined) break;
        add(props.ApiId, integrations.get(integration), 'route', {
          routeKey: props.RouteKey,
          authorizationType: props.AuthorizationType,
        });
        break;
      }
      case 'AWS::Events::Rule':
        add(props.EventBusName, id, 'rule');
        for (const target of Array.isArray(props.Targets) ? props.Targets : []) {
          const t = asProps(target);
          const retry = asProps(t.RetryPolicy);
          add(id, t.Arn, 'target', {
            targetId: t.Id,
            maximumRetryAttempts: retry.MaximumRetryAttempts,
            maximumEventAgeInSeconds: retry.MaximumEventAgeInSeconds,
          });
          add(id, asProps(t.DeadLetterConfig).Arn, 'target-dlq', { targetId: t.Id });
        }
        break;
      case 'AWS::Events::Archive':
        add(props.SourceArn, id, 'archive');
        break;
      case 'AWS::SQS::Queue': {
        const redrive = asProps(jsonValue(props.RedrivePolicy));
        add(id, redrive.deadLetterTargetArn, 'redrive', { maxReceiveCount: redrive.maxReceiveCount });
        break;
      }
      case 'AWS::SNS::Subscription': {
        const filter =
          props.FilterPolicy === undefined ? undefined : JSON.stringify(jsonValue(props.FilterPolicy));
        add(props.TopicArn, props.Endpoint, 'subscription', {
          protocol: props.Protocol,
          filterPolicy: filter,
          filterPolicyScope: props.FilterPolicyScope,
          rawMessageDelivery: props.RawMessageDelivery,
        });
        const dlq = asProps(jsonValue(props.RedrivePolicy)).deadLetterTargetArn;
        add(props.TopicArn, dlq, 'subscription-dlq', { endpoint: referencedId(props.Endpoint) });
        break;
      }
      case 'AWS::Lambda::EventSourceMapping': {
        const filters = asProps(props.FilterCriteria).Filters;
        add(props.EventSourceArn, props.FunctionName, 'event-source', {
          batchSize: props.BatchSize,
          batchingWindowSeconds: props.MaximumBatchingWindowInSeconds,
          startingPosition: props.StartingPosition,
          filters: Array.isArray(filters)
            ? JSON.stringify(filters.map((f) => jsonValue(asProps(f).Pattern)))
            : undefined,
        });
        const onFailure = asProps(asProps(props.DestinationConfig).OnFailure).Destination;
        add(props.FunctionName, onFailure, 'on-failure');
        break;
      }
      default:
        break;
    }
  }

  // A function's own source queue and that queue's DLQ, left out of its environment edges.
  const ownQueues = new Map<string, Set<string>>();
  for (const edge of edges) {
    if (edge.kind !== 'event-source' || kinds.get(edge.from) !== 'queue') continue;
    const own = ownQueues.get(edge.to) ?? new Set<string>();
    own.add(edge.from);
    for (const e of edges) if (e.kind === 'redrive' && e.from === edge.from) own.add(e.to);
    ownQueues.set(edge.to, own);
  }
  for (const [id, resource] of resources) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const variables = asProps(asProps(asProps(resource.Properties).Environment).Variables);
    for (const [variable, value] of Object.entries(variables)) {
      for (const target of referencedIds(value)) {
        if (ownQueues.get(id)?.has(target)) continue;
        add(id, target, 'env', { variable });
      }
    }
  }

  const deadLetters = new Set(
    edges
      .filter((e) => ['redrive', 'target-dlq', 'subscription-dlq', 'on-failure'].includes(e.kind))
      .map((e) => e.to),
  );
  const nodes: TopologyNode[] = [];
  for (const [id, resource] of resources) {
    const kind = kinds.get(id);
    if (kind === undefined) continue;
    const props = asProps(resource.Properties);
    const name = props[NAME_PROPERTY[kind]];
    nodes.push({
      id,
      kind,
      label: labelOf(id),
      ...(typeof name === 'string' ? { name } : {}),
      ...(kind === 'queue' && deadLetters.has(id) ? { deadLetter: true } : {}),
      details: nodeDetails(kind, props),
    });
  }
  return { nodes, edges };
}

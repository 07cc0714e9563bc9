/**
 * A synthesized CloudFormation template read as the IAM check needs it: every intrinsic the
 * templates use resolved to a concrete string, with names that match a deployed stack where one is
 * known. A resource's name comes from, in order: the name the template gives it, the physical id it
 * has in the deployed stack (same logical id), or `<stack>-<logical id>`. So the dev template read
 * with the e2e stack's physical ids yields the very ARNs the functions called, and the prod template
 * the same ARNs wherever it does not name a resource itself.
 */

export interface CfnTemplate {
  readonly Resources: Record<string, CfnResource>;
}

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

export interface Naming {
  readonly account: string;
  readonly region: string;
  readonly stackName: string;
  /** Physical ids of a deployed stack by logical id (queue URL, table name, topic ARN, key id…). */
  readonly physicalIds?: ReadonlyMap<string, string>;
}

/** The property a resource type takes its explicit name from. */
const NAME_PROPERTY: Record<string, string> = {
  'AWS::SQS::Queue': 'QueueName',
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::Events::EventBus': 'Name',
  'AWS::Events::Rule': 'Name',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::IAM::Role': 'RoleName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::CloudWatch::Alarm': 'AlarmName',
  'AWS::Scheduler::ScheduleGroup': 'Name',
};

/**
 * DynamoDB stream labels are a creation timestamp nobody can predict; the check only needs one
 * that the policies and the platform's stream calls agree on.
 */
export const STREAM_LABEL = '1970-01-01T00:00:00.000';

export class TemplateReader {
  constructor(
    readonly template: CfnTemplate,
    readonly naming: Naming,
  ) {}

  get resources(): Record<string, CfnResource> {
    return this.template.Resources;
  }

  /** The logical ids of every resource of `type`. */
  ofType(type: string): string[] {
    return Object.keys(this.resources).filter((id) => this.resources[id]?.Type === type);
  }

  private arnPrefix(service: string, global = false): string {
    return `arn:aws:${service}:${global ? '' : this.naming.region}:${this.naming.account}`;
  }

  /** The resource's name (a queue's, a table's, a key's id…), see the module comment. */
  nameOf(logicalId: string): string {
    const resource = this.resources[logicalId];
    if (!resource) throw new Error(`no resource ${logicalId} in the template`);
    const property = NAME_PROPERTY[resource.Type];
    const explicit = property ? resource.Properties?.[property] : undefined;
    if (explicit !== undefined) return String(this.resolve(explicit));
    const physical = this.naming.physicalIds?.get(logicalId);
    if (physical) {
      // A queue's physical id is its URL and a topic's its ARN: the name is the last segment.
      if (resource.Type === 'AWS::SQS::Queue') return physical.slice(physical.lastIndexOf('/') + 1);
      if (resource.Type === 'AWS::SNS::Topic') return physical.slice(physical.lastIndexOf(':') + 1);
      if (resource.Type === 'AWS::Events::Rule') return physical.slice(physical.lastIndexOf('|') + 1);
      return physical;
    }
    return `${this.naming.stackName}-${logicalId}`;
  }

  /** `Fn::GetAtt [id, Arn]`, or a topic's `Ref`: the ARN policies name the resource by. */
  arnOf(logicalId: string): string {
    const resource = this.resources[logicalId];
    if (!resource) throw new Error(`no resource ${logicalId} in the template`);
    const name = this.nameOf(logicalId);
    switch (resource.Type) {
      case 'AWS::SQS::Queue':
        return `${this.arnPrefix('sqs')}:${name}`;
      case 'AWS::DynamoDB::Table':
        return `${this.arnPrefix('dynamodb')}:table/${name}`;
      case 'AWS::SNS::Topic':
        return `${this.arnPrefix('sns')}:${name}`;
      case 'AWS::Events::EventBus':
        return `${this.arnPrefix('events')}:event-bus/${name}`;
      case 'AWS::Events::Rule': {
        const bus = resource.Properties?.EventBusName;
        const busName = bus === undefined ? undefined : String(this.resolve(bus));
        const onBus = busName && busName !== 'default' ? `${busName.split('/').pop()}/` : '';
        return `${this.arnPrefix('events')}:rule/${onBus}${name}`;
      }
      case 'AWS::KMS::Key':
        return `${this.arnPrefix('kms')}:key/${name}`;
      case 'AWS::Logs::LogGroup':
        return `${this.arnPrefix('logs')}:log-group:${name}:*`;
      case 'AWS::IAM::Role':
        return `${this.arnPrefix('iam', true)}:role/${name}`;
      case 'AWS::Lambda::Function':
        return `${this.arnPrefix('lambda')}:function:${name}`;
      case 'AWS::CloudWatch::Alarm':
        return `${this.arnPrefix('cloudwatch')}:alarm:${name}`;
      // The prefix its schedules' ARNs share (`schedule/<group>/<name>`), which the policies and the
      // functions' calls name; the group's own ARN (`schedule-group/<group>`) no function call names.
      case 'AWS::Scheduler::ScheduleGroup':
        return `${this.arnPrefix('scheduler')}:schedule/${name}`;
      default:
        return `${this.arnPrefix(resource.Type.split('::')[1]?.toLowerCase() ?? 'unknown')}:${name}`;
    }
  }

  private ref(logicalId: string): string {
    switch (logicalId) {
      case 'AWS::AccountId':
        return this.naming.account;
      case 'AWS::Region':
        return this.naming.region;
      case 'AWS::Partition':
        return 'aws';
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::StackName':
        return this.naming.stackName;
    }
    const type = this.resources[logicalId]?.Type;
    if (type === 'AWS::SQS::Queue') {
      return `https://sqs.${this.naming.region}.amazonaws.com/${this.naming.account}/${this.nameOf(logicalId)}`;
    }
    if (type === 'AWS::SNS::Topic') return this.arnOf(logicalId);
    return this.nameOf(logicalId);
  }

  private getAtt(logicalId: string, attribute: string): string {
    const type = this.resources[logicalId]?.Type;
    if (attribute === 'Arn') return this.arnOf(logicalId);
    if (type === 'AWS::DynamoDB::Table' && attribute === 'StreamArn') {
      return `${this.arnOf(logicalId)}/stream/${STREAM_LABEL}`;
    }
    if (type === 'AWS::SQS::Queue' && attribute === 'QueueUrl') return this.ref(logicalId);
    if (type === 'AWS::SNS::Topic' && attribute === 'TopicArn') return this.arnOf(logicalId);
    if (attribute.endsWith('Name') || attribute === 'KeyId') return this.nameOf(logicalId);
    throw new Error(`Fn::GetAtt ${logicalId}.${attribute} is not modelled by the IAM check`);
  }

  /** Resolves every intrinsic in `value` (Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select, Fn::Split). */
  resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v));
    if (typeof value !== 'object' || value === null) return value;
    const entries = Object.entries(value as Record<string, unknown>);
    const [key, argument] = entries[0] ?? [];
    if (entries.length === 1 && key !== undefined) {
      if (key === 'Ref') return this.ref(String(argument));
      if (key === 'Fn::GetAtt') {
        const [id, attribute] = Array.isArray(argument) ? argument : String(argument).split('.');
        return this.getAtt(String(id), String(attribute));
      }
      if (key === 'Fn::Join') {
        const [separator, parts] = argument as [string, unknown[]];
        return (this.resolve(parts) as unknown[]).map(String).join(separator);
      }
      if (key === 'Fn::Sub') return this.sub(argument);
      if (key === 'Fn::Select') {
        const [index, list] = argument as [unknown, unknown];
        return (this.resolve(list) as unknown[])[Number(this.resolve(index))];
      }
      if (key === 'Fn::Split') {
        const [separator, text] = argument as [string, unknown];
        return String(this.resolve(text)).split(separator);
      }
      if (key.startsWith('Fn::')) throw new Error(`${key} is not modelled by the IAM check`);
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, this.resolve(v)]));
  }

  private sub(argument: unknown): string {
    const [text, variables = {}] = Array.isArray(argument)
      ? (argument as [string, Record<string, unknown>])
      : [String(argument), {}];
    return text.replace(/\$\{([^}!][^}]*)\}/g, (_, name: string) => {
      if (name in variables) return String(this.resolve(variables[name]));
      const [id = '', attribute] = name.split('.');
      return attribute ? this.getAtt(id, attribute) : this.ref(id);
    });
  }
}

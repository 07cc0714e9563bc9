/**
 * From a recorded request to the IAM calls AWS would authorize: the action(s) and the resource
 * ARN(s), read from the request's parameters the way each service authorizes its APIs (batch APIs
 * authorize as their single action; a transaction as each item's own action on its own table; a
 * PutEvents entry on its bus). Then, to evaluate the same calls against another template, each
 * resource ARN is mapped to the logical id it belongs to and named as that template names it.
 */
import type { IamCall } from './policies.ts';
import type { RecordedRequest } from './requests.ts';
import type { TemplateReader } from './template.ts';

export interface Scope {
  readonly account: string;
  readonly region: string;
}

/** The IAM service prefix of a SigV4 signing name, where the two differ. */
const IAM_PREFIX: Record<string, string> = { monitoring: 'cloudwatch', email: 'ses' };

/** APIs authorized as another action (the batch forms of the single-message APIs). */
const AUTHORIZED_AS: Record<string, string> = {
  'sqs:SendMessageBatch': 'sqs:SendMessage',
  'sqs:DeleteMessageBatch': 'sqs:DeleteMessage',
  'sqs:ChangeMessageVisibilityBatch': 'sqs:ChangeMessageVisibility',
  'sns:PublishBatch': 'sns:Publish',
};

/** A transaction item's key in TransactWriteItems / TransactGetItems → the action it is authorized as. */
const TRANSACT_ITEM: Record<string, string> = {
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
  Get: 'dynamodb:GetItem',
};

const str = (value: unknown) => (typeof value === 'string' ? value : undefined);

export function queueArn(queueUrlOrName: string, scope: Scope): string {
  if (queueUrlOrName.startsWith('arn:')) return queueUrlOrName;
  const segments = queueUrlOrName.split('/').filter(Boolean);
  const name = segments.at(-1) ?? queueUrlOrName;
  const account =
    segments.length >= 2 && /^\d{12}$/.test(segments.at(-2) ?? '') ? segments.at(-2) : scope.account;
  return `arn:aws:sqs:${scope.region}:${account}:${name}`;
}

export function tableArn(tableNameOrArn: string, scope: Scope, indexName?: string): string {
  const table = tableNameOrArn.startsWith('arn:')
    ? tableNameOrArn
    : `arn:aws:dynamodb:${scope.region}:${scope.account}:table/${tableNameOrArn}`;
  return indexName ? `${table}/index/${indexName}` : table;
}

export function busArn(busNameOrArn: string, scope: Scope): string {
  if (busNameOrArn.startsWith('arn:')) return busNameOrArn;
  return `arn:aws:events:${scope.region}:${scope.account}:event-bus/${busNameOrArn}`;
}

/** A KMS KeyId is a key id, a key ARN, an alias name or an alias ARN. */
export function keyArn(keyId: string, scope: Scope): string {
  if (keyId.startsWith('arn:')) return keyId;
  const prefix = `arn:aws:kms:${scope.region}:${scope.account}`;
  return keyId.startsWith('alias/') ? `${prefix}:${keyId}` : `${prefix}:key/${keyId}`;
}

function dynamodbCalls(api: string, params: Record<string, unknown>, scope: Scope): IamCall[] {
  if (api === 'TransactWriteItems' || api === 'TransactGetItems') {
    const items = (params.TransactItems as { kind: string; TableName: string }[] | undefined) ?? [];
    return items.map((item) => ({
      action: TRANSACT_ITEM[item.kind] ?? `dynamodb:${item.kind}`,
      resource: tableArn(item.TableName, scope),
    }));
  }
  if (api === 'BatchWriteItem' || api === 'BatchGetItem') {
    const tables = (params.RequestItems as string[] | undefined) ?? [];
    return tables.map((table) => ({ action: `dynamodb:${api}`, resource: tableArn(table, scope) }));
  }
  if (api === 'ListStreams' || api === 'ListTables') return [{ action: `dynamodb:${api}`, resource: '*' }];
  const streamArn = str(params.StreamArn);
  if (streamArn) return [{ action: `dynamodb:${api}`, resource: streamArn }];
  const table = str(params.TableName);
  if (!table) return [{ action: `dynamodb:${api}`, resource: '*' }];
  // Query and Scan on an index are authorized on the index's ARN.
  return [{ action: `dynamodb:${api}`, resource: tableArn(table, scope, str(params.IndexName)) }];
}

/** The IAM calls one recorded request stands for. Unknown shapes fall back to `<service>:<api>` on `*`. */
export function iamCallsOf(request: RecordedRequest, scope: Scope): IamCall[] {
  const service = IAM_PREFIX[request.service] ?? request.service;
  const named = `${service}:${request.api}`;
  const action = AUTHORIZED_AS[named] ?? named;
  const p = request.params;
  switch (service) {
    case 'dynamodb':
      return dynamodbCalls(request.api, p, scope);
    case 'sqs': {
      const queue = str(p.QueueUrl) ?? str(p.QueueName);
      return [{ action, resource: queue ? queueArn(queue, scope) : '*' }];
    }
    case 'sns':
      return [{ action, resource: str(p.TopicArn) ?? str(p.TargetArn) ?? '*' }];
    case 'events': {
      if (request.api === 'PutEvents') {
        const buses = (p.EntryBuses as string[] | undefined) ?? ['default'];
        return buses.map((bus) => ({ action, resource: busArn(bus, scope) }));
      }
      const bus = str(p.EventBusName) ?? str(p.Name);
      return [{ action, resource: bus ? busArn(bus, scope) : '*' }];
    }
    case 'kms': {
      const key = str(p.KeyId);
      return [{ action, resource: key ? keyArn(key, scope) : '*' }];
    }
    case 'scheduler': {
      const [group, name] = [str(p.GroupName), str(p.ScheduleName)];
      if (!group || !name) return [{ action, resource: '*' }];
      return [
        { action, resource: `arn:aws:scheduler:${scope.region}:${scope.account}:schedule/${group}/${name}` },
      ];
    }
    default:
      return [{ action, resource: '*' }];
  }
}

/**
 * The function a request came from: the caller is the app id the e2e setup gave the function (its
 * logical id), which the SDK and Powertools may extend with a suffix of their own.
 */
export function functionOfCaller(caller: string, functionIds: readonly string[]): string | undefined {
  return functionIds.find((id) => caller === id || caller.startsWith(`${id}-`));
}

/**
 * Maps ARNs named as in one template (the deployed stack's) to the same resource named as in
 * another: the logical id is the link, a sub-resource suffix (`/index/…`) is kept.
 */
export function arnTranslator(from: TemplateReader, to: TemplateReader): (arn: string) => string {
  const byArn = new Map<string, string>();
  for (const id of Object.keys(from.resources)) {
    try {
      byArn.set(from.arnOf(id), id);
    } catch {
      // not a resource calls can name
    }
  }
  return (arn) => {
    if (arn === '*') return arn;
    for (const [known, id] of byArn) {
      if (arn !== known && !arn.startsWith(`${known}/`)) continue;
      if (!to.resources[id]) return arn;
      return `${to.arnOf(id)}${arn.slice(known.length)}`;
    }
    return arn;
  };
}

/**
 * What the IAM check keeps of one AWS request a function made: who made it, which API, and the
 * parameters a resource ARN is derived from. Payloads (message bodies, items, event details) are
 * dropped on the spot: the recording must stay small and must not copy test data around.
 */
import { actionOf, callerOf, type Headers, serviceOf } from '../../../bench/requests/classify.ts';

export interface RecordedRequest {
  /** The SDK user agent's `app/<id>`: the function's logical id once the e2e setup tagged it. */
  readonly caller: string;
  /** The SigV4 signing name (`sqs`, `dynamodb`, `events`, `monitoring`…). */
  readonly service: string;
  /** The API called (`SendMessageBatch`, `TransactWriteItems`…). */
  readonly api: string;
  readonly status: number;
  /** Only the parameters that name a resource; see {@link resourceParams}. */
  readonly params: Record<string, unknown>;
}

/** Top-level parameters that name the resource a call acts on, across the services the functions use. */
const NAMING_KEYS = [
  'QueueUrl',
  'QueueName',
  'TableName',
  'IndexName',
  'TopicArn',
  'TargetArn',
  'EventBusName',
  'KeyId',
  'StreamArn',
  'LogGroupName',
  'Namespace',
  'FunctionName',
  'Name',
] as const;

function keep(source: (key: string) => unknown): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const key of NAMING_KEYS) {
    const value = source(key);
    if (typeof value === 'string' && value !== '') kept[key] = value;
  }
  return kept;
}

/** The naming parameters of a JSON-protocol body, with the nested ones batch APIs carry. */
export function resourceParams(json: Record<string, unknown>): Record<string, unknown> {
  const kept = keep((key) => json[key]);
  if (Array.isArray(json.TransactItems)) {
    // Each transaction item is authorized as its own action on its own table.
    kept.TransactItems = json.TransactItems.map((item: Record<string, { TableName?: string }>) => {
      const [kind = 'Unknown', body] = Object.entries(item ?? {})[0] ?? [];
      return { kind, TableName: body?.TableName ?? '' };
    });
  }
  if (json.RequestItems && typeof json.RequestItems === 'object') {
    kept.RequestItems = Object.keys(json.RequestItems);
  }
  if (Array.isArray(json.Entries)) {
    const buses = json.Entries.map((entry: { EventBusName?: unknown }) =>
      typeof entry?.EventBusName === 'string' ? entry.EventBusName : 'default',
    );
    kept.EntryBuses = [...new Set(buses)];
  }
  return kept;
}

function parse(headers: Headers, body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  const type = String(headers['content-type'] ?? '');
  try {
    if (type.includes('x-www-form-urlencoded')) {
      const form = new URLSearchParams(body.toString('utf8'));
      return Object.fromEntries(form.entries());
    }
    if (type.includes('json')) return JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  } catch {
    // a body we cannot read names no resource: the call is still recorded, with its API
  }
  return {};
}

/** Reduces one proxied exchange to what the IAM check needs. Never throws. */
export function recordedRequestOf(exchange: {
  readonly method: string;
  readonly path: string;
  readonly headers: Headers;
  readonly body: Buffer;
  readonly status: number;
}): RecordedRequest {
  const body = parse(exchange.headers, exchange.body);
  const form =
    typeof body.Action === 'string' ? new URLSearchParams(body as Record<string, string>) : undefined;
  return {
    caller: callerOf(exchange.headers),
    service: serviceOf(exchange.headers),
    api: actionOf(exchange.method, exchange.path, exchange.headers, form),
    status: exchange.status,
    params: { ...resourceParams(body), ...scheduleParams(exchange.path, body) },
  };
}

/**
 * EventBridge Scheduler names the schedule in the path (`/schedules/{Name}`) and its group in the body
 * (create) or the query (`groupName`, delete); a missing group is the `default` one.
 */
export function scheduleParams(path: string, body: Record<string, unknown>): Record<string, string> {
  const [route = '', query = ''] = path.split('?');
  const name = /^\/schedules\/([^/]+)$/.exec(route)?.[1];
  if (name === undefined) return {};
  const group =
    typeof body.GroupName === 'string' ? body.GroupName : new URLSearchParams(query).get('groupName');
  return { ScheduleName: decodeURIComponent(name), GroupName: group ?? 'default' };
}

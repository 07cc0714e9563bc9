import { isStoredEvent } from '../../shared/kit/events/stored.ts';
/**
 * What one HTTP request to an AWS endpoint is, read the way the services themselves route it:
 * the service from the SigV4 credential scope, the API from `X-Amz-Target` (JSON protocols),
 * `Action=` (query protocol) or the REST path (Lambda, EventBridge Scheduler), the caller from the SDK user agent's
 * `app/<id>` (AWS_SDK_UA_APP_ID / `userAgentAppId`), and what the bill depends on.
 */
import { type Capacity, capacityOf, type PutShape, putShapeOf } from './dynamodb-capacity.ts';

/** One request as the cost model needs it. */
export interface RequestRecord {
  readonly atMs: number;
  readonly caller: string;
  readonly service: string;
  readonly action: string;
  readonly status: number;
  /** Billing units of the request: 64 KB chunks for SQS, SNS, EventBridge entries; 1 otherwise. */
  readonly chunks: number;
  readonly capacity: Capacity;
  /** PutEvents entries (source, detail-type, bytes, whether the detail carries the outbox's stored mark). */
  readonly entries?: readonly {
    readonly source: string;
    readonly detailType: string;
    readonly bytes: number;
    readonly stored?: boolean;
  }[];
  /** SNS Publish message attributes (String values). */
  readonly attributes?: Readonly<Record<string, string>>;
  /** TransactWriteItems: how many actions (items) the transaction holds. */
  readonly items?: number;
  /** SQS SendMessage(Batch): the queue and how many messages. */
  readonly sent?: { readonly queueUrl: string; readonly messages: number };
  /** DynamoDB PutItem: what index maintenance depends on (priced once the tables' indexes are known). */
  readonly put?: PutShape;
}

export type Headers = Readonly<Record<string, string | string[] | undefined>>;

const CHUNK = 64 * 1024;
const chunksOf = (bytes: number) => Math.max(1, Math.ceil(bytes / CHUNK));

function header(headers: Headers, name: string): string {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(',') : (value ?? '');
}

/** `dynamodb`, `sqs`, `events`… from `Credential=KEY/DATE/REGION/SERVICE/aws4_request`. */
export function serviceOf(headers: Headers): string {
  const scope = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(
    header(headers, 'authorization'),
  );
  return scope?.[1] ?? 'unsigned';
}

/** The caller's `app/<id>` from the SDK user agent, or `unknown`. */
export function callerOf(headers: Headers): string {
  const agents = `${header(headers, 'x-amz-user-agent')} ${header(headers, 'user-agent')}`;
  return /(?:^|\s)app\/([\w.#:-]+)/.exec(agents)?.[1] ?? 'unknown';
}

function parseBody(
  headers: Headers,
  body: Buffer,
): { json?: Record<string, unknown>; form?: URLSearchParams } {
  if (body.length === 0) return {};
  const type = header(headers, 'content-type');
  try {
    if (type.includes('x-www-form-urlencoded')) return { form: new URLSearchParams(body.toString('utf8')) };
    if (type.includes('json')) return { json: JSON.parse(body.toString('utf8')) as Record<string, unknown> };
  } catch {
    // not the body we expected: classified by headers only
  }
  return {};
}

/** The API name: JSON target, query Action, or the Lambda REST path. */
export function actionOf(method: string, path: string, headers: Headers, form?: URLSearchParams): string {
  const target = header(headers, 'x-amz-target');
  if (target) return target.slice(target.lastIndexOf('.') + 1);
  const action = form?.get('Action') ?? new URLSearchParams(path.split('?')[1] ?? '').get('Action');
  if (action) return action;
  if (/\/functions\/[^/]+\/invocations/.test(path)) return 'Invoke';
  const schedule = SCHEDULE_APIS[method];
  if (schedule && /^\/schedules\/[^/?]+(\?|$)/.test(path)) return schedule;
  return `${method} ${path.split('?')[0]?.replace(/\/[^/]{24,}/g, '/…')}`;
}

/** EventBridge Scheduler's REST API on `/schedules/{Name}`, by HTTP method. */
const SCHEDULE_APIS: Readonly<Record<string, string>> = {
  POST: 'CreateSchedule',
  GET: 'GetSchedule',
  PUT: 'UpdateSchedule',
  DELETE: 'DeleteSchedule',
};

function putEventsEntries(json: Record<string, unknown>) {
  return ((json.Entries as Record<string, unknown>[]) ?? []).map((entry) => ({
    source: String(entry.Source ?? ''),
    detailType: String(entry.DetailType ?? ''),
    bytes:
      Buffer.byteLength(String(entry.Detail ?? '')) +
      Buffer.byteLength(String(entry.DetailType ?? '')) +
      Buffer.byteLength(String(entry.Source ?? '')),
    stored: detailIsStored(entry.Detail),
  }));
}

/** Whether a PutEvents Detail carries the stored mark (rules route stored and unstored events apart). */
function detailIsStored(detail: unknown): boolean {
  if (typeof detail !== 'string') return false;
  try {
    const parsed: unknown = JSON.parse(detail);
    return isStoredEvent({ metadata: (parsed as { metadata?: Record<string, unknown> } | null)?.metadata });
  } catch {
    return false;
  }
}

/** String message attributes of an SNS Publish, in either wire format. */
export function snsAttributes(
  json?: Record<string, unknown>,
  form?: URLSearchParams,
): Record<string, string> {
  const attributes: Record<string, string> = {};
  if (form) {
    for (let i = 1; form.has(`MessageAttributes.entry.${i}.Name`); i++) {
      const name = form.get(`MessageAttributes.entry.${i}.Name`) as string;
      attributes[name] = form.get(`MessageAttributes.entry.${i}.Value.StringValue`) ?? '';
    }
  }
  const fromJson = (json?.MessageAttributes ?? {}) as Record<string, { StringValue?: string }>;
  for (const [name, value] of Object.entries(fromJson)) attributes[name] = value.StringValue ?? '';
  return attributes;
}

function sqsSend(action: string, json: Record<string, unknown>): RequestRecord['sent'] {
  const queueUrl = String(json.QueueUrl ?? '');
  if (action === 'SendMessage') return { queueUrl, messages: 1 };
  return { queueUrl, messages: ((json.Entries as unknown[]) ?? []).length };
}

function payloadChunks(
  service: string,
  action: string,
  json: Record<string, unknown>,
  form?: URLSearchParams,
) {
  if (service === 'sqs' && (action === 'SendMessage' || action === 'SendMessageBatch')) {
    return chunksOf(Buffer.byteLength(JSON.stringify(json)));
  }
  if (service === 'sns' && action === 'Publish') {
    return chunksOf(Buffer.byteLength(String(json.Message ?? form?.get('Message') ?? '')));
  }
  return 1;
}

/** Classifies one request/response pair. Never throws: what it cannot read stays generic. */
export function classify(
  request: { method: string; path: string; headers: Headers; body: Buffer },
  response: { status: number; headers: Headers; body: Buffer },
  atMs: number,
): RequestRecord {
  const service = serviceOf(request.headers);
  const { json = {}, form } = parseBody(request.headers, request.body);
  const action = actionOf(request.method, request.path, request.headers, form);
  const base = { atMs, caller: callerOf(request.headers), service, action, status: response.status };
  if (service === 'dynamodb') {
    const answer = parseBody(response.headers, response.body).json ?? {};
    const put = putShapeOf(action, json);
    const record = {
      ...base,
      chunks: 1,
      capacity: capacityOf(action, json, answer),
      ...(put ? { put } : {}),
    };
    if (action !== 'TransactWriteItems') return record;
    return { ...record, items: ((json.TransactItems as unknown[]) ?? []).length };
  }
  const none = { wru: 0, rru: 0 };
  const record: RequestRecord = {
    ...base,
    chunks: payloadChunks(service, action, json, form),
    capacity: none,
  };
  if (service === 'events' && action === 'PutEvents') {
    const entries = putEventsEntries(json);
    return { ...record, chunks: entries.reduce((sum, e) => sum + chunksOf(e.bytes), 0), entries };
  }
  if (service === 'sns' && action === 'Publish') return { ...record, attributes: snsAttributes(json, form) };
  if (service === 'sqs' && (action === 'SendMessage' || action === 'SendMessageBatch')) {
    return { ...record, sent: sqsSend(action, json) };
  }
  return record;
}

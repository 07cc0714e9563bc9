/**
 * Idle fixed cost per month: what the prod stack costs with no order at all, from its synthesized
 * template and bench/prices.json. Reported apart from the per-order figures, which it does not change.
 *
 * - each SQS event source mapping long-polls its queue while it is empty: Lambda starts with
 *   {@link ESM_IDLE_POLLERS} pollers, each ReceiveMessage waits up to {@link RECEIVE_WAIT_SECONDS} s;
 * - customer managed KMS keys are billed per month;
 * - CloudWatch alarms per metric they evaluate per month; dashboards beyond an account's free three.
 *
 * Not fixed (grow with traffic or data, priced per order elsewhere or not at all): DynamoDB on-demand
 * requests and storage, the event archive's storage, log storage, KMS requests, DynamoDB stream reads
 * by Lambda (free).
 */
import { PRICES, type PriceKey, type Prices } from './model.ts';

/** Pollers Lambda runs for an SQS event source mapping at rest (AWS: "starts with five"). */
export const ESM_IDLE_POLLERS = 5;
/** Long-poll wait of each ReceiveMessage the pollers make on an empty queue. */
export const RECEIVE_WAIT_SECONDS = 20;
/** 30 days. */
export const MINUTES_PER_MONTH = 43_200;
/** Dashboards an account gets free (up to 50 metrics each). */
export const FREE_DASHBOARDS = 3;

export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

export interface Template {
  readonly Resources?: Record<string, TemplateResource>;
}

export interface FixedItem {
  readonly what: string;
  readonly count: number;
  readonly arithmetic: string;
  readonly usdPerMonth: number;
}

/** Logical id of `{ "Fn::GetAtt": [id, …] }` or `{ Ref: id }`. */
function referenced(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const getAtt = (value as { 'Fn::GetAtt'?: unknown })['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  const ref = (value as { Ref?: unknown }).Ref;
  return typeof ref === 'string' ? ref : undefined;
}

const resourcesOf = (template: Template, type: string) =>
  Object.entries(template.Resources ?? {}).filter(([, r]) => r.Type === type);

/** Event source mappings reading an SQS queue of the template (or an SQS ARN given as a string). */
export function sqsEventSourceMappings(template: Template): string[] {
  return resourcesOf(template, 'AWS::Lambda::EventSourceMapping')
    .filter(([, r]) => {
      const source = r.Properties?.EventSourceArn;
      if (typeof source === 'string') return source.startsWith('arn:aws:sqs:');
      const id = referenced(source);
      return id !== undefined && template.Resources?.[id]?.Type === 'AWS::SQS::Queue';
    })
    .map(([id]) => id);
}

/** Metrics an alarm evaluates: 1 for a single-metric alarm, else its `Metrics` entries with a MetricStat. */
function alarmMetrics(alarm: TemplateResource): number {
  const metrics = alarm.Properties?.Metrics;
  if (!Array.isArray(metrics)) return 1;
  return Math.max(1, metrics.filter((m) => (m as { MetricStat?: unknown }).MetricStat).length);
}

const num = (n: number) => String(Number(n.toPrecision(6)));

/** Requests one idle SQS event source mapping makes per month. */
export const idleReceivesPerEsmMonth = () =>
  ESM_IDLE_POLLERS * (60 / RECEIVE_WAIT_SECONDS) * MINUTES_PER_MONTH;

function priced(prices: Prices, key: PriceKey, quantity: number): number {
  return (quantity * prices[key].usd) / prices[key].per;
}

/** Every fixed monthly item of the template, with its count and arithmetic. */
export function fixedMonthly(template: Template, prices: Prices = PRICES): FixedItem[] {
  const esms = sqsEventSourceMappings(template).length;
  const perEsm = idleReceivesPerEsmMonth();
  const sqsPerM = (prices['sqs.standardRequest'].usd / prices['sqs.standardRequest'].per) * 1e6;
  const keys = resourcesOf(template, 'AWS::KMS::Key').length;
  const alarms = resourcesOf(template, 'AWS::CloudWatch::Alarm');
  const alarmMetricCount = alarms.reduce((s, [, a]) => s + alarmMetrics(a), 0);
  const dashboards = resourcesOf(template, 'AWS::CloudWatch::Dashboard').length;
  const billedDashboards = Math.max(0, dashboards - FREE_DASHBOARDS);
  const items: FixedItem[] = [
    {
      what: 'SQS event source mappings long-polling empty queues',
      count: esms,
      arithmetic: `${esms} ESM × ${ESM_IDLE_POLLERS} pollers × ${60 / RECEIVE_WAIT_SECONDS} ReceiveMessage/min (${RECEIVE_WAIT_SECONDS} s wait) × ${MINUTES_PER_MONTH} min = ${num(esms * perEsm)} requests × $${num(sqsPerM)}/M`,
      usdPerMonth: priced(prices, 'sqs.standardRequest', esms * perEsm),
    },
    {
      what: 'KMS customer managed keys',
      count: keys,
      arithmetic: `${keys} keys × $${prices['kms.customerManagedKeyMonth'].usd}/key-month`,
      usdPerMonth: priced(prices, 'kms.customerManagedKeyMonth', keys),
    },
    {
      what: 'CloudWatch alarms (standard resolution)',
      count: alarms.length,
      arithmetic: `${alarms.length} alarms, ${alarmMetricCount} metrics × $${prices['cloudwatch.alarmMetricMonth'].usd}/alarm-metric-month`,
      usdPerMonth: priced(prices, 'cloudwatch.alarmMetricMonth', alarmMetricCount),
    },
    {
      what: 'CloudWatch dashboards',
      count: dashboards,
      arithmetic: `${dashboards} dashboards − ${FREE_DASHBOARDS} free per account (assumed unused elsewhere) = ${billedDashboards} × $${prices['cloudwatch.dashboardMonth'].usd}/month`,
      usdPerMonth: priced(prices, 'cloudwatch.dashboardMonth', billedDashboards),
    },
  ];
  return items.map((i) => ({ ...i, arithmetic: `${i.arithmetic} = $${i.usdPerMonth.toFixed(2)}/month` }));
}

export const totalPerMonth = (items: readonly FixedItem[]): number =>
  items.reduce((s, i) => s + i.usdPerMonth, 0);

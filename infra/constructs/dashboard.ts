import { Stack } from 'aws-cdk-lib';
import {
  Dashboard,
  GraphWidget,
  type IMetric,
  type IWidget,
  Metric,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ALARM_PERIOD } from './alarms.ts';
import { METRICS_NAMESPACE } from './pipeline-function.ts';

/**
 * A consumer as the dashboard shows it: queue-fed, or reading the store's stream (no `queue`: its lag
 * is the function's iterator age); `function` is absent while nobody drains the queue.
 */
export interface DashboardConsumer {
  readonly name: string;
  readonly queue?: IQueue;
  readonly deadLetterQueue: IQueue;
  readonly function?: IFunction;
}

/** A saga whose `SagaStarted` / `SagaCompleted` / `SagaCompensated` metrics carry `service=<service>`. */
export interface DashboardSaga {
  readonly title: string;
  readonly service: string;
}

/** Props of {@link PipelineDashboard}. */
export interface PipelineDashboardProps {
  readonly consumers: readonly DashboardConsumer[];
  /** @default [{ title: 'Order saga', service: 'order-saga' }] */
  readonly sagas?: readonly DashboardSaga[];
  /** The outbox publisher's function: throughput, errors, iterator age. @default no outbox row */
  readonly outboxFunction?: IFunction;
  /** @default `<stack name>-pipeline` */
  readonly dashboardName?: string;
}

/** Metric names the saga emits (Powertools Metrics / EMF) in the `OrderPipeline` namespace. */
export const SAGA_METRICS = ['SagaStarted', 'SagaCompleted', 'SagaCompensated'] as const;

const WIDTH = 6;

/**
 * One CloudWatch dashboard for the pipeline: a row per consumer (throughput, errors, DLQ depth, age of
 * the oldest message), the outbox (published, errors, iterator age) and a row per saga (started,
 * completed, compensated).
 */
export class PipelineDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: PipelineDashboardProps) {
    super(scope, id);
    const names = props.consumers.map((consumer) => consumer.name);
    const duplicate = names.find((name, index) => names.indexOf(name) !== index);
    if (duplicate) throw new Error(`${id}: consumer "${duplicate}" is listed twice`);
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName ?? `${Stack.of(this).stackName}-pipeline`,
    });
    for (const consumer of props.consumers) this.dashboard.addWidgets(...consumerRow(consumer));
    if (props.outboxFunction) this.dashboard.addWidgets(...outboxRow(props.outboxFunction));
    for (const saga of props.sagas ?? [{ title: 'Order saga', service: 'order-saga' }]) {
      this.dashboard.addWidgets(...sagaRow(saga));
    }
  }
}

function graph(title: string, metrics: IMetric[]): GraphWidget {
  return new GraphWidget({ title, left: metrics, width: WIDTH });
}

function consumerRow({ name, queue, deadLetterQueue, function: fn }: DashboardConsumer): IWidget[] {
  const sum = { period: ALARM_PERIOD, statistic: 'Sum' };
  const max = { period: ALARM_PERIOD, statistic: 'Maximum' };
  const throughput = [
    ...(queue
      ? [
          queue.metricNumberOfMessagesSent({ ...sum, label: 'in' }),
          queue.metricNumberOfMessagesDeleted({ ...sum, label: 'done' }),
        ]
      : []),
    ...(fn ? [fn.metricInvocations({ ...sum, label: 'invocations' })] : []),
  ];
  const lag = queue
    ? graph(`${name}: oldest message age (s)`, [
        queue.metricApproximateAgeOfOldestMessage({ ...max, label: 'age' }),
      ])
    : graph(`${name}: iterator age (ms)`, fn ? [fn.metric('IteratorAge', { ...max, label: 'lag' })] : []);
  const errors = fn
    ? graph(`${name}: errors`, [fn.metricErrors({ ...sum, label: 'errors' })])
    : new TextWidget({ markdown: `**${name}**: no consumer function yet`, width: WIDTH, height: 6 });
  return [
    graph(`${name}: throughput`, throughput),
    errors,
    graph(`${name}: DLQ depth`, [
      deadLetterQueue.metricApproximateNumberOfMessagesVisible({ ...max, label: 'DLQ' }),
    ]),
    lag,
  ];
}

function outboxRow(fn: IFunction): IWidget[] {
  const sum = { period: ALARM_PERIOD, statistic: 'Sum' };
  return [
    graph('outbox: invocations', [fn.metricInvocations(sum)]),
    graph('outbox: errors', [fn.metricErrors(sum)]),
    graph('outbox: iterator age (ms)', [
      fn.metric('IteratorAge', { period: ALARM_PERIOD, statistic: 'Maximum' }),
    ]),
  ];
}

function sagaRow(saga: DashboardSaga): IWidget[] {
  const metrics = SAGA_METRICS.map(
    (metricName) =>
      new Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { service: saga.service },
        statistic: 'Sum',
        period: ALARM_PERIOD,
        label: metricName.replace('Saga', '').toLowerCase(),
      }),
  );
  return [
    new GraphWidget({
      title: `${saga.title}: started / completed / compensated`,
      left: metrics,
      width: 3 * WIDTH,
    }),
  ];
}

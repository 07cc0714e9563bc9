import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type IMetric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';

/** What every alarm of the pipeline needs to know besides its metric. */
export interface AlarmOptions {
  readonly description: string;
  /** Fires when the metric is above this value. */
  readonly threshold: number;
  /** @default 1 */
  readonly evaluationPeriods?: number;
  /** Where the alarm notifies (ALARM and back to OK). @default no action: visible in the console only */
  readonly alarmTopic?: ITopic;
}

/**
 * An alarm on "metric above threshold" that treats missing data as fine (an idle queue publishes
 * nothing) and notifies the alarm topic both ways, so an operator also sees it recover.
 */
export function thresholdAlarm(scope: Construct, id: string, metric: IMetric, options: AlarmOptions): Alarm {
  const alarm = new Alarm(scope, id, {
    alarmDescription: options.description,
    metric,
    threshold: options.threshold,
    comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: options.evaluationPeriods ?? 1,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
  if (options.alarmTopic) {
    const action = new SnsAction(options.alarmTopic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
  }
  return alarm;
}

/** The period every pipeline alarm evaluates over. */
export const ALARM_PERIOD = Duration.minutes(1);

/**
 * A stream reader's lag: its function's `IteratorAge` (how old the newest record it took was) above
 * `maxAge` for three minutes in a row. `lagging` says who lags what, e.g. "Outbox publishing lags appends".
 */
export function iteratorAgeAlarm(
  scope: Construct,
  fn: IFunction,
  maxAge: Duration,
  lagging: string,
  alarmTopic?: ITopic,
): Alarm {
  return thresholdAlarm(
    scope,
    'IteratorAge',
    fn.metric('IteratorAge', { period: ALARM_PERIOD, statistic: 'Maximum' }),
    {
      description: `${lagging} by more than ${maxAge.toHumanString()} (${scope.node.path})`,
      threshold: maxAge.toMilliseconds(),
      evaluationPeriods: 3,
      alarmTopic,
    },
  );
}

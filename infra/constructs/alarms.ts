import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type IMetric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
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

import { SchedulerClient } from '@aws-sdk/client-scheduler';
import * as z from 'zod';
import { clientConfig } from '../aws/client-config.ts';
import { SchedulerSagaTimers } from './scheduler-timers.ts';
import {
  MAX_SQS_DELAY_SECONDS,
  RoutedSagaTimers,
  SqsDelaySagaTimers,
  type SqsDelaySagaTimersOptions,
} from './timers.ts';

/**
 * Environment of a consumer with timers, set by the `SagaTimerSchedules` construct: the schedule group,
 * the role Scheduler delivers with, the consumer's own queue ARN (the schedules' target) and the
 * threshold beyond which a timer goes to Scheduler rather than an SQS delay.
 */
export const sagaTimerEnvSchema = z.object({
  QUEUE_URL: z.string().min(1),
  AWS_REGION: z.string().min(1).default('us-east-1'),
  AWS_ENDPOINT_URL: z.string().min(1).optional(),
  TIMER_SCHEDULE_GROUP: z.string().min(1),
  TIMER_SCHEDULER_ROLE_ARN: z.string().startsWith('arn:'),
  TIMER_QUEUE_ARN: z.string().startsWith('arn:'),
  TIMER_SCHEDULER_AFTER_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_SQS_DELAY_SECONDS)
    .default(MAX_SQS_DELAY_SECONDS),
});

/** Parsed {@link sagaTimerEnvSchema}. */
export type SagaTimerEnv = z.infer<typeof sagaTimerEnvSchema>;

/**
 * The production timers of a saga consumer: SQS delays on its own queue up to the threshold, one-time
 * Scheduler schedules beyond it. Call once at module scope, with the consumer's SQS client.
 */
export function productionSagaTimers(
  env: SagaTimerEnv,
  sqs: SqsDelaySagaTimersOptions['sqs'],
): RoutedSagaTimers {
  const aws = { region: env.AWS_REGION, ...(env.AWS_ENDPOINT_URL ? { endpoint: env.AWS_ENDPOINT_URL } : {}) };
  return new RoutedSagaTimers({
    short: new SqsDelaySagaTimers({ sqs, queueUrl: env.QUEUE_URL }),
    long: new SchedulerSagaTimers({
      scheduler: new SchedulerClient(clientConfig(aws)),
      groupName: env.TIMER_SCHEDULE_GROUP,
      queueArn: env.TIMER_QUEUE_ARN,
      roleArn: env.TIMER_SCHEDULER_ROLE_ARN,
    }),
    thresholdSeconds: env.TIMER_SCHEDULER_AFTER_SECONDS,
  });
}

import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { clientConfig } from '../aws/client-config.ts';
import * as z from '../zod.ts';
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
  QUEUE_URL: z.string().check(z.minLength(1)),
  AWS_REGION: z._default(z.string().check(z.minLength(1)), 'us-east-1'),
  AWS_ENDPOINT_URL: z.optional(z.string().check(z.minLength(1))),
  TIMER_SCHEDULE_GROUP: z.string().check(z.minLength(1)),
  TIMER_SCHEDULER_ROLE_ARN: z.string().check(z.startsWith('arn:')),
  TIMER_QUEUE_ARN: z.string().check(z.startsWith('arn:')),
  TIMER_SCHEDULER_AFTER_SECONDS: z._default(
    z.coerce.number().check(z.int(), z.gte(1), z.lte(MAX_SQS_DELAY_SECONDS)),
    MAX_SQS_DELAY_SECONDS,
  ),
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

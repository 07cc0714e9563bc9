import { type Duration, Stack } from 'aws-cdk-lib';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { ScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { MAX_SQS_DELAY_SECONDS } from '../../shared/kit/saga/timers.ts';
import type { StageSettings } from '../stages.ts';

/** Props of {@link SagaTimerSchedules}. */
export interface SagaTimerSchedulesProps {
  /** The saga's function: it sends the timers. */
  readonly function: IFunction & { addEnvironment(key: string, value: string): unknown };
  /** The saga's own standard queue: where every timer arrives (a FIFO queue ignores delays). */
  readonly queue: IQueue;
  readonly stage: Pick<StageSettings, 'removalPolicy' | 'timerSchedulerAfter'>;
}

/**
 * A consumer's step timers (`shared/kit/saga/timers.ts`): near ones as delayed messages to its own
 * queue (SendMessage on it), far ones as one-time EventBridge Scheduler schedules in a group of its
 * own, which Scheduler delivers to the same queue with a role that may send there and nowhere else.
 * The function may create and delete schedules in that group only, and pass that role only, to
 * Scheduler only. It is told the group, the role, the queue's ARN and the stage's threshold
 * (`TIMER_*`, read by `sagaTimerEnvSchema`).
 */
export class SagaTimerSchedules extends Construct {
  readonly group: ScheduleGroup;
  /** The role Scheduler assumes to deliver a timer. */
  readonly deliveryRole: Role;
  private readonly queue: IQueue;
  private readonly threshold: number;

  constructor(scope: Construct, id: string, props: SagaTimerSchedulesProps) {
    super(scope, id);
    const threshold = validThreshold(props.stage.timerSchedulerAfter);
    if (props.queue.fifo)
      throw new Error(`${id}: timers need a standard queue (a FIFO queue ignores delays)`);
    const stack = Stack.of(this);
    this.group = new ScheduleGroup(this, 'Group', { removalPolicy: props.stage.removalPolicy });
    this.deliveryRole = new Role(this, 'DeliveryRole', {
      description: 'EventBridge Scheduler delivers saga timers to the saga queue',
      // Only schedules of this account may use it (confused-deputy guard, as AWS recommends).
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    });
    // SendMessage only (not CDK's grantSendMessages, which adds GetQueueAttributes and GetQueueUrl).
    props.queue.grant(this.deliveryRole, 'sqs:SendMessage');
    // A queue under a customer-managed key needs the key too; today's queues use SSE-SQS (no key).
    props.queue.encryptionMasterKey?.grant(this.deliveryRole, 'kms:GenerateDataKey', 'kms:Decrypt');

    this.queue = props.queue;
    this.threshold = threshold;
    this.grantTimers(props.function);
  }

  /**
   * Lets `fn` send this saga's timers as the saga itself does (delayed messages to its queue, schedules
   * in its group with its delivery role) and tells it where (`TIMER_*`): for another writer of the
   * saga's streams, e.g. the HTTP API taking an order through the saga's first transition. A writer
   * that only starts sagas (`withdraw: false`) never ends one, so never withdraws a timer: it gets
   * CreateSchedule without DeleteSchedule.
   */
  grantTimers(fn: SagaTimerSchedulesProps['function'], options: { readonly withdraw?: boolean } = {}): void {
    const stack = Stack.of(this);
    this.queue.grant(fn, 'sqs:SendMessage');
    const schedules = stack.formatArn({
      service: 'scheduler',
      resource: 'schedule',
      resourceName: `${this.group.scheduleGroupName}/*`,
    });
    fn.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions:
          options.withdraw === false
            ? ['scheduler:CreateSchedule']
            : ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule'],
        resources: [schedules],
      }),
    );
    fn.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['iam:PassRole'],
        resources: [this.deliveryRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
    );
    if (fn.role) {
      NagSuppressions.addResourceSuppressions(
        fn.role,
        [
          {
            id: 'AwsSolutions-IAM5',
            reason:
              'Schedules are created at run time, one per saga timer, under names derived from the timer; the grant is bounded to this stack’s own schedule group (schedule/<group>/*), CreateSchedule and DeleteSchedule only.',
            appliesTo: [{ regex: '/^Resource::arn:<AWS::Partition>:scheduler:.*:schedule\\/.*\\/\\*$/g' }],
          },
        ],
        true,
      );
    }
    fn.addEnvironment('TIMER_SCHEDULE_GROUP', this.group.scheduleGroupName);
    fn.addEnvironment('TIMER_SCHEDULER_ROLE_ARN', this.deliveryRole.roleArn);
    fn.addEnvironment('TIMER_QUEUE_ARN', this.queue.queueArn);
    fn.addEnvironment('TIMER_SCHEDULER_AFTER_SECONDS', String(this.threshold));
  }
}

function validThreshold(after: Duration): number {
  const seconds = after.toSeconds();
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_SQS_DELAY_SECONDS) {
    throw new Error(
      `timerSchedulerAfter ${seconds} s: must be whole seconds from 1 to ${MAX_SQS_DELAY_SECONDS} (an SQS delay cannot be longer)`,
    );
  }
  return seconds;
}

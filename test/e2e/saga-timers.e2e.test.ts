import { CloudFormationClient, paginateListStackResources } from '@aws-sdk/client-cloudformation';
import {
  GetScheduleCommand,
  type GetScheduleCommandOutput,
  ListSchedulesCommand,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { OUTPUTS } from '../../infra/stacks/outputs.ts';
import { stageSettings } from '../../infra/stages.ts';
import { parseSqsBody } from '../../shared/kit/consumer/body.ts';
import { sagaTimerCatalog } from '../../shared/kit/saga/timer-event.ts';
import { eventually } from '../support/aws.ts';
import { e2eStack } from '../support/cli.ts';
import { TEST_TIMER_SCHEDULER_AFTER_SECONDS } from '../support/deployed-stack.setup.ts';
import { sagaWorld, typesOf } from './saga-world.ts';

const world = sagaWorld();
const config = { region: process.env.AWS_REGION ?? 'us-east-1' };
const scheduler = new SchedulerClient(config);

/** The schedule group the stack created for the saga's timers. */
async function timerGroup(): Promise<string> {
  const cfn = new CloudFormationClient(config);
  for await (const page of paginateListStackResources({ client: cfn }, { StackName: e2eStack })) {
    const group = page.StackResourceSummaries?.find(
      (r) => r.ResourceType === 'AWS::Scheduler::ScheduleGroup',
    );
    if (group?.PhysicalResourceId) return group.PhysicalResourceId;
  }
  throw new Error(`${e2eStack} has no schedule group`);
}

/** The order's schedules in the group (named `order-<orderId>-<step>-<hash>`). */
async function schedulesOf(group: string, orderId: string): Promise<string[]> {
  const { Schedules = [] } = await scheduler.send(
    new ListSchedulesCommand({ GroupName: group, NamePrefix: `order-${orderId}-` }),
  );
  return Schedules.map((s) => s.Name ?? '');
}

async function scheduleGone(group: string, name: string): Promise<boolean> {
  try {
    await scheduler.send(new GetScheduleCommand({ GroupName: group, Name: name }));
    return false;
  } catch (error) {
    if ((error as { name?: string }).name === 'ResourceNotFoundException') return true;
    throw error;
  }
}

let group: string;
let sagaQueueArn: string;

beforeAll(async () => {
  group = await timerGroup();
  const { Attributes } = await world.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: world.output(OUTPUTS.sagaQueueUrl),
      AttributeNames: ['QueueArn'],
    }),
  );
  sagaQueueArn = Attributes?.QueueArn ?? '';
});

/** The e2e stack sends timers due more than 10 s away to Scheduler; the dev step timeout is 20 s. */
describe.concurrent('saga timers beyond the threshold, through EventBridge Scheduler', () => {
  it('is deployed with a step timeout beyond the lowered threshold', () => {
    expect(stageSettings('dev').sagaStepTimeout.toSeconds()).toBeGreaterThan(
      TEST_TIMER_SCHEDULER_AFTER_SECONDS,
    );
  });

  it('times a tok_timeout order out through a one-time schedule on the saga queue, then compensates', async () => {
    // Arrange
    const [sku, orderId] = [world.unique('STOOL'), world.unique('scheduled')];
    await world.stock(sku, 2);
    const placed = world.order({
      orderId,
      items: [{ sku, qty: 1, unitPrice: 30 }],
      total: 30,
      paymentToken: 'tok_timeout',
    });

    // Act: the first step's timer (20 s) is a schedule; watch it until Scheduler has fired it.
    await world.place(placed);
    const name = await eventually(async () => (await schedulesOf(group, orderId))[0], {
      timeoutMs: 15_000,
      intervalMs: 250,
    });
    const schedule: GetScheduleCommandOutput = await scheduler.send(
      new GetScheduleCommand({ GroupName: group, Name: name }),
    );
    const fired = await eventually(async () => ((await scheduleGone(group, name ?? '')) ? true : undefined), {
      timeoutMs: 60_000,
      intervalMs: 500,
    });
    const outcome = await world.outcome(orderId, 90_000);

    // Assert: the schedule named the first step's timer, at its deadline, for the saga queue…
    const timer = parseSqsBody(sagaTimerCatalog, schedule.Target?.Input ?? '');
    expect(name).toMatch(new RegExp(`^order-${orderId}-reserveInventory-[0-9a-f]{16}$`));
    expect(schedule).toMatchObject({
      ScheduleExpression: expect.stringMatching(/^at\(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\)$/),
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Target: { Arn: sagaQueueArn },
    });
    expect(timer).toMatchObject({
      type: 'SagaStepTimedOut',
      source: 'orders.saga',
      data: { saga: 'order', sagaId: orderId, step: 'reserveInventory' },
    });
    // …Scheduler fired it (and deleted it after), and the saga timed the payment out and compensated.
    expect(fired).toBe(true);
    const history = await world.history(orderId);
    expect(outcome).toMatchObject({ type: 'OrderCancelled', data: { reason: 'authorizePayment timed out' } });
    expect(typesOf(history.saga)).toEqual(
      expect.arrayContaining(['PaymentVoidRequested', 'InventoryReleaseRequested']),
    );
    expect(typesOf(history.inventory)).toEqual(['InventoryReserved', 'InventoryReleased']);
    expect(await world.available(sku)).toBe(2);
  });

  it('withdraws the schedule of an order confirmed before its deadline', async () => {
    // Arrange
    const [sku, orderId] = [world.unique('SHELF'), world.unique('withdrawn')];
    await world.stock(sku, 1);
    const placed = world.order({ orderId, items: [{ sku, qty: 1, unitPrice: 15 }], total: 15 });

    // Act: the schedule is seen while the order runs…
    const started = Date.now();
    await world.place(placed);
    const seen = await eventually(async () => (await schedulesOf(group, orderId))[0], {
      timeoutMs: 15_000,
      intervalMs: 100,
    });
    const outcome = await world.outcome(orderId);
    // …and is gone once the order is confirmed, well before its 20 s deadline.
    const left = await eventually(
      async () => ((await schedulesOf(group, orderId)).length === 0 ? [] : undefined),
      { timeoutMs: 5_000, intervalMs: 250 },
    );
    const elapsed = Date.now() - started;

    // Assert
    expect(seen).toMatch(new RegExp(`^order-${orderId}-reserveInventory-`));
    expect(outcome.type).toBe('OrderConfirmed');
    expect(left).toEqual([]);
    expect(elapsed).toBeLessThan(stageSettings('dev').sagaStepTimeout.toMilliseconds());
  });
});

import {
  CreateArchiveCommand,
  DeleteArchiveCommand,
  DeleteRuleCommand,
  DescribeArchiveCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  type PutEventsRequestEntry,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  type Target as RuleTarget,
} from '@aws-sdk/client-eventbridge';
import { allowServiceToSend, collectBodies, createEventBus, createQueue, required } from '../resources.ts';
import { type Check, type CheckContext, CheckFailed } from '../types.ts';

/** Creates a rule on the bus and registers its deletion (targets first, as EventBridge requires). */
async function createRule(ctx: CheckContext, bus: string, suffix: string, pattern: object): Promise<string> {
  const name = ctx.name(suffix);
  const out = await ctx.clients.events.send(
    new PutRuleCommand({ Name: name, EventBusName: bus, EventPattern: JSON.stringify(pattern) }),
  );
  ctx.defer(`rule ${name}`, async () => {
    await ctx.clients.events.send(
      new RemoveTargetsCommand({ Rule: name, EventBusName: bus, Ids: ['probe'] }),
    );
    await ctx.clients.events.send(new DeleteRuleCommand({ Name: name, EventBusName: bus }));
  });
  return required(out.RuleArn, `PutRule ${name} returned no RuleArn`);
}

async function putTarget(ctx: CheckContext, bus: string, ruleArn: string, target: RuleTarget): Promise<void> {
  const rule = ruleArn.slice(ruleArn.lastIndexOf('/') + 1);
  const out = await ctx.clients.events.send(
    new PutTargetsCommand({ Rule: rule, EventBusName: bus, Targets: [target] }),
  );
  if (out.FailedEntryCount) {
    const entry = out.FailedEntries?.[0];
    throw new CheckFailed(`PutTargets rejected the target: ${entry?.ErrorCode} ${entry?.ErrorMessage}`);
  }
}

interface PatternCase {
  /** The operator under test; each gets its own rule so a failure names the operator. */
  readonly operator: string;
  readonly pattern: object;
  readonly match: Omit<PutEventsRequestEntry, 'EventBusName'>;
  readonly miss: readonly Omit<PutEventsRequestEntry, 'EventBusName'>[];
}

const event = (
  operator: string,
  label: string,
  detail: object,
  extra: Partial<PutEventsRequestEntry> = {},
) => ({
  Source: 'orders.doctor',
  DetailType: 'OrderPlaced',
  Detail: JSON.stringify({ operator, label, ...detail }),
  ...extra,
});

/** The content filters the pipeline's generated rule patterns use (shared/kit/events/patterns.ts). */
const cases: readonly PatternCase[] = [
  {
    operator: 'prefix',
    pattern: { source: [{ prefix: 'orders.' }], detail: { operator: ['prefix'] } },
    match: event('prefix', 'orders.checkout', {}, { Source: 'orders.checkout' }),
    miss: [event('prefix', 'billing.orders', {}, { Source: 'billing.orders' })],
  },
  {
    operator: 'anything-but',
    pattern: { detail: { operator: ['anything-but'], status: [{ 'anything-but': ['Cancelled', 'Draft'] }] } },
    match: event('anything-but', 'Placed', { status: 'Placed' }),
    miss: [event('anything-but', 'Cancelled', { status: 'Cancelled' })],
  },
  {
    operator: 'numeric',
    pattern: { detail: { operator: ['numeric'], total: [{ numeric: ['>', 0, '<=', 100] }] } },
    match: event('numeric', '42', { total: 42 }),
    miss: [event('numeric', '150', { total: 150 }), event('numeric', '0', { total: 0 })],
  },
  {
    operator: 'exists',
    pattern: { detail: { operator: ['exists'], correlationId: [{ exists: true }] } },
    match: event('exists', 'present', { correlationId: 'c-1' }),
    miss: [event('exists', 'absent', {})],
  },
  {
    operator: 'detail',
    pattern: {
      'detail-type': ['OrderPlaced'],
      detail: { operator: ['detail'], data: { customer: { tier: ['gold'] } } },
    },
    match: event('detail', 'gold', { data: { customer: { tier: 'gold' } } }),
    miss: [
      event('detail', 'silver', { data: { customer: { tier: 'silver' } } }),
      event('detail', 'other-type', { data: { customer: { tier: 'gold' } } }, { DetailType: 'OrderShipped' }),
    ],
  },
];

const labelOf = (entry: Omit<PutEventsRequestEntry, 'EventBusName'>) => {
  const detail = JSON.parse(entry.Detail ?? '{}') as { operator: string; label: string };
  return `${detail.operator}:${detail.label}`;
};

export const eventsPatterns: Check = {
  id: 'events-patterns',
  title: 'EventBridge pattern operators: prefix, anything-but, numeric range, exists, nested detail',
  breaks: 'rules route events to the wrong consumers, or drop them, silently',
  async run(ctx) {
    const bus = await createEventBus(ctx);
    const queue = await createQueue(ctx, 'q');
    const ruleArns: string[] = [];
    for (const [index, c] of cases.entries()) {
      const ruleArn = await createRule(ctx, bus.name, `r${index}`, c.pattern).catch((error: unknown) => {
        throw new CheckFailed(`PutRule rejected the ${c.operator} pattern: ${(error as Error).message}`);
      });
      ruleArns.push(ruleArn);
    }
    await allowServiceToSend(ctx, queue, 'events.amazonaws.com', ruleArns);
    for (const ruleArn of ruleArns) await putTarget(ctx, bus.name, ruleArn, { Id: 'probe', Arn: queue.arn });

    const misses = cases.flatMap((c) => c.miss);
    const matches = cases.map((c) => c.match);
    // Non-matching first: by the time every match has arrived they have had their chance to.
    for (const batch of [misses, matches]) {
      const out = await ctx.clients.events.send(
        new PutEventsCommand({ Entries: batch.map((entry) => ({ ...entry, EventBusName: bus.name })) }),
      );
      if (out.FailedEntryCount) throw new CheckFailed(`PutEvents rejected ${out.FailedEntryCount} event(s)`);
    }

    const expected = matches.map(labelOf);
    const arrived = (
      await collectBodies(ctx, queue.url, {
        done: (bodies) => expected.every((label) => bodies.map(bodyLabel).includes(label)),
        what: `all ${expected.length} matching events in the target queue`,
        timeoutMs: 20_000,
        settleMs: 2_000,
      })
    ).map(bodyLabel);
    const unexpected = arrived.filter((label) => !expected.includes(label));
    if (unexpected.length > 0) {
      throw new CheckFailed(`events that match no rule were delivered: ${unexpected.join(', ')}`);
    }
    return `${expected.length} matching delivered, ${misses.length} non-matching dropped`;
  },
};

function bodyLabel(body: string): string {
  try {
    const event = JSON.parse(body) as { detail?: { operator?: string; label?: string } };
    return `${event.detail?.operator}:${event.detail?.label}`;
  } catch {
    return `unparseable:${body.slice(0, 40)}`;
  }
}

export const eventsTargetDlq: Check = {
  id: 'events-target-dlq',
  title: 'EventBridge rule target with DeadLetterConfig and RetryPolicy',
  breaks: 'events that cannot be delivered to a target are dropped instead of parked in the target DLQ',
  async run(ctx) {
    const bus = await createEventBus(ctx);
    const queue = await createQueue(ctx, 'q');
    const dlq = await createQueue(ctx, 'dlq');
    const ruleArn = await createRule(ctx, bus.name, 'rule', { source: [{ prefix: 'orders.' }] });
    await allowServiceToSend(ctx, queue, 'events.amazonaws.com', [ruleArn]);
    await allowServiceToSend(ctx, dlq, 'events.amazonaws.com', [ruleArn]);
    const retry = { MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 600 };
    await putTarget(ctx, bus.name, ruleArn, {
      Id: 'probe',
      Arn: queue.arn,
      DeadLetterConfig: { Arn: dlq.arn },
      RetryPolicy: retry,
    });
    const rule = ruleArn.slice(ruleArn.lastIndexOf('/') + 1);
    const listed = await ctx.clients.events.send(
      new ListTargetsByRuleCommand({ Rule: rule, EventBusName: bus.name }),
    );
    const target = listed.Targets?.find((t) => t.Id === 'probe');
    if (!target) throw new CheckFailed('ListTargetsByRule does not return the target');
    if (target.DeadLetterConfig?.Arn !== dlq.arn) {
      throw new CheckFailed(
        `the target's DeadLetterConfig is ${JSON.stringify(target.DeadLetterConfig)}; expected ${dlq.arn}`,
      );
    }
    const got = target.RetryPolicy;
    if (
      got?.MaximumRetryAttempts !== retry.MaximumRetryAttempts ||
      got?.MaximumEventAgeInSeconds !== retry.MaximumEventAgeInSeconds
    ) {
      throw new CheckFailed(
        `the target's RetryPolicy is ${JSON.stringify(got)}; expected ${JSON.stringify(retry)}`,
      );
    }
    return 'DeadLetterConfig and RetryPolicy stored and returned';
  },
};

export const eventsArchive: Check = {
  id: 'events-archive',
  title: 'EventBridge archive on a custom bus (CreateArchive)',
  breaks: 'no archive to replay events from after a consumer bug or an outage',
  async run(ctx) {
    const bus = await createEventBus(ctx);
    const name = ctx.name('archive');
    const { events } = ctx.clients;
    await events.send(
      new CreateArchiveCommand({
        ArchiveName: name,
        EventSourceArn: bus.arn,
        EventPattern: JSON.stringify({ source: [{ prefix: 'orders.' }] }),
        RetentionDays: 1,
      }),
    );
    ctx.defer(`archive ${name}`, () => events.send(new DeleteArchiveCommand({ ArchiveName: name })));
    const archive = await events.send(new DescribeArchiveCommand({ ArchiveName: name }));
    if (archive.EventSourceArn !== bus.arn) {
      throw new CheckFailed(`DescribeArchive names source ${archive.EventSourceArn}; expected ${bus.arn}`);
    }
    return `archive created (state ${archive.State ?? 'unknown'})`;
  },
};

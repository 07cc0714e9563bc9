import type { UnusedGrant } from './evaluate.ts';

/**
 * Grants the e2e run leaves unused on purpose, each with the code path that needs it. The IAM check
 * fails on an unused grant that matches none of these: either the grant can go, or its reason belongs
 * here. A resource is matched by the logical-id fragment in its name (deployed names carry it).
 */
export interface Justification {
  readonly action: string;
  /** Matched against the grant's resource ARN. */
  readonly resource: RegExp;
  readonly why: string;
}

export const JUSTIFIED_UNUSED: readonly Justification[] = [
  {
    action: 'sqs:GetQueueUrl',
    resource: /WorkQueue|WorkDlqQueue|OutboxDlqQueue|ProjectorDlqQueue/,
    why: 'part of CDK’s consume / on-failure grant set (SqsEventSource, SqsDlq); the event source mapping polls by ARN and nothing calls it, but CDK offers no grant without it',
  },
  {
    action: 'sqs:GetQueueAttributes',
    resource: /WorkQueue|OutboxDlqQueue|ProjectorDlqQueue/,
    why: 'part of CDK’s consume / on-failure grant set: the event source mapping and the on-failure destination read the queue’s attributes with the function’s role, calls the recording (the functions’ own SDK calls) cannot see',
  },
  {
    action: 'sqs:ChangeMessageVisibility',
    resource: /WorkQueue/,
    why: 'the consumer runtime’s retry backoff (a record that fails transiently is made visible again later); the e2e run injects no transient failure',
  },
  {
    action: 'sqs:SendMessage',
    resource: /WorkDlqQueue|OutboxDlqQueue|ProjectorDlqQueue/,
    why: 'a record given up on: the consumer runtime dead-letters it with its reason; the stream readers’ (outbox, projector) on-failure destination on AWS, which MiniStack never reaches (conformance gaps ddb-stream-item-failure-dropped, ddb-stream-retries-unbounded); only some consumers dead-letter in the e2e run',
  },
  {
    action: 'dynamodb:GetItem',
    resource: /SubjectKeysTable/,
    why: 'a notification channel reads a customer’s key only to decrypt an address on that channel: an e2e run whose orders chose no push (or sms) address leaves that channel’s read unused (shared/kit/personal-data)',
  },
  {
    action: 'dynamodb:GetItem',
    resource: /EventStoreTable/,
    why: 'input claims read a claim back when a conditional put returned no old item (shared/kit/idempotency/input-claims.ts)',
  },
  {
    action: 'dynamodb:DeleteItem',
    resource: /EventStoreTable/,
    why: 'idempotency records are released when the handler fails, so a retry can run (shared/kit/idempotency/dynamodb.ts)',
  },
  {
    action: 'sqs:SendMessage',
    resource: /OrdersSagaWorkQueue/,
    why: 'saga step timers due within timerSchedulerAfter (900 s in dev and prod) are SQS delayed messages to the saga’s own queue; the e2e stack lowers that threshold to 10 s so its 20 s timers take the EventBridge Scheduler path, and sends none (the SQS path: test/unit/saga-timers.unit.test.ts, and every bench and campaign run on a dev stack)',
  },
  {
    action: 'iam:PassRole',
    resource: /TimersDeliveryRole/,
    why: 'CreateSchedule hands the timer delivery role to EventBridge Scheduler: IAM checks PassRole as part of that call, it is no request of its own, so the recording cannot see it (infra/constructs/saga-timer-schedules.ts)',
  },
  ...['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'].map((action) => ({
    action,
    resource: /DataKey/,
    why: 'prod’s data key, used by DynamoDB on the function’s behalf (kms:ViaService) when it reads or writes an encrypted table: not a call of the function’s own, so not recorded',
  })),
];

/** Unused grants split into those with a reason (given) and those without. */
export function justifyUnused(unused: readonly UnusedGrant[]): {
  readonly justified: readonly (UnusedGrant & { readonly why: string })[];
  readonly unjustified: readonly UnusedGrant[];
} {
  const justified: (UnusedGrant & { why: string })[] = [];
  const unjustified: UnusedGrant[] = [];
  for (const grant of unused) {
    const reason = JUSTIFIED_UNUSED.find((j) => j.action === grant.action && j.resource.test(grant.resource));
    if (reason === undefined) unjustified.push(grant);
    else justified.push({ ...grant, why: reason.why });
  }
  return { justified, unjustified };
}

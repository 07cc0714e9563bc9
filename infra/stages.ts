import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { type FaultPlan, faultSpecOf, NO_FAULTS, parseFaultSpec } from '../shared/harness/faults.ts';

/** Settings that differ between a throwaway dev stack and production. */
export interface StageSettings {
  readonly name: 'dev' | 'prod';
  /** What happens to stateful resources (tables, queues, logs, keys) when the stack is deleted. */
  readonly removalPolicy: RemovalPolicy;
  readonly logRetention: RetentionDays;
  /** How long a DLQ keeps a message before AWS deletes it (the SQS maximum is 14 days). */
  readonly dlqRetention: Duration;
  readonly deletionProtection: boolean;
  /** How long the bus archive keeps events for replay; `Duration.days(0)` would mean forever. */
  readonly archiveRetention: Duration;
  /**
   * Where alarms notify besides the stack's alarm topic: an email address subscribed to it.
   * Taken from `-c alarmEmail=ops@example.com`; only prod accepts one, dev alarms stay on the topic.
   */
  readonly alarmEmail?: string;
  /** Order saga: how long a step (or a compensation) may take before the saga compensates. */
  readonly sagaStepTimeout: Duration;
  /**
   * Saga timers due further away than this go to EventBridge Scheduler, nearer ones stay delayed SQS
   * messages (`RoutedSagaTimers` prices both: SQS is cheaper up to its 15-minute delay limit, one
   * schedule beats the SQS hops beyond it). 900 s in both stages; `-c timerSchedulerAfterSeconds=10`
   * lowers it for a deploy (the e2e stack, whose 20 s step timers then take the Scheduler path).
   */
  readonly timerSchedulerAfter: Duration;
  /** Bound of one payment provider call; the payment Lambda's timeout is derived from it. */
  readonly paymentCallTimeout: Duration;
  /** How long the payment provider's circuit stays open before a probe call is let through. */
  readonly paymentCircuitCoolDown: Duration;
  /** Ceiling of a consumer's first retry delay (doubling per receive, jittered). */
  readonly retryBase: Duration;
  /**
   * Whether the consumers' fault-injection switch exists in this stage's bundles. `compiled-out`
   * builds them with the switch replaced by a constant, so no configuration can turn it on.
   */
  readonly faultInjection: 'allowed' | 'compiled-out';
  /** Failures the consumers inject on purpose (`-c faults=transient=0.1,crash=0.02`); dev only. */
  readonly faults: FaultPlan;
  /**
   * Whether the walking skeleton (a rule recording every order event into a table of its own through
   * a queue and a Lambda) is deployed. It proves the bus → queue → Lambda path in demos and tests;
   * in production it would only write every event a second time (the event store and the bus archive
   * already keep them), about $15 per million orders.
   */
  readonly walkingSkeleton: boolean;
  /**
   * What the functions write to CloudWatch Logs: $0.50 per GB ingested; about 24 KB per order was
   * measured on a prod stack before this profile (every record's lines, every platform line), $12 per
   * million orders. See {@link StageLogging}.
   */
  readonly logging: StageLogging;
  /**
   * X-Ray active tracing of every function: $5 per million traces recorded (plus $0.50 per million
   * retrieved or scanned), about $5.80 per million orders measured with active tracing everywhere.
   * `off` in prod by default; `-c tracing=active` turns it on for a deploy (an investigation).
   */
  readonly tracing: 'active' | 'off';
  /**
   * Which keys encrypt the data at rest that outlives a message: the event store (every order, kept),
   * the read models and the functions' log groups. `customer-managed` (prod): one stack key (see
   * `infra/constructs/data-key.ts`), so access to that data can be audited in CloudTrail, revoked or
   * restricted by key policy; $1 a month for the key plus KMS requests ($0.03 per 10,000): DynamoDB
   * asks KMS again only when a connection's cached table key expires (minutes, not per item), and
   * CloudWatch Logs likewise caches its data keys, so requests grow with warm function instances, not
   * with orders. `aws-managed` (dev): DynamoDB's and CloudWatch Logs' own keys, free, and what the
   * local cloud runs without KMS. Queues keep SSE-SQS in both stages (see `dead-letter-queue.ts`).
   */
  readonly dataKey: 'customer-managed' | 'aws-managed';
  /**
   * Whether the event store has its correlation index (`byCorrelation`, keys only), which `pipeline
   * trace` queries; without it trace scans the whole table (and says so). Each commit item written is
   * one more WRU (a keys-only entry is under 1 KB): a confirmed one-line order writes 7 commit items
   * (counted in `shared/kit/event-store/dynamodb-indexes.ts`; `pipeline trace --json` reports the
   * same as `itemsRead`), so 7 WRU, $4.38 per million orders at $0.625/M WRU (the stream catalog adds
   * 4 WRU, always on). On in both stages: without it, one trace of a table holding a million orders
   * scans 7 million items or more (about 0.5 RRU per 4 KB, and minutes), and trace is what an
   * operator reaches for first. `-c traceIndex=off` drops it for a deploy; turning it on again
   * backfills it from the items, which always carry its key.
   */
  readonly traceIndex: boolean;
}

/** Application log levels, most detailed first. */
export type AppLogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/**
 * How a stage's functions log.
 * - `text` (dev): Lambda's plain-text format, so its START/END/REPORT lines are written as today (the
 *   cost bench counts invocations and durations from the REPORT lines); the application level is set
 *   for Powertools only (`POWERTOOLS_LOG_LEVEL`).
 * - `json` (prod): Lambda's advanced logging controls. Lambda itself drops application lines below
 *   `level` (Powertools follows that level, it takes precedence over `POWERTOOLS_LOG_LEVEL`) and
 *   platform lines below `platformLevel`: at WARN the START/END/REPORT lines of every invocation are
 *   not ingested. Powertools' sampled debug (`POWERTOOLS_LOGGER_SAMPLE_RATE`) cannot go below
 *   Lambda's filter (Powertools yields to `AWS_LAMBDA_LOG_LEVEL`, and Lambda would drop the DEBUG
 *   lines anyway), so it is not set: it would only add a `sampling_rate` key to every line. To see
 *   per-record lines in prod, deploy with `level: 'DEBUG'`.
 */
export type StageLogging =
  | { readonly format: 'text'; readonly level: AppLogLevel }
  | {
      readonly format: 'json';
      readonly level: AppLogLevel;
      readonly platformLevel: 'DEBUG' | 'INFO' | 'WARN';
    };

const stages: Record<StageSettings['name'], StageSettings> = {
  dev: {
    name: 'dev',
    removalPolicy: RemovalPolicy.DESTROY,
    logRetention: RetentionDays.ONE_WEEK,
    dlqRetention: Duration.days(14),
    deletionProtection: false,
    archiveRetention: Duration.days(7),
    // Short enough that a step timeout (and its compensation) shows up within a demo or a test run,
    // long enough for a step's round trip through the outbox and the bus on a loaded local cloud:
    // 10 s was measured too short on 2 cores under load (reserveInventory timed out before it ran).
    sagaStepTimeout: Duration.seconds(20),
    timerSchedulerAfter: Duration.seconds(900),
    paymentCallTimeout: Duration.seconds(2),
    paymentCircuitCoolDown: Duration.seconds(5),
    retryBase: Duration.seconds(1),
    faultInjection: 'allowed',
    faults: NO_FAULTS,
    walkingSkeleton: true,
    // Today's detail: the consumers' per-record lines are DEBUG (the fault campaign and the bad-input
    // suite read them in dev), the platform lines stay in plain text.
    logging: { format: 'text', level: 'DEBUG' },
    tracing: 'active',
    dataKey: 'aws-managed',
    traceIndex: true,
  },
  prod: {
    name: 'prod',
    removalPolicy: RemovalPolicy.RETAIN,
    logRetention: RetentionDays.THREE_MONTHS,
    dlqRetention: Duration.days(14),
    deletionProtection: true,
    archiveRetention: Duration.days(365),
    sagaStepTimeout: Duration.minutes(2),
    timerSchedulerAfter: Duration.seconds(900),
    paymentCallTimeout: Duration.seconds(5),
    paymentCircuitCoolDown: Duration.seconds(30),
    retryBase: Duration.seconds(2),
    faultInjection: 'compiled-out',
    faults: NO_FAULTS,
    walkingSkeleton: false,
    // One INFO line per batch and every warning and error; no per-record success lines, no platform
    // START/END/REPORT lines (Lambda's metrics keep invocations and durations).
    logging: { format: 'json', level: 'INFO', platformLevel: 'WARN' },
    tracing: 'off',
    dataKey: 'customer-managed',
    traceIndex: true,
  },
};

/** Options read from CDK context next to the stage name. */
export interface StageContext {
  /** `-c alarmEmail=…`; prod only. */
  readonly alarmEmail?: unknown;
  /** `-c faults=transient=0.1,crash=0.02`; dev only. */
  readonly faults?: unknown;
  /** `-c tracing=active|off`: X-Ray active tracing, instead of the stage's default. */
  readonly tracing?: unknown;
  /** `-c traceIndex=on|off`: the event store's correlation index, instead of the stage's default. */
  readonly traceIndex?: unknown;
  /** `-c timerSchedulerAfterSeconds=10`: see {@link StageSettings.timerSchedulerAfter}. */
  readonly timerSchedulerAfterSeconds?: unknown;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Resolves `-c stage=…` (and its context options); an unknown stage, a malformed email or an email for
 * dev is an error rather than a silent dev deploy or an alarm that never reaches anyone.
 */
export function stageSettings(name: unknown, context: StageContext = {}): StageSettings {
  const key = name ?? 'dev';
  if (key !== 'dev' && key !== 'prod') {
    throw new Error(`Unknown stage "${String(key)}": use -c stage=dev or -c stage=prod`);
  }
  const settings = withTimerThreshold(
    withTraceIndex(withTracing(withFaults(stages[key], context.faults), context.tracing), context.traceIndex),
    context.timerSchedulerAfterSeconds,
  );
  const email = context.alarmEmail;
  if (email === undefined || email === '') return settings;
  if (typeof email !== 'string' || !EMAIL.test(email)) {
    throw new Error(`alarmEmail "${String(email)}" is not an email address`);
  }
  if (key !== 'prod') {
    throw new Error('alarmEmail is only taken by -c stage=prod; dev alarms go to the alarm topic only');
  }
  return { ...settings, alarmEmail: email };
}

/** Applies `-c faults=…`: refused for a stage whose bundles have the switch compiled out. */
function withFaults(settings: StageSettings, spec: unknown): StageSettings {
  if (spec === undefined || spec === '') return settings;
  if (typeof spec !== 'string') throw new Error(`faults must be a spec like transient=0.1,crash=0.02`);
  const faults = parseFaultSpec(spec);
  if (faultSpecOf(faults) === 'none') return settings;
  if (settings.faultInjection === 'compiled-out') {
    throw new Error(
      `faults (${spec}) cannot be enabled on stage ${settings.name}: its bundles are built without the fault-injection switch; use -c stage=dev`,
    );
  }
  return { ...settings, faults };
}

/** Applies `-c tracing=…` (prod leaves X-Ray off unless asked). */
function withTracing(settings: StageSettings, tracing: unknown): StageSettings {
  if (tracing === undefined || tracing === '') return settings;
  if (tracing !== 'active' && tracing !== 'off') {
    throw new Error(
      `tracing "${String(tracing)}" is not a tracing mode: use -c tracing=active or -c tracing=off`,
    );
  }
  return { ...settings, tracing };
}

/** Applies `-c traceIndex=on|off` (booleans too: `cdk.json` context may hold one). */
function withTraceIndex(settings: StageSettings, traceIndex: unknown): StageSettings {
  if (traceIndex === undefined || traceIndex === '') return settings;
  if (traceIndex === 'on' || traceIndex === true) return { ...settings, traceIndex: true };
  if (traceIndex === 'off' || traceIndex === false) return { ...settings, traceIndex: false };
  throw new Error(
    `traceIndex "${String(traceIndex)}" is not on or off: use -c traceIndex=on or -c traceIndex=off`,
  );
}

/** Applies `-c timerSchedulerAfterSeconds=…`: whole seconds from 1 to 900 (an SQS delay's limit). */
function withTimerThreshold(settings: StageSettings, seconds: unknown): StageSettings {
  if (seconds === undefined || seconds === '') return settings;
  const value = typeof seconds === 'number' ? seconds : Number(seconds);
  if (typeof seconds === 'boolean' || !Number.isInteger(value) || value < 1 || value > 900) {
    throw new Error(
      `timerSchedulerAfterSeconds "${String(seconds)}" is not whole seconds from 1 to 900 (the SQS delay limit)`,
    );
  }
  return { ...settings, timerSchedulerAfter: Duration.seconds(value) };
}

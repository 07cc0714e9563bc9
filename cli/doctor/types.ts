import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Target } from '../cloud/target.ts';

/** `required` checks decide the exit code; an `info` check that fails is only a warning. */
export type Severity = 'required' | 'info';

/** What a check reports: PASS, FAIL (required), WARN (an info check failed), SKIP (could not run). */
export type CheckStatus = 'PASS' | 'FAIL' | 'WARN' | 'SKIP';

/** SDK clients for the target, built once per run and shared by every check. */
export interface DoctorClients {
  readonly sqs: SQSClient;
  readonly sns: SNSClient;
  readonly events: EventBridgeClient;
  readonly dynamodb: DynamoDBClient;
  readonly lambda: LambdaClient;
  readonly iam: IAMClient;
  readonly cloudformation: CloudFormationClient;
}

/** Everything a check may use. Resources it creates are registered with `defer` and always deleted. */
export interface CheckContext {
  readonly clients: DoctorClients;
  readonly target: Target;
  /** Aborted on Ctrl-C or when the check runs out of time; `sleep` and `poll` honour it. */
  readonly signal: AbortSignal;
  /** A unique, throwaway resource name: `doctor-<check>-<run>-<suffix>` (lowercase, at most 64 chars). */
  name(suffix: string): string;
  /** Registers a deletion to run when the check ends, however it ends (last registered runs first). */
  defer(what: string, remove: () => Promise<unknown>): void;
  /** Progress detail, shown with --verbose. */
  log(message: string): void;
  sleep(ms: number): Promise<void>;
  /**
   * Calls `probe` until it returns a value other than undefined; throws {@link CheckFailed} with
   * `what` if `timeoutMs` passes first.
   */
  poll<T>(probe: () => Promise<T | undefined>, options: PollOptions): Promise<T>;
}

export interface PollOptions {
  /** Ends the sentence "timed out after N s waiting for …", e.g. "the message in the DLQ". */
  readonly what: string;
  readonly timeoutMs: number;
  /** @default 250 */
  readonly intervalMs?: number;
}

/** One live probe of an AWS behaviour the pipeline relies on. */
export interface Check {
  /** Short, stable, kebab-case: used by `--only` and in JSON. */
  readonly id: string;
  readonly title: string;
  /** What goes wrong in the pipeline if the target gets this behaviour wrong. */
  readonly breaks: string;
  /** @default 'required' */
  readonly severity?: Severity;
  /** @default 60_000 */
  readonly timeoutMs?: number;
  /** Resolves (optionally with a one-line finding) when the behaviour is right; throws otherwise. */
  run(ctx: CheckContext): Promise<string | undefined>;
}

/** One check's outcome, as printed and as serialised by `--json`. */
export interface CheckResult {
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  readonly status: CheckStatus;
  readonly seconds: number;
  readonly breaks: string;
  /** Why it failed or was skipped, or what was observed when it passed. */
  readonly detail?: string;
  /** Probe resources that could not be deleted (with the reason): clean these up by hand. */
  readonly leftovers?: readonly string[];
}

/** The behaviour is wrong: the message says what was expected and what happened. */
export class CheckFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckFailed';
  }
}

/** The check cannot run here (a missing client package, an interrupted run): neither pass nor fail. */
export class CheckSkipped extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckSkipped';
  }
}

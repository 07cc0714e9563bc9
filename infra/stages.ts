import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';

/** Settings that differ between a throwaway dev stack and production. */
export interface StageSettings {
  readonly name: 'dev' | 'prod';
  /** What happens to stateful resources (tables, queues, logs) when the stack is deleted. */
  readonly removalPolicy: RemovalPolicy;
  readonly logRetention: RetentionDays;
  /** How long a DLQ keeps a message before AWS deletes it (the SQS maximum is 14 days). */
  readonly dlqRetention: Duration;
  readonly deletionProtection: boolean;
}

const stages: Record<StageSettings['name'], StageSettings> = {
  dev: {
    name: 'dev',
    removalPolicy: RemovalPolicy.DESTROY,
    logRetention: RetentionDays.ONE_WEEK,
    dlqRetention: Duration.days(14),
    deletionProtection: false,
  },
  prod: {
    name: 'prod',
    removalPolicy: RemovalPolicy.RETAIN,
    logRetention: RetentionDays.THREE_MONTHS,
    dlqRetention: Duration.days(14),
    deletionProtection: true,
  },
};

/** Resolves `-c stage=…`; an unknown stage is an error rather than a silent dev deploy. */
export function stageSettings(name: unknown): StageSettings {
  const key = name ?? 'dev';
  if (key !== 'dev' && key !== 'prod') {
    throw new Error(`Unknown stage "${String(key)}": use -c stage=dev or -c stage=prod`);
  }
  return stages[key];
}

import { SQSClient } from '@aws-sdk/client-sqs';
import { faultHarnessFromEnv } from '../../harness/faults.ts';
import { clientConfig } from '../aws/client-config.ts';
import { createLogger, type LogPort } from '../observability/logger.ts';
import { createOutcomeMetrics } from '../observability/metrics.ts';
import * as z from '../zod.ts';
import type { ConsumerDeps, ConsumerHarness } from './runtime.ts';

/**
 * Environment every SQS-fed Lambda reads. A handler's wiring file extends it with its own variables
 * and parses `process.env` once at cold start: a missing variable fails the init, not each record.
 */
export const consumerEnvSchema = z.object({
  QUEUE_URL: z.string().check(z.minLength(1)),
  DLQ_URL: z.string().check(z.minLength(1)),
  AWS_REGION: z._default(z.string().check(z.minLength(1)), 'us-east-1'),
  /** Local cloud endpoint; absent on AWS. */
  AWS_ENDPOINT_URL: z.optional(z.string().check(z.minLength(1))),
  /** Set by Lambda for Powertools; also the `service` dimension of metrics. */
  POWERTOOLS_SERVICE_NAME: z.optional(z.string().check(z.minLength(1))),
  RETRY_BASE_SECONDS: z._default(z.coerce.number().check(z.int(), z.positive()), 2),
  RETRY_MAX_SECONDS: z._default(z.coerce.number().check(z.int(), z.positive(), z.lte(43_200)), 900),
});

/** Parsed {@link consumerEnvSchema}. */
export type ConsumerEnv = z.infer<typeof consumerEnvSchema>;

/**
 * The production dependencies of a consumer named `name`: an SQS client on the configured endpoint,
 * Powertools Logger and Metrics (namespace `OrderPipeline`). Call once at module scope.
 */
export function productionConsumerDeps(name: string, env: ConsumerEnv): ConsumerDeps {
  const service = env.POWERTOOLS_SERVICE_NAME ?? name;
  const logger = createLogger(service);
  const harness = consumerHarness(logger);
  const aws = { region: env.AWS_REGION, ...(env.AWS_ENDPOINT_URL ? { endpoint: env.AWS_ENDPOINT_URL } : {}) };
  return {
    sqs: new SQSClient(clientConfig(aws)),
    queueUrl: env.QUEUE_URL,
    dlqUrl: env.DLQ_URL,
    logger,
    metrics: createOutcomeMetrics(service),
    backoff: { baseSeconds: env.RETRY_BASE_SECONDS, maxSeconds: env.RETRY_MAX_SECONDS },
    ...(harness ? { harness } : {}),
  };
}

/**
 * The harness this build puts around its consumers: fault injection as `PIPELINE_FAULTS` asks, unless
 * the build compiled it out. Prod bundles define `process.env.PIPELINE_FAULT_INJECTION` as
 * `"compiled-out"` (`FAULTS_COMPILED_OUT`, `functionBundle` in infra/constructs/function-bundle.ts); the comparison is written with
 * the literal because esbuild folds only a literal, and once folded it drops the other branch and,
 * with it, shared/harness from the bundle.
 */
export function consumerHarness(
  logger: LogPort,
  env: Readonly<Record<string, string | undefined>> = process.env,
): ConsumerHarness | undefined {
  return process.env.PIPELINE_FAULT_INJECTION === 'compiled-out'
    ? undefined
    : faultHarnessFromEnv(env, logger);
}

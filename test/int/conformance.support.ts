import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { it, type TestContext } from 'vitest';
import { type ConformanceRecord, conformanceRecordFile } from '../support/conformance-record.ts';
import { endpointRunsLambda } from '../support/endpoint.ts';
import { deployTemplate, inlineFunction, lambdaRole, region } from './conformance-resources.support.ts';

/**
 * One conformance suite for every endpoint the int tier runs against (MiniStack, LocalStack, moto,
 * AWS): each behaviour the pipeline relies on is probed, and the test asserts what AWS does. When the
 * endpoint does something else that is a known gap (a signature recorded here, with what the product
 * or the local-cloud tooling does about it), the test records the gap, proves the work-around, and
 * passes; any other difference fails with the AWS assertion. No test asserts an emulator's wrong
 * behaviour as right: when an emulator release fixes a gap, its test keeps passing (now as "behaves
 * like AWS") and the gap's line disappears from the record, which says the work-around can go.
 */

/** A way an endpoint differs from AWS that the project knows, recognised from a probe's observation. */
export interface KnownGap<O> {
  /** Stable id (`cfn-events-archive`), used in the README's gap table and in the record. */
  readonly id: string;
  /** What the endpoint does instead of what AWS does. */
  readonly instead: string;
  /** Whether `observed` is this gap's signature. */
  readonly seen: (observed: O) => boolean;
  /** What the product or the local-cloud tooling does about it. */
  readonly workaround: string;
  /** Proves the work-around works on this endpoint (throws if it does not). */
  readonly check?: (observed: O) => Promise<void>;
}

/** One behaviour the pipeline relies on, as a probe and AWS's answer to it. */
export interface Behaviour<O> {
  /** Needs a Lambda function to run on the endpoint (skipped, with the reason, where none can). */
  readonly needsLambda?: boolean;
  /**
   * Why the endpoint cannot run the probe at all (a service it does not offer), or undefined when it
   * can: the test is then skipped and recorded as not runnable, with that reason.
   */
  readonly unavailable?: () => Promise<string | undefined>;
  /** Does the thing and returns what the endpoint did, without judging it. */
  readonly probe: () => Promise<O>;
  /** Asserts that `observed` is what AWS does (throws an assertion error otherwise). */
  readonly aws: (observed: O) => void | Promise<void>;
  readonly gaps?: readonly KnownGap<O>[];
}

const endpoint = process.env.AWS_ENDPOINT_URL ?? `aws:${region}`;

function record(entry: Omit<ConformanceRecord, 'endpoint'>): void {
  const file = conformanceRecordFile();
  mkdirSync(dirname(file), { recursive: true });
  appendFileSync(file, `${JSON.stringify({ endpoint, ...entry })}\n`);
}

/**
 * Declares one conformance test: `title` states what AWS does. The test passes when the endpoint does
 * that, or when it shows a known gap whose work-around holds (recorded, and annotated on the test).
 */
export function conformance<O>(title: string, behaviour: Behaviour<O>, timeoutMs?: number): void {
  it(
    title,
    async (context: TestContext) => {
      if (behaviour.needsLambda) {
        const why = await lambdaUnavailable();
        if (why !== undefined) {
          record({ behaviour: title, result: 'skipped', detail: why });
          context.skip(`needs a running Lambda: ${why}`);
        }
      }
      const missing = await behaviour.unavailable?.();
      if (missing !== undefined) {
        record({ behaviour: title, result: 'skipped', detail: missing });
        context.skip(missing);
      }
      const observed = await behaviour.probe();
      try {
        await behaviour.aws(observed);
      } catch (difference) {
        const gap = behaviour.gaps?.find((known) => known.seen(observed));
        if (gap === undefined) {
          // Neither AWS's behaviour nor a known gap: say what was seen, to classify it.
          if (difference instanceof Error) difference.message += `\nobserved: ${JSON.stringify(observed)}`;
          throw difference;
        }
        await gap.check?.(observed).catch((failure: unknown) => {
          throw new Error(
            `known gap ${gap.id} seen in ${JSON.stringify(observed)}, but its work-around failed: ${failure instanceof Error ? failure.message : String(failure)}`,
            { cause: failure },
          );
        });
        record({ behaviour: title, result: 'known-gap', gap: gap.id, detail: gap.instead });
        await context.annotate(`known gap ${gap.id}: ${gap.instead} → ${gap.workaround}`, 'notice');
        return;
      }
      record({ behaviour: title, result: 'aws' });
    },
    timeoutMs,
  );
}

let lambdaProbe: Promise<string | undefined> | undefined;

/**
 * Why no Lambda function can run on this endpoint, or undefined when one can: decided once per file
 * by deploying an inline function and invoking it (LocalStack on the host and moto run Lambda only
 * through Docker, which these machines do not have). `PIPELINE_ENDPOINT_RUNS_LAMBDA=0|1` skips the
 * probe when the caller knows.
 */
export function lambdaUnavailable(): Promise<string | undefined> {
  const declared = process.env.PIPELINE_ENDPOINT_RUNS_LAMBDA;
  if (!endpointRunsLambda())
    return Promise.resolve('PIPELINE_ENDPOINT_RUNS_LAMBDA=0 (this endpoint has no Lambda runtime)');
  if (declared === '1') return Promise.resolve(undefined);
  lambdaProbe ??= probeLambda();
  return lambdaProbe;
}

async function probeLambda(): Promise<string | undefined> {
  const lambda = new LambdaClient({ region });
  try {
    const deployed = await deployTemplate({
      Role: lambdaRole,
      Fn: inlineFunction('exports.handler = async () => ({ ok: true });'),
    });
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const answer = await lambda
        .send(new InvokeCommand({ FunctionName: deployed.Fn }))
        .catch((error: unknown) => ({ error }));
      if ('StatusCode' in answer && answer.StatusCode === 200 && answer.FunctionError === undefined)
        return undefined;
      // A function still Pending answers ResourceConflictException for a moment on AWS and MiniStack.
      const message =
        'error' in answer
          ? String((answer.error as Error).message)
          : `${answer.FunctionError}: ${new TextDecoder().decode(answer.Payload).slice(0, 160)}`;
      if (!/Pending|ResourceConflict|not ready/i.test(message ?? ''))
        return `invoking a test function failed: ${message}`;
      await sleep(500);
    }
    return 'a test function did not become invokable within 10 s';
  } catch (error) {
    return `deploying a test function failed: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    lambda.destroy();
  }
}

let account: Promise<string> | undefined;

/** The account the endpoint answers for (000000000000 on the emulators as the tests run them). */
export function accountId(): Promise<string> {
  account ??= new STSClient({ region })
    .send(new GetCallerIdentityCommand({}))
    .then((identity) => identity.Account ?? '000000000000');
  return account;
}

/**
 * The local cloud the saga cases run on: a MiniStack instance of the bench's own whose Lambda workers
 * send their SDK calls through the counting proxy, the stack deployed with the real `pipeline deploy`,
 * and each function tagged with its name in the SDK user agent so requests can be told apart.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import {
  CloudFormationClient,
  DescribeStacksCommand,
  paginateListStackResources,
} from '@aws-sdk/client-cloudformation';
import {
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  LambdaClient,
  paginateListEventSourceMappings,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { startMiniStack } from '../../cli/cloud/ministack.ts';
import { createReporter } from '../../cli/output.ts';
import {
  localClientConfig,
  phases,
  pipelineEnv,
  requireSuccess,
  runPipeline,
  stopInstance,
} from '../local-cloud.ts';
import { CountingProxy } from '../requests/proxy.ts';

export const STACK_NAME = 'OrderPipeline-dev';

/** A deployed function of the stack, as the request accounting needs it. */
export interface StackFunction {
  readonly name: string;
  readonly logicalId: string;
  /** Short name the function's SDK requests carry (`saga`, `notification-channel-email`…). */
  readonly appId: string;
  readonly memoryMb: number;
  readonly logGroup: string;
  /** ARNs of the queues (or streams) its event source mappings read. */
  readonly sources: readonly string[];
}

export interface SagaCloud {
  readonly instance: string;
  readonly endpoint: string;
  /** The MiniStack process (its Lambda workers are its descendants), for CPU accounting. */
  readonly pid: number | undefined;
  readonly proxy: CountingProxy;
  readonly outputs: Record<string, string>;
  readonly functions: readonly StackFunction[];
  readonly deploySeconds: number;
  readonly deploySteps: string;
  stop(): Promise<void>;
}

/** Sets environment variables for the duration of `work` (startMiniStack reads process.env). */
async function withEnv<T>(vars: Record<string, string | undefined>, work: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const apply = (values: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  apply(vars);
  try {
    return await work();
  } finally {
    apply(saved);
  }
}

/** `functions/notification-channel/handler.ts` + CHANNEL=email → `notification-channel-email`. */
export function appIdOf(entry: string | undefined, env: Record<string, string>, fallback: string): string {
  const folder = /^functions\/([\w-]+)\//.exec(entry ?? '')?.[1];
  const base = folder ?? fallback.replace(/[^\w-]/g, '').slice(0, 40);
  return env.CHANNEL ? `${base}-${env.CHANNEL}` : base;
}

async function stackFunctions(lambda: LambdaClient, cfn: CloudFormationClient): Promise<StackFunction[]> {
  const found: StackFunction[] = [];
  for await (const page of paginateListStackResources({ client: cfn }, { StackName: STACK_NAME })) {
    for (const resource of page.StackResourceSummaries ?? []) {
      if (resource.ResourceType !== 'AWS::Lambda::Function' || !resource.PhysicalResourceId) continue;
      const fn = await lambda.send(new GetFunctionCommand({ FunctionName: resource.PhysicalResourceId }));
      const env = fn.Configuration?.Environment?.Variables ?? {};
      const sources: string[] = [];
      for await (const mappings of paginateListEventSourceMappings(
        { client: lambda },
        { FunctionName: resource.PhysicalResourceId },
      )) {
        for (const m of mappings.EventSourceMappings ?? [])
          if (m.EventSourceArn) sources.push(m.EventSourceArn);
      }
      found.push({
        name: resource.PhysicalResourceId,
        logicalId: resource.LogicalResourceId ?? '',
        appId: appIdOf(fn.Tags?.['pipeline:entry'], env, resource.LogicalResourceId ?? 'fn'),
        memoryMb: fn.Configuration?.MemorySize ?? 128,
        logGroup: fn.Configuration?.LoggingConfig?.LogGroup ?? `/aws/lambda/${resource.PhysicalResourceId}`,
        sources,
      });
    }
  }
  return found;
}

/**
 * Gives each function AWS_SDK_UA_APP_ID (its name in every SDK user agent). Only this bench cloud's
 * configuration changes; the template and the repository do not.
 */
async function tagUserAgents(lambda: LambdaClient, functions: readonly StackFunction[]): Promise<void> {
  for (const fn of functions) {
    const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn.name }));
    const variables = { ...(config.Environment?.Variables ?? {}), AWS_SDK_UA_APP_ID: fn.appId };
    await lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: fn.name,
        Environment: { Variables: variables },
      }),
    );
    for (let i = 0; i < 50; i++) {
      const now = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn.name }));
      if (now.LastUpdateStatus !== 'InProgress') break;
      await sleep(100);
    }
  }
}

/**
 * Starts instance `instance` behind a counting proxy and deploys the stack to it; `deployArgs` go to
 * `pipeline deploy` (the campaign passes `--faults …`).
 */
export async function startSagaCloud(
  instance = 'bench-saga',
  deployArgs: readonly string[] = [],
): Promise<SagaCloud> {
  await stopInstance(instance);
  const proxy = await CountingProxy.start();
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await stopInstance(instance);
    await proxy.close();
  };
  try {
    const state = await withEnv(
      {
        PIPELINE_CLOUD_INSTANCE: instance,
        AWS_ENDPOINT_URL: proxy.url,
        PIPELINE_TEST_CLOUD_INSTANCE: undefined,
      },
      () => startMiniStack(createReporter(), {}),
    );
    proxy.setUpstream(state.endpoint);
    const deployed = requireSuccess(
      await runPipeline(['deploy', '--local', '--json', ...deployArgs], pipelineEnv(instance)),
      'pipeline deploy --local',
    );
    const config = localClientConfig(state.endpoint);
    const lambda = new LambdaClient(config);
    const cfn = new CloudFormationClient(config);
    const functions = await stackFunctions(lambda, cfn);
    await tagUserAgents(lambda, functions);
    const stack = (await cfn.send(new DescribeStacksCommand({ StackName: STACK_NAME }))).Stacks?.[0];
    if (!stack) throw new Error(`stack ${STACK_NAME} not found after the deploy`);
    proxy.take(); // the deploy's own traffic is not the pipeline's
    return {
      instance,
      endpoint: state.endpoint,
      pid: state.pid,
      proxy,
      outputs: Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? ''])),
      functions,
      deploySeconds: deployed.ms / 1000,
      deploySteps: phases(deployed),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

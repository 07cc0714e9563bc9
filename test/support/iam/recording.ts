/**
 * Recording of the AWS calls the deployed functions make, for the IAM check (test/support/iam-simulate.ts).
 * The bench's counting proxy sits between the Lambda workers and the emulator (MiniStack hands its own
 * AWS_ENDPOINT_URL to every worker it spawns), so nothing in the product's code or bundles changes;
 * after the deploy each function is given its logical id as SDK user-agent app id, which is how a
 * request is tied to the function (and so to its role). Enabled by PIPELINE_TEST_IAM_CALLS=<file>.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { CloudFormationClient, paginateListStackResources } from '@aws-sdk/client-cloudformation';
import {
  GetFunctionConfigurationCommand,
  LambdaClient,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { CountingProxy } from '../../../bench/requests/proxy.ts';
import { recordedRequestOf } from './requests.ts';

/** Where the recording goes, or undefined when the run records nothing. */
export function recordingPath(environment: NodeJS.ProcessEnv = process.env): string | undefined {
  const path = environment.PIPELINE_TEST_IAM_CALLS;
  return path && path !== 'off' ? path : undefined;
}

/** Set (to the proxy's URL) while a recording proxy fronts the tests' local cloud; child processes inherit it. */
export const RECORDING_PROXY_VAR = 'PIPELINE_TEST_IAM_RECORDING_PROXY';

/** The stack's resources as deployed: the check maps recorded ARNs back to logical ids with it. */
export const stackFileOf = (callsPath: string) => `${callsPath.replace(/\.jsonl$/, '')}.stack.json`;

export interface DeployedResource {
  readonly logicalId: string;
  readonly type: string;
  readonly physicalId: string;
}

export interface DeployedStack {
  readonly stackName: string;
  readonly account: string;
  readonly region: string;
  readonly resources: readonly DeployedResource[];
}

/**
 * A proxy appending one JSON line per request to `path` (truncated first; the stack file of an
 * earlier run goes too, so a check never reads one run's calls with another's names). Its URL is
 * what the emulator must hand its Lambda workers as AWS_ENDPOINT_URL.
 */
export async function startRecordingProxy(path: string): Promise<CountingProxy> {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, '');
  rmSync(stackFileOf(path), { force: true });
  return CountingProxy.start((exchange) => {
    appendFileSync(path, `${JSON.stringify(recordedRequestOf(exchange))}\n`);
  });
}

export interface RecordingProxyProcess {
  readonly url: string;
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

/**
 * Starts the recording proxy in a process of its own (see recording-proxy.ts for why), forwarding
 * to `upstream`, and resolves once it listens.
 */
export async function spawnRecordingProxy(path: string, upstream: string): Promise<RecordingProxyProcess> {
  const script = fileURLToPath(new URL('./recording-proxy.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, path, upstream, String(process.pid)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')).trim());
    });
    child.once('error', reject);
    void exited.then(() =>
      reject(new Error(`the recording proxy exited (${child.exitCode}) before it listened`)),
    );
  });
  child.stdout.destroy();
  child.unref();
  return {
    url,
    pid: child.pid,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(5000)]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/**
 * After the deploy: tags every function of the stack with its logical id (AWS_SDK_UA_APP_ID, read
 * by the SDK v3 in the function) and writes the stack's resources beside the recording. Only this
 * test cloud's function configuration changes; the template does not.
 */
export async function prepareRecording(
  callsPath: string,
  stackName: string,
  config: { region: string; account: string },
): Promise<void> {
  const cfn = new CloudFormationClient({ region: config.region });
  const lambda = new LambdaClient({ region: config.region });
  const resources: DeployedResource[] = [];
  for await (const page of paginateListStackResources({ client: cfn }, { StackName: stackName })) {
    for (const r of page.StackResourceSummaries ?? []) {
      if (!r.LogicalResourceId || !r.ResourceType || !r.PhysicalResourceId) continue;
      resources.push({
        logicalId: r.LogicalResourceId,
        type: r.ResourceType,
        physicalId: r.PhysicalResourceId,
      });
    }
  }
  for (const fn of resources.filter((r) => r.type === 'AWS::Lambda::Function')) {
    const current = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn.physicalId }));
    const variables = { ...(current.Environment?.Variables ?? {}), AWS_SDK_UA_APP_ID: fn.logicalId };
    await lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: fn.physicalId,
        Environment: { Variables: variables },
      }),
    );
    for (let i = 0; i < 50; i++) {
      const now = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn.physicalId }));
      if (now.LastUpdateStatus !== 'InProgress') break;
      await sleep(100);
    }
  }
  const stack: DeployedStack = { stackName, ...config, resources };
  writeFileSync(stackFileOf(callsPath), `${JSON.stringify(stack, null, 2)}\n`);
}

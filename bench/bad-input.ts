/**
 * `npm run bad-input [-- --json --keep --timeout S]`: the bad-input suite (issue #7) on a local cloud of
 * its own (instance bench-bad-input). Deploys the stack, sends every case at its edge (CLI inject,
 * PutEvents, raw SQS body, event-store stream record, SNS message) with a good order alongside, prints
 * the table, writes bench/reports/bad-input.{json,md}, stops its cloud and exits 1 when a case does not
 * meet its expectation or something else was affected.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { startMiniStack } from '../cli/cloud/ministack.ts';
import { createReporter } from '../cli/output.ts';
import { passed, renderBadInputReport } from '../test/bad-input/report.ts';
import { runBadInputSuite } from '../test/bad-input/suite.ts';
import {
  LOCAL_CREDENTIALS,
  localClientConfig,
  pipelineEnv,
  requireSuccess,
  runPipeline,
  stopInstance,
} from './local-cloud.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const log = (line: string) => process.stderr.write(`▸ ${line}\n`);

const INSTANCE = 'bench-bad-input';
const STACK_NAME = 'OrderPipeline-dev';

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    timeout: { type: 'string', default: '180' },
  },
});
const timeoutSeconds = Number(args.timeout);
if (!(timeoutSeconds > 0)) {
  process.stderr.write('--timeout must be a positive number of seconds\n');
  process.exit(2);
}

/** Starts instance bench-bad-input (after stopping a leftover one) and deploys the stack to it. */
async function startCloud(): Promise<{ endpoint: string; outputs: Record<string, string> }> {
  await stopInstance(INSTANCE);
  const saved = { instance: process.env.PIPELINE_CLOUD_INSTANCE, endpoint: process.env.AWS_ENDPOINT_URL };
  process.env.PIPELINE_CLOUD_INSTANCE = INSTANCE;
  delete process.env.AWS_ENDPOINT_URL;
  let endpoint: string;
  try {
    endpoint = (await startMiniStack(createReporter(), {})).endpoint;
  } finally {
    if (saved.instance === undefined) delete process.env.PIPELINE_CLOUD_INSTANCE;
    else process.env.PIPELINE_CLOUD_INSTANCE = saved.instance;
    if (saved.endpoint !== undefined) process.env.AWS_ENDPOINT_URL = saved.endpoint;
  }
  log(`Deploying ${STACK_NAME} to ${endpoint}`);
  requireSuccess(
    await runPipeline(['deploy', '--local', '--json'], pipelineEnv(INSTANCE)),
    'pipeline deploy --local',
  );
  const cfn = new CloudFormationClient(localClientConfig(endpoint));
  const stack = (await cfn.send(new DescribeStacksCommand({ StackName: STACK_NAME }))).Stacks?.[0];
  if (!stack) throw new Error(`stack ${STACK_NAME} not found after the deploy`);
  return {
    endpoint,
    outputs: Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? ''])),
  };
}

let exitCode = 1;
try {
  const cloud = await startCloud();
  const report = await runBadInputSuite(
    {
      emulator: true,
      stackName: STACK_NAME,
      outputs: cloud.outputs,
      clientConfig: { region: 'us-east-1', endpoint: cloud.endpoint, credentials: LOCAL_CREDENTIALS },
      cli: (args) => runPipeline(args, pipelineEnv(INSTANCE), 120_000),
    },
    { timeoutMs: timeoutSeconds * 1000, log },
  );
  const markdown = renderBadInputReport(report);
  const json = `${JSON.stringify(report, null, 2)}\n`;
  process.stdout.write(args.json ? json : `${markdown}\n`);
  mkdirSync(new URL('./reports/', import.meta.url), { recursive: true });
  writeFileSync(new URL('./reports/bad-input.md', import.meta.url), markdown);
  writeFileSync(new URL('./reports/bad-input.json', import.meta.url), json);
  exitCode = passed(report) ? 0 : 1;
  const met = report.results.filter((r) => r.ok).length;
  log(`${met}/${report.results.length} cases met; ${exitCode === 0 ? 'nothing else affected' : 'FAILED'}`);
} catch (error) {
  process.stderr.write(
    `bad-input suite failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
} finally {
  if (!args.keep) await stopInstance(INSTANCE);
  else
    log(
      `Cloud kept running (instance ${INSTANCE}); stop it with PIPELINE_CLOUD_INSTANCE=${INSTANCE} npx pipeline down`,
    );
}
process.exit(exitCode);

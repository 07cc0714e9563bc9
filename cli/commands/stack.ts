import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { Command } from 'commander';
import { faultSpecOf, parseFaultSpec } from '../../shared/harness/faults.ts';
import { clientsFor } from '../cloud/clients.ts';
import { stopMiniStack } from '../cloud/ministack.ts';
import { applyTarget, LOCAL_ACCOUNT, resolveTarget, type Target } from '../cloud/target.ts';
import { type DeployResult, deploy, destroy } from '../deploy/deploy.ts';
import { describeScope, destroyDecision } from '../deploy/destroy-guard.ts';
import { ordersContext } from '../orders/context.ts';
import { renderDemo, runSagaDemo } from '../orders/demo.ts';
import { CliError, type Reporter, table } from '../output.ts';
import { startCloud } from './cloud.ts';
import { globals, portOption } from './common.ts';
import { roundTrip } from './roundtrip.ts';

function renderDeploy(result: DeployResult): string {
  const lines = [
    `Stack ${result.stackName} deployed to ${result.endpoint ?? 'AWS'} in ${result.seconds} s`,
    `Resources verified: ${result.resources.verified}/${result.resources.total}` +
      (result.resources.notChecked
        ? ` (${result.resources.notChecked} not probed: ${result.resources.notCheckedTypes.join(', ')})`
        : ''),
  ];
  for (const fixup of result.fixups.filter((f) => f.action === 'patched')) {
    lines.push(`Local fix-up: ${fixup.resource}: ${fixup.detail}`);
  }
  lines.push('', 'Outputs:', table(Object.entries(result.outputs).map(([k, v]) => [`  ${k}`, v])));
  return lines.join('\n');
}

function localTarget(): Target {
  const target = resolveTarget();
  if (target.kind === 'aws') {
    throw new CliError(
      'No local cloud is running and AWS_ENDPOINT_URL is not set.',
      'Run `pipeline up` (or `pipeline cloud start` first).',
    );
  }
  return target;
}

/** `--faults transient=0.1,crash=0.02`, checked before anything is started. */
function faultsOption(spec: string | undefined, stage: string): string | undefined {
  if (spec === undefined) return undefined;
  try {
    const normalized = faultSpecOf(parseFaultSpec(spec));
    if (normalized !== 'none' && stage !== 'dev') {
      throw new Error(`fault injection is compiled out of ${stage} builds`);
    }
    return normalized;
  } catch (error) {
    throw new CliError(
      `--faults ${spec}: ${error instanceof Error ? error.message : String(error)}`,
      'Use e.g. --faults transient=0.1,crash=0.02 (rates 0–0.9) on a dev stage; --faults none turns them off.',
    );
  }
}

async function upAndDeploy(
  reporter: Reporter,
  stage: string,
  stackName: string,
  port?: number,
  faults?: string,
) {
  await startCloud(reporter, port);
  const target = localTarget();
  applyTarget(target);
  return { target, result: await deploy(target, { stackName, stage, faults }, reporter) };
}

/** The account the target's credentials belong to (the emulators answer for their fixed one). */
async function accountOf(target: Target): Promise<string> {
  if (target.kind === 'local') return LOCAL_ACCOUNT;
  const sts = clientsFor(target).sts;
  try {
    return (await sts.send(new GetCallerIdentityCommand({}))).Account ?? 'unknown';
  } catch (error) {
    throw new CliError(
      `Cannot tell which account the stack is in: ${error instanceof Error ? error.message : String(error)}`,
      'Configure credentials (AWS_PROFILE, AWS_REGION) or set AWS_ENDPOINT_URL; nothing was removed.',
    );
  } finally {
    sts.destroy();
  }
}

/** Asks on the terminal for the stack's name; true when it was typed exactly. */
async function confirmByName(stackName: string): Promise<boolean> {
  const { createInterface } = await import('node:readline/promises');
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await prompt.question(`Type the stack name (${stackName}) to destroy it: `)).trim() === stackName;
  } finally {
    prompt.close();
  }
}

const FAULTS_HELP =
  'dev stage only: consumers fail on purpose, e.g. transient=0.1,crash=0.02 (10 % of records fail once; 2 % of batches stop midway); `none` turns it off';

export function registerStackCommands(program: Command): void {
  program
    .command('deploy')
    .description(
      'Deploy the CDK app and verify every resource exists. Without --local or AWS_ENDPOINT_URL: real AWS',
    )
    .option('--local', 'deploy to the running local cloud (error if none is running)')
    .option('--faults <spec>', FAULTS_HELP)
    .action(async (options: { local?: boolean; faults?: string }, command: Command) => {
      const { reporter, stage, stackName } = globals(command);
      const faults = faultsOption(options.faults, stage);
      const target = options.local ? localTarget() : resolveTarget();
      applyTarget(target);
      const result = await deploy(target, { stackName, stage, faults }, reporter);
      reporter.result(result, () => renderDeploy(result));
    });

  program
    .command('up')
    .description('Start the local cloud (installing it on first use) and deploy the stack to it')
    .option('--port <port>', 'local cloud port (env PIPELINE_CLOUD_PORT)')
    .option('--faults <spec>', FAULTS_HELP)
    .action(async (options: { port?: string; faults?: string }, command: Command) => {
      const { reporter, stage, stackName } = globals(command);
      const faults = faultsOption(options.faults, stage);
      const started = Date.now();
      const { result } = await upAndDeploy(reporter, stage, stackName, portOption(options.port), faults);
      const total = Math.round((Date.now() - started) / 100) / 10;
      reporter.result(
        { ...result, upSeconds: total },
        () => `${renderDeploy(result)}\n\nPipeline up in ${total} s.`,
      );
    });

  program
    .command('down')
    .description(
      'Stop the local cloud this project started (everything in it goes). Never touches AWS or AWS_ENDPOINT_URL: `pipeline destroy` removes a stack there',
    )
    .action(async (_options: unknown, command: Command) => {
      const { reporter } = globals(command);
      const stopped = await stopMiniStack(reporter);
      const elsewhere = process.env.AWS_ENDPOINT_URL
        ? ` AWS_ENDPOINT_URL (${process.env.AWS_ENDPOINT_URL}) is not stopped by \`down\`: \`pipeline destroy\` removes the stack there.`
        : '';
      reporter.result({ stopped }, () =>
        stopped
          ? `Local cloud stopped; the pipeline is down.${elsewhere}`
          : `No local cloud was running; nothing was stopped.${elsewhere || ' A stack on AWS is removed only by `pipeline destroy`.'}`,
      );
    });

  program
    .command('destroy')
    .description(
      'Remove the stack from where commands go (AWS_ENDPOINT_URL, else the running local cloud, else AWS): names the account, region and stack, and asks first',
    )
    .option('-y, --yes', 'do not ask (scripts); the account, region and stack are still printed')
    .option('--allow-prod', 'allow removing a prod stage')
    .action(async (options: { yes?: boolean; allowProd?: boolean }, command: Command) => {
      const { reporter, stage, stackName } = globals(command);
      const target = resolveTarget();
      applyTarget(target);
      const scope = { target, stackName, stage, account: await accountOf(target) };
      const decision = destroyDecision(scope, {
        yes: options.yes === true,
        allowProd: options.allowProd === true,
        interactive: process.stdin.isTTY === true && process.stderr.isTTY === true,
      });
      reporter.step(`About to destroy ${describeScope(scope)}`);
      if (decision === 'ask' && !(await confirmByName(stackName))) {
        throw new CliError(
          'Not destroyed: the name typed did not match.',
          `Type ${stackName} exactly, or press Ctrl-C.`,
        );
      }
      await destroy(target, { stackName, stage }, reporter);
      reporter.result(
        { destroyed: stackName, account: scope.account, region: target.region },
        () => `Stack ${stackName} destroyed (${describeScope(scope)}).`,
      );
    });

  program
    .command('demo')
    .description(
      '`npm start`: bring the pipeline up locally, show a round trip, seed stock and run three orders through the saga',
    )
    .option('--port <port>', 'local cloud port (env PIPELINE_CLOUD_PORT)')
    .action(async (options: { port?: string }, command: Command) => {
      const { reporter, stage, stackName } = globals(command);
      const { target, result } = await upAndDeploy(reporter, stage, stackName, portOption(options.port));
      reporter.step('Round trip: PutEvents on the bus → rule → SQS → recorder Lambda → DynamoDB');
      const trip = await roundTrip(target, result.outputs);
      reporter.step('Order saga: seeding stock, placing a happy, a declined and an out-of-stock order');
      const saga = await runSagaDemo(ordersContext({ target, stackName, outputs: result.outputs }));
      reporter.result({ deploy: result, roundTrip: trip, saga }, () =>
        [
          renderDeploy(result),
          '',
          `Round trip OK: event ${trip.eventId} went bus → queue → Lambda → table in ${trip.ms} ms.`,
          '',
          renderDemo(saga),
          '',
          'Next: `npx pipeline orders list` / `orders get <id>`; `npm test` runs every tier; `npx pipeline --help` lists commands; `npx pipeline down` stops the local cloud.',
        ].join('\n'),
      );
      if (saga.outcomes.some((outcome) => !outcome.ok)) {
        reporter.warn('An order did not end as expected: see `pipeline status` and `pipeline dlq list`.');
        process.exitCode = 1;
      }
    });
}

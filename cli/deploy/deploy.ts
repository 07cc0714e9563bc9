import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { clientsFor } from '../cloud/clients.ts';
import { ensureRedrivePolicies, type FixupResult } from '../cloud/fixups.ts';
import { ensureResourceSettings } from '../cloud/fixups-resources.ts';
import { LOCAL_ACCOUNT, type Target } from '../cloud/target.ts';
import {
  createStrippedResources,
  MINISTACK_UNSUPPORTED_TYPES,
  patchAssembly,
  type StrippedResource,
} from '../cloud/template-patches.ts';
import { CliError, type Reporter } from '../output.ts';
import { cloudInstance, localDir, repoRoot } from '../paths.ts';
import { describeStack, type ResourceCheck, verifyStackResources } from './verify.ts';

export interface DeployOptions {
  readonly stackName: string;
  readonly stage: string;
  /** Fault-injection spec for the consumers (`-c faults=…`; dev only). @default none */
  readonly faults?: string;
}

export interface DeployResult {
  readonly stackName: string;
  readonly target: Target['kind'];
  readonly endpoint?: string;
  readonly seconds: number;
  readonly outputs: Record<string, string>;
  readonly resources: {
    readonly verified: number;
    readonly notChecked: number;
    readonly total: number;
    /** Resource types no service API is asked about (policies, metadata…), for transparency. */
    readonly notCheckedTypes: readonly string[];
  };
  readonly fixups: readonly FixupResult[];
}

const cdkBin = `${repoRoot}node_modules/.bin/cdk`;

/** Runs the pinned CDK CLI, streaming its lines as progress; rejects with the tail of its output. */
function runCdk(args: string[], target: Target, reporter: Reporter): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cdkBin, args, {
      cwd: repoRoot,
      env: { ...process.env, ...target.env, CDK_DISABLE_VERSION_CHECK: '1', CI: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const tail: string[] = [];
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        if (!line.trim() || /Unknown (user|env) config "nodedir"/.test(line)) continue;
        tail.push(line);
        if (tail.length > 40) tail.shift();
        reporter.detail(`cdk │ ${line}`);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (error) =>
      reject(new CliError(`Could not run the CDK CLI: ${error.message}`, 'Run `npm ci` to install it.')),
    );
    child.on('exit', (code) => {
      if (code === 0) resolve();
      else reject(new CliError(`cdk ${args[0]} failed (exit ${code}):\n${tail.join('\n')}`));
    });
  });
}

async function isBootstrapped(target: Target): Promise<boolean> {
  const ssm = clientsFor(target).ssm;
  try {
    await ssm.send(new GetParameterCommand({ Name: '/cdk-bootstrap/hnb659fds/version' }));
    return true;
  } catch {
    return false;
  }
}

/**
 * Bootstraps once, deploys the CDK app with the pinned CLI, then proves the result: the stack is
 * complete, every resource answers its own service, and known emulator gaps are corrected visibly.
 */
export async function deploy(
  target: Target,
  options: DeployOptions,
  reporter: Reporter,
): Promise<DeployResult> {
  const started = Date.now();
  const where = target.kind === 'aws' ? `AWS (${target.region})` : target.endpoint;
  const context = [
    '--context',
    `stage=${options.stage}`,
    '--context',
    `stackName=${options.stackName}`,
    ...(options.faults ? ['--context', `faults=${options.faults}`] : []),
  ];
  if (options.faults && options.faults !== 'none') reporter.step(`Fault injection on: ${options.faults}`);
  // Bootstrapping (the emulator's CloudFormation) and synthesizing (local CPU: esbuild, cdk-nag) do
  // not depend on each other: on a fresh local cloud they run side by side, under one progress step.
  const bootstrapped = await isBootstrapped(target);
  const privateAssembly = await needsPrivateAssembly(target);
  const steps = [
    ...(bootstrapped ? [] : [`Bootstrapping the CDK environment on ${where}`]),
    ...(privateAssembly ? ['synthesizing the CDK app (cdk-nag checks included)'] : []),
  ];
  if (steps.length > 0) {
    const line = steps.join(' while ');
    reporter.step(line.charAt(0).toUpperCase() + line.slice(1));
  }
  const [assembly] = await Promise.all([
    privateAssembly ? synthesizePrivateAssembly(target, context, reporter) : undefined,
    bootstrapped ? undefined : bootstrap(target, reporter),
  ]);
  reporter.step(`Deploying stack ${options.stackName} (stage ${options.stage}) to ${where}`);
  const outputsFile = `${localDir}/outputs.json`;
  try {
    await runCdk(
      [
        'deploy',
        options.stackName,
        ...(assembly ? ['--app', assembly.dir] : context),
        '--require-approval',
        'never',
        '--outputs-file',
        outputsFile,
        '--progress',
        'events',
      ],
      target,
      reporter,
    );
  } catch (error) {
    const stack = await describeStack(target, options.stackName).catch(() => undefined);
    const hint = stack
      ? `The stack is left in ${stack.status}. Fix the cause, then run \`pipeline deploy\` again, or \`pipeline destroy\` to remove it.`
      : 'Fix the cause shown above and run `pipeline deploy` again (`--verbose` shows all CDK output).';
    throw new CliError(error instanceof Error ? error.message : String(error), hint);
  }

  reporter.step('Verifying that every deployed resource exists');
  const stack = await describeStack(target, options.stackName);
  if (!stack || !/_COMPLETE$/.test(stack.status) || /ROLLBACK/.test(stack.status)) {
    throw new CliError(
      `Stack ${options.stackName} is ${stack?.status ?? 'missing'} after the deploy.`,
      'Run `pipeline deploy --verbose` to see the CDK output, or `pipeline destroy` to start over.',
    );
  }
  const checks = await verifyStackResources(target, options.stackName);
  const missing = checks.filter((c) => c.status === 'missing');
  if (missing.length > 0) {
    throw new CliError(
      `The deploy reported success but ${missing.length} resource(s) do not exist:\n${missing
        .map((m) => `  ${m.type} ${m.logicalId} (${m.physicalId}): ${m.error}`)
        .join('\n')}`,
      'This is an emulator or permissions problem; `pipeline cloud reset` then `pipeline deploy` retries from scratch.',
    );
  }
  const fixups = await applyLocalFixups(target, options.stackName, checks, reporter, assembly);
  return {
    stackName: options.stackName,
    target: target.kind,
    ...(target.endpoint ? { endpoint: target.endpoint } : {}),
    seconds: Math.round((Date.now() - started) / 100) / 10,
    outputs: stack.outputs,
    resources: {
      verified: checks.filter((c) => c.status === 'exists').length,
      notChecked: checks.filter((c) => c.status === 'not-checked').length,
      total: checks.length,
      notCheckedTypes: [
        ...new Set(checks.filter((c) => c.status === 'not-checked').map((c) => c.type)),
      ].sort(),
    },
    fixups,
  };
}

/** Runs `cdk bootstrap` on the target (the local account and region on an emulator). */
async function bootstrap(target: Target, reporter: Reporter): Promise<void> {
  const environment = target.kind === 'aws' ? [] : [`aws://${LOCAL_ACCOUNT}/${target.region}`];
  // Its own output directory: the CLI locks the one it writes to, and another deploy (another local
  // cloud instance, or the synth running beside this one) must not find it taken.
  const output = `${localDir}/cdk.out-bootstrap-${cloudInstance()}`;
  await runCdk(['bootstrap', ...environment, '--output', output], target, reporter);
}

/**
 * MiniStack only: the app is synthesized into a private assembly and resource types its
 * CloudFormation rejects are taken out (they are created through their APIs after the deploy).
 * Other targets deploy the app as is.
 */
async function needsPrivateAssembly(target: Target): Promise<boolean> {
  if (target.kind === 'aws' || !target.endpoint) return false;
  return fetch(`${target.endpoint}/_ministack/health`, { signal: AbortSignal.timeout(2000) })
    .then((r) => r.ok)
    .catch(() => false);
}

async function synthesizePrivateAssembly(
  target: Target,
  context: string[],
  reporter: Reporter,
): Promise<{ dir: string; stripped: StrippedResource[] }> {
  const dir = `${localDir}/cdk.out-${cloudInstance()}`;
  await runCdk(['synth', '--quiet', ...context, '--output', dir], target, reporter);
  return { dir, stripped: patchAssembly(dir, MINISTACK_UNSUPPORTED_TYPES) };
}

async function applyLocalFixups(
  target: Target,
  stackName: string,
  checks: ResourceCheck[],
  reporter: Reporter,
  assembly: { dir: string; stripped: StrippedResource[] } | undefined,
): Promise<FixupResult[]> {
  if (target.kind === 'aws') return [];
  const templatePath = `${assembly?.dir ?? `${repoRoot}cdk.out`}/${stackName}.template.json`;
  const template = JSON.parse(readFileSync(templatePath, 'utf8'));
  const results = [
    ...(await ensureRedrivePolicies(target, template, checks, reporter)),
    ...(await ensureResourceSettings(target, template, checks, reporter)),
  ];
  const stripped = assembly?.stripped ?? [];
  const notes = await createStrippedResources(target, stripped, checks, reporter);
  return [
    ...results,
    ...stripped.map((r, i) => ({
      resource: r.logicalId,
      action: 'patched' as const,
      detail: notes[i] ?? 'created via API',
    })),
  ];
}

/** Removes the stack (real AWS or an external endpoint) with the pinned CLI. */
export async function destroy(target: Target, options: DeployOptions, reporter: Reporter): Promise<void> {
  reporter.step(`Destroying stack ${options.stackName} on ${target.endpoint ?? `AWS (${target.region})`}`);
  try {
    await runCdk(
      [
        'destroy',
        options.stackName,
        '--force',
        '--context',
        `stage=${options.stage}`,
        '--context',
        `stackName=${options.stackName}`,
      ],
      target,
      reporter,
    );
  } catch (error) {
    throw new CliError(
      error instanceof Error ? error.message : String(error),
      target.kind === 'aws'
        ? 'No local cloud is running, so this went to AWS: configure credentials (AWS_PROFILE, AWS_REGION) or start the local cloud.'
        : 'Check that the endpoint is reachable (`pipeline cloud status`).',
    );
  }
}

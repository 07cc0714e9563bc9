import { readFileSync } from 'node:fs';
import type {
  ICloudAssemblySource,
  IIoHost,
  IoMessage,
  IoRequest,
  StackSelector,
  Toolkit,
} from '@aws-cdk/toolkit-lib';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { clientsFor } from '../cloud/clients.ts';
import { ensureRedrivePolicies, type FixupResult } from '../cloud/fixups.ts';
import { ensureResourceSettings } from '../cloud/fixups-resources.ts';
import { applyTarget, LOCAL_ACCOUNT, type Target } from '../cloud/target.ts';
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
  /**
   * Saga timers due later than this go to EventBridge Scheduler (`-c timerSchedulerAfterSeconds=…`).
   * @default the stage's (900 s)
   */
  readonly timerSchedulerAfterSeconds?: number;
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

type ToolkitLib = typeof import('@aws-cdk/toolkit-lib');

/**
 * Routes the toolkit's messages to `--verbose` detail lines (as the CLI's output was) and keeps the
 * last ones of each action for the error message. Confirmations get their default answer (yes):
 * deploys and destroys are never interactive, like `--require-approval never` and `--force`.
 */
class ReporterIoHost implements IIoHost {
  private readonly tails = new Map<string, string[]>();

  constructor(private readonly reporter: Reporter) {}

  async notify(msg: IoMessage<unknown>): Promise<void> {
    if (msg.level === 'debug' || msg.level === 'trace') return;
    this.lines(msg.action, msg.message);
  }

  lines(action: string, text: string): void {
    const tail = this.tails.get(action) ?? [];
    this.tails.set(action, tail);
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      tail.push(line);
      if (tail.length > 40) tail.shift();
      this.reporter.detail(`cdk │ ${line}`);
    }
  }

  async requestResponse<T>(msg: IoRequest<unknown, T>): Promise<T> {
    return msg.defaultResponse;
  }

  tail(action: string): string {
    return (this.tails.get(action) ?? []).join('\n');
  }
}

interface CdkSession {
  readonly lib: ToolkitLib;
  readonly toolkit: Toolkit;
  readonly io: ReporterIoHost;
}

/**
 * A programmatic CDK toolkit talking to the target. Its SDK clients take credentials and region from
 * `sdkConfig`, but the endpoint only from the environment (AWS_ENDPOINT_URL, also what makes it use
 * path-style S3 on a loopback emulator), so the target is applied to this process first.
 */
async function cdkSession(target: Target, reporter: Reporter): Promise<CdkSession> {
  applyTarget(target);
  let lib: ToolkitLib;
  try {
    // Loaded on demand: it takes over a second to import, which every other command would pay.
    lib = await import('@aws-cdk/toolkit-lib');
  } catch (error) {
    throw new CliError(
      `Could not load the CDK toolkit: ${error instanceof Error ? error.message : String(error)}`,
      'Run `npm ci` to install it.',
    );
  }
  const { BaseCredentials, Toolkit } = lib;
  const credentials =
    target.kind === 'aws'
      ? BaseCredentials.awsCliCompatible({ defaultRegion: target.region })
      : BaseCredentials.custom({
          provider: async () => ({
            accessKeyId: target.env.AWS_ACCESS_KEY_ID ?? LOCAL_ACCOUNT,
            secretAccessKey: target.env.AWS_SECRET_ACCESS_KEY ?? 'test',
          }),
          region: target.region,
        });
  const io = new ReporterIoHost(reporter);
  const toolkit = new Toolkit({
    ioHost: io,
    color: false,
    emojis: false,
    sdkConfig: { baseCredentials: credentials },
  });
  return { lib, toolkit, io };
}

/** Runs one toolkit action; a failure becomes an error carrying the action's last messages. */
async function runCdk<T>(session: CdkSession, action: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const message = causeChain(error);
    const tail = session.io.tail(action);
    throw new CliError(
      `cdk ${action} failed: ${message}${tail && !tail.endsWith(message) ? `\n${tail}` : ''}`,
    );
  }
}

/** An error's message with those of its causes: the toolkit wraps the app's own errors ("Assembly builder failed"). */
function causeChain(error: unknown): string {
  const messages: string[] = [];
  for (let current = error, depth = 0; current !== undefined && depth < 5; depth++) {
    const message = current instanceof Error ? current.message : String(current);
    if (!messages.some((m) => m.includes(message))) messages.push(message);
    current = current instanceof Error ? current.cause : undefined;
  }
  return messages.join(': ');
}

/**
 * The CDK app, synthesized in this process: no second node + tsx start, and the toolkit hands the
 * context (cdk.json's flags plus ours) and the default account and region straight to the App.
 */
async function appSource(
  session: CdkSession,
  context: Record<string, string>,
  outdir: string,
  options: { bundle?: boolean } = {},
): Promise<ICloudAssemblySource> {
  return session.toolkit.fromAssemblyBuilder(
    async (props) => {
      const [{ App }, { definePipelineApp }] = await Promise.all([
        import('aws-cdk-lib'),
        import('../../infra/pipeline-app.ts'),
      ]);
      return stderrToDetail(session.io, () => {
        // No stack selected for bundling: the functions are not built (destroy only needs the stack).
        // Set here because toolkit-lib 1.43 ignores its documented `synthOptions.bundlingForStacks`.
        const context =
          options.bundle === false ? { ...props.context, 'aws:cdk:bundling-stacks': [] } : props.context;
        const app = new App({ outdir: props.outdir, context });
        definePipelineApp(app, {
          account: props.env.CDK_DEFAULT_ACCOUNT,
          region: props.env.CDK_DEFAULT_REGION,
        });
        return app.synth();
      });
    },
    {
      outdir,
      contextStore: new session.lib.CdkAppMultiContext(repoRoot, context),
      // The app reads its environment from `props.env`; leaving process.env alone lets the bootstrap
      // run beside the synth.
      clobberEnv: false,
    },
  );
}

/**
 * Runs synchronous work with what it writes to stderr (aws-cdk-lib's "Bundling asset …" lines) turned
 * into detail lines, as they were when the app ran in a child process. Synchronous, so nothing else
 * of this process can write in between.
 */
function stderrToDetail<T>(io: ReporterIoHost, work: () => T): T {
  const write = process.stderr.write;
  const captured: string[] = [];
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    captured.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
    const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  }) as typeof process.stderr.write;
  try {
    return work();
  } finally {
    process.stderr.write = write;
    io.lines('synth', captured.join(''));
  }
}

function selectStack(session: CdkSession, stackName: string): StackSelector {
  return { strategy: session.lib.StackSelectionStrategy.PATTERN_MUST_MATCH_SINGLE, patterns: [stackName] };
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
 * Bootstraps once, deploys the CDK app with the CDK toolkit, then proves the result: the stack is
 * complete, every resource answers its own service, and known emulator gaps are corrected visibly.
 */
export async function deploy(
  target: Target,
  options: DeployOptions,
  reporter: Reporter,
): Promise<DeployResult> {
  const started = Date.now();
  const where = target.kind === 'aws' ? `AWS (${target.region})` : target.endpoint;
  const context = {
    stage: options.stage,
    stackName: options.stackName,
    ...(options.faults ? { faults: options.faults } : {}),
    ...(options.timerSchedulerAfterSeconds === undefined
      ? {}
      : { timerSchedulerAfterSeconds: String(options.timerSchedulerAfterSeconds) }),
  };
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
  const session = await cdkSession(target, reporter);
  // The bootstrap starts first: the synth holds this process's CPU for seconds at a time, while the
  // bootstrap stack is created by the emulator in its own process.
  const [, assembly] = await Promise.all([
    bootstrapped ? undefined : bootstrap(session, target, where),
    privateAssembly ? synthesizePrivateAssembly(session, context, options.stackName) : undefined,
  ]);
  reporter.step(`Deploying stack ${options.stackName} (stage ${options.stage}) to ${where}`);
  try {
    const source = assembly
      ? await session.toolkit.fromAssemblyDirectory(assembly.dir)
      : await appSource(session, context, `${repoRoot}cdk.out`);
    await runCdk(session, 'deploy', () =>
      session.toolkit.deploy(source, {
        stacks: selectStack(session, options.stackName),
        outputsFile: `${localDir}/outputs.json`,
      }),
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

/**
 * Bootstraps the target: the local account and region on an emulator; on AWS, the account the
 * caller's credentials belong to (asked of STS, so the environment is named exactly, as
 * `cdk bootstrap aws://ACCOUNT/REGION` would be).
 */
async function bootstrap(session: CdkSession, target: Target, where: string | undefined): Promise<void> {
  const account =
    target.kind === 'aws'
      ? ((await clientsFor(target).sts.send(new GetCallerIdentityCommand({}))).Account ?? 'unknown-account')
      : LOCAL_ACCOUNT;
  const environments = session.lib.BootstrapEnvironments.fromList([`aws://${account}/${target.region}`]);
  await runCdk(session, 'bootstrap', async () => {
    const result = await session.toolkit.bootstrap(environments);
    if (result.environments.length === 0) throw new Error(`nothing was bootstrapped on ${where}`);
  });
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
  session: CdkSession,
  context: Record<string, string>,
  stackName: string,
): Promise<{ dir: string; stripped: StrippedResource[] }> {
  // Its own output directory per local cloud instance: the toolkit locks the one it writes to, and
  // another deploy (another instance, or `cdk synth` by hand) must not find it taken.
  const dir = `${localDir}/cdk.out-${cloudInstance()}`;
  const source = await appSource(session, context, dir);
  await runCdk(session, 'synth', async () => {
    // Released straight away: the templates are patched on disk and deployed from the directory.
    const synthesized = await session.toolkit.synth(source, { stacks: selectStack(session, stackName) });
    await synthesized.dispose();
  });
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
    ...stripped.map((r) => ({
      resource: r.logicalId,
      action: 'patched' as const,
      detail: notes.get(r.logicalId) ?? 'created via API',
    })),
  ];
}

/** Removes the stack (real AWS or an external endpoint) with the CDK toolkit. */
export async function destroy(target: Target, options: DeployOptions, reporter: Reporter): Promise<void> {
  reporter.step(`Destroying stack ${options.stackName} on ${target.endpoint ?? `AWS (${target.region})`}`);
  try {
    const session = await cdkSession(target, reporter);
    const source = await appSource(
      session,
      { stage: options.stage, stackName: options.stackName },
      `${repoRoot}cdk.out`,
      { bundle: false },
    );
    await runCdk(session, 'destroy', () =>
      session.toolkit.destroy(source, { stacks: selectStack(session, options.stackName) }),
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

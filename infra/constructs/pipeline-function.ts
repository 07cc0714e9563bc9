import { Duration, Tags } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  ApplicationLogLevel,
  Architecture,
  type CfnFunction,
  type FunctionProps,
  LoggingFormat,
  Runtime,
  SystemLogLevel,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { faultSpecOf } from '../../shared/harness/faults.ts';
import type { StageSettings } from '../stages.ts';
import { type CheckovSkip, skipCheckov } from './checkov.ts';
import { dataKey, skipIfAwsManagedKey } from './data-key.ts';
import { type FunctionBundle, functionBundle, repoRoot } from './function-bundle.ts';

export { repoRoot };

/** CloudWatch namespace of the product's own metrics (Powertools Metrics / EMF). */
export const METRICS_NAMESPACE = 'OrderPipeline';

/** Props of {@link PipelineFunction}. */
export interface PipelineFunctionProps {
  /** Handler file relative to the repository root, e.g. `functions/event-recorder/handler.ts`. */
  readonly entry: string;
  readonly stage: StageSettings;
  /** Powertools service name (logs, metrics dimension `service`). @default the construct id */
  readonly serviceName?: string;
  /** Environment variables for the function (config is parsed from them at cold start). */
  readonly environment?: Record<string, string>;
  /** @default Duration.seconds(10) */
  readonly timeout?: Duration;
  /** @default 256 */
  readonly memorySize?: number;
  /** X-Ray active tracing. @default the stage's `tracing` (active in dev, off in prod) */
  readonly tracing?: boolean;
  /**
   * Why the role will also hold actions on Resource "*" (granted by the caller), one reason per action
   * AWS offers no resource-level permission for. They become the cdk-nag IAM5 suppression. @default none
   */
  readonly wildcardResourceReasons?: readonly string[];
  /** checkov checks answered by design, with why. @default FUNCTION_CHECKOV_SKIPS (an event-source consumer's) */
  readonly checkovSkips?: readonly CheckovSkip[];
}

/** `PIPELINE_FAULTS` for the consumers when the stage injects faults (dev with `-c faults=…`). */
function faultEnvironment(stage: StageSettings): Record<string, string> {
  const spec = faultSpecOf(stage.faults);
  return spec === 'none' ? {} : { PIPELINE_FAULTS: spec };
}

/**
 * Lambda's log settings for the stage (see `StageLogging`): nothing beyond the log group for `text`
 * (the template keeps plain LoggingConfig { LogGroup }), the advanced logging controls for `json`
 * (LoggingConfig { LogFormat, ApplicationLogLevel, SystemLogLevel }).
 */
export function loggingProps(
  stage: StageSettings,
): Pick<FunctionProps, 'loggingFormat' | 'applicationLogLevelV2' | 'systemLogLevelV2'> {
  const { logging } = stage;
  if (logging.format === 'text') return {};
  return {
    loggingFormat: LoggingFormat.JSON,
    applicationLogLevelV2: ApplicationLogLevel[logging.level],
    systemLogLevelV2: SystemLogLevel[logging.platformLevel],
  };
}

/** `--enable-source-maps`: Node maps every stack trace through the bundle's source map. */
export const SOURCE_MAPS_FLAG = '--enable-source-maps';

/**
 * Who pays for source maps. Every bundle keeps its external `index.js.map` next to `index.js` in the
 * asset (linked by a `sourceMappingURL` comment, see `functionBundle`), so a stack trace can always be
 * resolved:
 * - dev: `NODE_OPTIONS=--enable-source-maps`, the map carries the sources: every trace is mapped in
 *   the logs, at the price of Node reading the map at module load (+25–50 ms of init measured by the
 *   bundles bench, `init, dev`) and decoding it at the first trace.
 * - prod: no flag, so init does not read the map; the map has no `sourcesContent` (the sources are in
 *   git at the deployed commit), ~1 MB instead of ~2.8 MB in the asset. A trace is resolved offline
 *   from the asset's map, or live by setting `NODE_OPTIONS=--enable-source-maps` on the function for
 *   an investigation (Node maps traces without `sourcesContent`).
 */
export function sourceMapOptions(stage: StageSettings): Record<string, string> {
  return stage.name === 'dev' ? { NODE_OPTIONS: SOURCE_MAPS_FLAG } : {};
}

/**
 * NodejsFunction's bundling for a {@link FunctionBundle}: the same esbuild settings as
 * `esbuildOptions` gives `pipeline dev`, spelled as the construct's props and command-line arguments.
 */
export function cdkBundling(bundle: FunctionBundle) {
  return {
    target: bundle.target,
    format: OutputFormat.CJS,
    minify: bundle.minify,
    sourceMap: true,
    sourcesContent: bundle.sourcesContent,
    define: { ...bundle.define },
    // The SDK is bundled rather than taken from the runtime: versions are pinned by our lockfile
    // and the same bundle runs on a local cloud, where no runtime-provided SDK exists.
    externalModules: [],
    // Lambda hands the role's credentials over in the environment: the rest of the SDK's default
    // chain (SSO, INI, IMDS… with their nested clients) is ~100 KB that can never answer there;
    // `bowser`, a browser user-agent parser, is 34 KB Node never runs (shared/kit/aws/bundle-aliases.ts).
    esbuildArgs: Object.fromEntries(
      Object.entries(bundle.alias).map(([from, to]) => [`--alias:${from}`, to]),
    ),
    // esbuild writes its per-bundle size report straight to the process's stderr; `pipeline deploy`
    // synthesizes in its own process, where that would land between its progress lines. Warnings
    // and errors still show. (The asset hash is of the output, so templates do not change.)
    logLevel: LogLevel.WARNING,
  };
}

/**
 * checkov's Lambda checks this product answers by design rather than by setting, on every function.
 * The infra unit tests hold the premises: every function is started by an event source mapping, no
 * resource policy lets anything invoke one, every SQS mapping sets MaximumConcurrency.
 */
export const FUNCTION_CHECKOV_SKIPS: readonly CheckovSkip[] = [
  {
    id: 'CKV_AWS_116',
    comment:
      'No async dead-letter queue: the function is only invoked synchronously by an event source mapping (SQS or the event store stream), never asynchronously; failed records go to the source queue DLQ or the mapping on-failure destination.',
  },
  {
    id: 'CKV_AWS_115',
    comment:
      'No reserved concurrency: the SQS mapping MaximumConcurrency bounds each consumer, the stream mapping is bounded by shards times ParallelizationFactor; reserving would carve the account pool and throttle into the DLQs.',
  },
  {
    id: 'CKV_AWS_117',
    comment:
      'No VPC by design: the function reaches only AWS service endpoints (DynamoDB, SQS, SNS, EventBridge) over TLS and no private resource; a VPC would add NAT or endpoint cost and cold-start latency for no reachability gain.',
  },
  {
    id: 'CKV_AWS_173',
    comment:
      'Environment without a customer-managed key: it holds resource names, URLs, log levels and flags, no secret (Lambda encrypts it at rest with its AWS-managed key); secrets would go to Secrets Manager, not here.',
  },
];

/**
 * The one way this product builds a Lambda: nodejs22.x on arm64, bundled by esbuild (minified, with
 * source maps, see `functionBundle` and {@link sourceMapOptions}), its own role that may write only to
 * its own log group, a log group with the stage's retention, the stage's log levels and X-Ray tracing, and the Powertools environment.
 */
export class PipelineFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: PipelineFunctionProps) {
    super(scope, id);
    if (!/^functions\/[\w-]+\/[\w.-]+\.ts$/.test(props.entry)) {
      throw new Error(`${id}: entry must be functions/<name>/<file>.ts, got ${props.entry}`);
    }
    const timeout = props.timeout ?? Duration.seconds(10);
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.stage.logRetention,
      removalPolicy: props.stage.removalPolicy,
      encryptionKey: dataKey(this, props.stage),
    });
    skipIfAwsManagedKey(this.logGroup, props.stage, 'logGroup');
    // Own role instead of the AWS-managed basic execution policy: it may write to this log group only.
    this.role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    this.logGroup.grantWrite(this.role);
    const tracing = props.tracing ?? props.stage.tracing === 'active';
    this.function = new NodejsFunction(this, 'Function', {
      role: this.role,
      entry: `${repoRoot}${props.entry}`,
      projectRoot: repoRoot,
      depsLockFilePath: `${repoRoot}package-lock.json`,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      timeout,
      memorySize: props.memorySize ?? 256,
      logGroup: this.logGroup,
      ...loggingProps(props.stage),
      tracing: tracing ? Tracing.ACTIVE : Tracing.DISABLED,
      environment: {
        ...sourceMapOptions(props.stage),
        POWERTOOLS_SERVICE_NAME: props.serviceName ?? id,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        // Powertools' level; where Lambda filters too (json), both say the same.
        POWERTOOLS_LOG_LEVEL: props.stage.logging.level,
        ...faultEnvironment(props.stage),
        ...props.environment,
      },
      bundling: cdkBundling(functionBundle(props.stage)),
    });
    // Where the source lives: `pipeline dev` rebuilds and updates the function from it, and an
    // operator looking at the function in the console finds its code.
    Tags.of(this.function).add('pipeline:entry', props.entry);
    // What its bundle was built for (functionBundle): `pipeline dev` rebuilds it the same way.
    Tags.of(this.function).add('pipeline:stage', props.stage.name);
    Tags.of(this.function).add('pipeline:fault-injection', props.stage.faultInjection);
    this.suppressFindings(tracing, props.wildcardResourceReasons ?? []);
    // CDK makes a function depend on its role and role policy while also referencing the role
    // (GetAtt Role.Arn); cfn-lint reports the role half as redundant (W3005) on every function. Harmless
    // and generated, so ignored on these resources only; any other finding fails `npm test`.
    (this.function.node.defaultChild as CfnFunction).addMetadata('cfn-lint', {
      config: { ignore_checks: ['W3005'] },
    });
    skipCheckov(this.function, props.checkovSkips ?? FUNCTION_CHECKOV_SKIPS);
  }

  private suppressFindings(tracing: boolean, wildcardReasons: readonly string[]): void {
    NagSuppressions.addResourceSuppressions(this.function, [
      {
        id: 'AwsSolutions-L1',
        reason:
          'nodejs22.x is a supported LTS Lambda runtime and the one bundles target (node22); it is pinned on purpose so AWS and the local cloud run the same major. Moving to a newer runtime is a deliberate, tested change.',
      },
    ]);
    // Tracing.ACTIVE adds xray:PutTraceSegments and xray:PutTelemetryRecords on "*": X-Ray has no
    // resource-level permissions for them (AWS service authorization reference), so "*" is required.
    const reasons = [
      ...(tracing ? ['X-Ray PutTraceSegments/PutTelemetryRecords (active tracing)'] : []),
      ...wildcardReasons,
    ];
    if (reasons.length === 0) return;
    NagSuppressions.addResourceSuppressions(
      this.role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason: `Resource "*" only for actions without resource-level permissions: ${reasons.join('; ')}. Every other statement names its resources (asserted by the infra unit tests).`,
          appliesTo: ['Resource::*'],
        },
      ],
      true,
    );
  }
}

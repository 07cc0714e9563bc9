import { type App, Aspects, type Environment } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { apiSettings } from './api-settings.ts';
import { PipelineStack } from './stacks/pipeline-stack.ts';
import { stageSettings } from './stages.ts';

/**
 * Adds the pipeline stack to an app. Both entry points use it: `infra/app.ts` (the `cdk` CLI's app
 * command) and the `pipeline` CLI, which synthesizes in its own process through the CDK toolkit.
 */
export function definePipelineApp(app: App, defaultEnv: { account?: string; region?: string }): void {
  const stage = stageSettings(app.node.tryGetContext('stage'), {
    alarmEmail: app.node.tryGetContext('alarmEmail'),
    faults: app.node.tryGetContext('faults'),
    // X-Ray is off in prod unless `-c tracing=active` (an investigation); dev traces by default.
    tracing: app.node.tryGetContext('tracing'),
    // The event store's correlation index for `pipeline trace`: on unless `-c traceIndex=off`.
    traceIndex: app.node.tryGetContext('traceIndex'),
    // The e2e stack lowers it so its saga timers take the Scheduler path (see StageSettings).
    timerSchedulerAfterSeconds: app.node.tryGetContext('timerSchedulerAfterSeconds'),
  });
  const stackName =
    (app.node.tryGetContext('stackName') as string | undefined) ?? `OrderPipeline-${stage.name}`;

  // Environment-agnostic unless the caller names one, so `cdk synth` needs no credentials.
  const env: Environment | undefined = defaultEnv.account
    ? { account: defaultEnv.account, region: defaultEnv.region }
    : undefined;
  // The HTTP API: IAM unless `-c apiAuth=jwt -c apiJwtIssuer=… -c apiJwtAudience=…`; CORS closed.
  const api = apiSettings({
    apiAuth: app.node.tryGetContext('apiAuth'),
    apiJwtIssuer: app.node.tryGetContext('apiJwtIssuer'),
    apiJwtAudience: app.node.tryGetContext('apiJwtAudience'),
    apiCorsOrigins: app.node.tryGetContext('apiCorsOrigins'),
    apiRateLimit: app.node.tryGetContext('apiRateLimit'),
    apiBurstLimit: app.node.tryGetContext('apiBurstLimit'),
  });
  new PipelineStack(app, stackName, {
    stage,
    api,
    env,
    description:
      'Order event pipeline: EventBridge, SNS/SQS with DLQs, DynamoDB event store, Lambda consumers',
  });

  // Security checks run on every synth; findings fail the synth unless suppressed with a reason in code.
  Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
}

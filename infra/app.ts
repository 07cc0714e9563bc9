import { App, Aspects } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PipelineStack } from './stacks/pipeline-stack.ts';
import { stageSettings } from './stages.ts';

const app = new App();
const stage = stageSettings(app.node.tryGetContext('stage'), {
  alarmEmail: app.node.tryGetContext('alarmEmail'),
  faults: app.node.tryGetContext('faults'),
  // X-Ray is off in prod unless `-c tracing=active` (an investigation); dev traces by default.
  tracing: app.node.tryGetContext('tracing'),
});
const stackName =
  (app.node.tryGetContext('stackName') as string | undefined) ?? `OrderPipeline-${stage.name}`;

new PipelineStack(app, stackName, {
  stage,
  // Environment-agnostic unless the caller names one, so `cdk synth` needs no credentials.
  env: process.env.CDK_DEFAULT_ACCOUNT
    ? { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION }
    : undefined,
  description: 'Order event pipeline: EventBridge, SNS/SQS with DLQs, DynamoDB event store, Lambda consumers',
});

// Security checks run on every synth; findings fail the synth unless suppressed with a reason in code.
Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));

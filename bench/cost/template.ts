/**
 * The prod stack's CloudFormation template, synthesized in this process the way the infra tests do
 * (`cdk synth -c stage=prod` without bundling Lambda code: asset hashes only), for the idle fixed cost.
 */
import type { Template } from './fixed.ts';

export async function prodTemplate(): Promise<Template> {
  const [{ App }, { PipelineStack }, { stageSettings }] = await Promise.all([
    import('aws-cdk-lib'),
    import('../../infra/stacks/pipeline-stack.ts'),
    import('../../infra/stages.ts'),
  ]);
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new PipelineStack(app, 'OrderPipeline-prod', { stage: stageSettings('prod') });
  return app.synth().getStackArtifact(stack.artifactId).template as Template;
}

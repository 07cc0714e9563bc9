import { App, Aspects, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { referencedId } from '../../cli/docs/topology.ts';
import { PipelineStack } from '../../infra/stacks/pipeline-stack.ts';
import { type StageContext, stageSettings } from '../../infra/stages.ts';

/** A test app that never bundles Lambda code (asset hashes only), so synthesis takes milliseconds. */
export function testApp(): App {
  return new App({ context: { 'aws:cdk:bundling-stacks': [] } });
}

/** An empty stack for construct tests. */
export function testStack(): Stack {
  return new Stack(testApp(), 'ConstructTest', { env: { account: '123456789012', region: 'eu-west-1' } });
}

/** The product stack as `cdk synth -c stage=<stage>` builds it, optionally with the cdk-nag Aspect. */
export function pipelineStack(
  stage: 'dev' | 'prod' = 'dev',
  options: { nag?: boolean; context?: StageContext } = {},
): PipelineStack {
  const app = testApp();
  const stack = new PipelineStack(app, `OrderPipeline-${stage}`, {
    stage: stageSettings(stage, options.context),
  });
  if (options.nag) Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  return stack;
}

const templates = new Map<string, Template>();

/** The product stack's template, synthesized once per stage for the whole test file. */
export function pipelineTemplate(stage: 'dev' | 'prod' = 'dev'): Template {
  const cached = templates.get(stage);
  if (cached) return cached;
  const template = Template.fromStack(pipelineStack(stage));
  templates.set(stage, template);
  return template;
}

/** A CloudFormation resource as `Template.findResources` returns it. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DeletionPolicy?: string;
  readonly DependsOn?: string | readonly string[];
}

/** Logical id of a `{ "Fn::GetAtt": [id, attr] }` or `{ Ref: id }`: the docs' template reader has it. */
export { referencedId };

/** Every logical id a value references, however deeply nested. */
export function referencedIds(value: unknown): Set<string> {
  const ids = new Set<string>();
  const walk = (node: unknown) => {
    const id = referencedId(node);
    if (id) ids.add(id);
    if (Array.isArray(node)) node.forEach(walk);
    else if (typeof node === 'object' && node !== null) Object.values(node).forEach(walk);
  };
  walk(value);
  return ids;
}

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { PipelineStack } from '../../infra/stacks/pipeline-stack.ts';
import { stageSettings } from '../../infra/stages.ts';
import { repoRoot } from '../paths.ts';
import type { CfnTemplateJson } from './topology.ts';

/**
 * The stack's CloudFormation template as `cdk synth -c stage=<stage>` builds it (cdk.json's feature
 * flags, the stage's settings), synthesized in this process into a temporary directory. Functions are
 * not bundled and cdk-nag does not run (it only annotates; with it a synth took 3-4 times as long
 * here): the docs read the resources, and neither changes them or their logical ids.
 */
export function synthesizeTemplate(options: { stage: string; stackName: string }): CfnTemplateJson {
  const cdkJson = JSON.parse(readFileSync(`${repoRoot}cdk.json`, 'utf8')) as {
    context?: Record<string, unknown>;
  };
  const outdir = mkdtempSync(join(tmpdir(), 'pipeline-docs-'));
  try {
    const app = new App({ outdir, context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } });
    new PipelineStack(app, options.stackName, { stage: stageSettings(options.stage) });
    return app.synth().getStackByName(options.stackName).template as CfnTemplateJson;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

import { Template } from 'aws-cdk-lib/assertions';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { bundleDefines, repoRoot } from '../../infra/constructs/pipeline-function.ts';
import { stageSettings } from '../../infra/stages.ts';
import { type CfnResource, pipelineStack, pipelineTemplate } from './infra-fixture.ts';

/** `faultPlanFromEnv` as a bundle built with `defines` would run it, given PIPELINE_FAULTS=spec. */
async function planInBundle(defines: Record<string, string>, spec: string): Promise<unknown> {
  const result = await build({
    absWorkingDir: repoRoot,
    stdin: {
      contents: `import { faultPlanFromEnv } from './shared/kit/consumer/faults.ts';
module.exports = faultPlanFromEnv({ PIPELINE_FAULTS: ${JSON.stringify(spec)} });`,
      resolveDir: repoRoot,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    minify: true,
    define: defines,
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]?.text ?? '';
  const module = { exports: {} as unknown };
  new Function('module', 'exports', 'require', 'process', code)(module, module.exports, () => ({}), {
    env: {},
  });
  return module.exports;
}

describe('fault injection switch', () => {
  it('is configured from -c faults on dev and refused on prod', () => {
    // Act
    const dev = stageSettings('dev', { faults: 'transient=0.1,crash=0.02' });

    // Assert
    expect(dev.faults).toEqual({ transient: 0.1, crash: 0.02 });
    expect(stageSettings('dev').faults).toEqual({ transient: 0, crash: 0 });
    expect(() => stageSettings('prod', { faults: 'transient=0.1' })).toThrow(
      /cannot be enabled on stage prod: its bundles are built without the fault-injection switch/,
    );
    expect(() => stageSettings('dev', { faults: 'slow=0.1' })).toThrow(/unknown fault "slow"/);
    expect(stageSettings('prod', { faults: 'none' }).faultInjection).toBe('compiled-out');
  });

  it('puts PIPELINE_FAULTS on the consumers of a dev stack that asks for faults, and on no other stack', () => {
    // Arrange
    const faulty = Template.fromStack(pipelineStack('dev', { context: { faults: 'transient=0.1' } }));
    const plain = pipelineTemplate('dev');
    const envs = (template: Template) =>
      Object.values(template.findResources('AWS::Lambda::Function') as Record<string, CfnResource>).map(
        (f) =>
          (f.Properties?.Environment as { Variables?: Record<string, string> } | undefined)?.Variables ?? {},
      );

    // Assert
    const consumers = envs(faulty).filter((v) => v.QUEUE_URL !== undefined);
    expect(consumers.length).toBeGreaterThan(5);
    expect(consumers.every((v) => v.PIPELINE_FAULTS === 'transient=0.1')).toBe(true);
    expect(envs(plain).some((v) => v.PIPELINE_FAULTS !== undefined)).toBe(false);
  }, 60_000);

  it('is compiled out of prod bundles: PIPELINE_FAULTS has no effect there', async () => {
    // Act
    const prod = await planInBundle(bundleDefines(stageSettings('prod')), 'transient=0.5,crash=0.5');
    const dev = await planInBundle(bundleDefines(stageSettings('dev')), 'transient=0.5,crash=0.5');

    // Assert
    expect(bundleDefines(stageSettings('prod'))).toEqual({
      'process.env.PIPELINE_FAULT_INJECTION': '"compiled-out"',
    });
    expect(prod).toEqual({ transient: 0, crash: 0 });
    expect(dev).toEqual({ transient: 0.5, crash: 0.5 });
  });

  it('tags every function with whether its stage compiles fault injection out', () => {
    // Arrange
    const tags = (stage: 'dev' | 'prod') =>
      Object.values(
        pipelineTemplate(stage).findResources('AWS::Lambda::Function') as Record<string, CfnResource>,
      ).map(
        (f) =>
          ((f.Properties?.Tags as { Key: string; Value: string }[] | undefined) ?? []).find(
            (t) => t.Key === 'pipeline:fault-injection',
          )?.Value,
      );

    // Assert
    expect(new Set(tags('prod'))).toEqual(new Set(['compiled-out']));
    expect(new Set(tags('dev'))).toEqual(new Set(['allowed']));
  }, 60_000);
});

import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildHandler } from '../../cli/dev/bundle.ts';
import { functionBundle } from '../../infra/constructs/function-bundle.ts';
import { stageSettings } from '../../infra/stages.ts';
import { type CfnResource, pipelineStack, pipelineTemplate } from './infra-fixture.ts';

/** Texts only the fault harness (shared/harness/faults.ts) puts into a bundle. */
const FAULT_CODE_MARKS = ['PIPELINE_FAULTS', 'INJECTED_FAULT', 'consumer stopped mid-batch'];

/** Which of {@link FAULT_CODE_MARKS} a consumer's Lambda bundle, built for the stage, contains. */
async function faultMarksInBundle(stage: 'dev' | 'prod'): Promise<string[]> {
  const { bundle } = await buildHandler('functions/inventory/handler.ts', { stage: stageSettings(stage) });
  const code = bundle.code.toString('utf8');
  return FAULT_CODE_MARKS.filter((mark) => code.includes(mark));
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

  it('is compiled out of prod bundles and built into dev ones', async () => {
    // Act
    const prod = await faultMarksInBundle('prod');
    const dev = await faultMarksInBundle('dev');

    // Assert
    expect(functionBundle(stageSettings('prod')).define).toEqual({
      'process.env.PIPELINE_FAULT_INJECTION': '"compiled-out"',
    });
    expect(prod).toEqual([]);
    expect(dev).toEqual(FAULT_CODE_MARKS);
  }, 60_000);

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

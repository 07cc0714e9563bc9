import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import type { Bundle } from '../../cli/dev/bundle.ts';
import { bundleHandler, DEV_BUNDLE } from '../../cli/dev/bundle.ts';
import { bundleStageOf } from '../../cli/dev/functions.ts';
import { affected } from '../../cli/dev/loop.ts';
import { PipelineFunction } from '../../infra/constructs/pipeline-function.ts';
import { stageSettings } from '../../infra/stages.ts';

const bundle = (...inputs: string[]): Bundle => ({
  code: Buffer.from(''),
  sourceMap: Buffer.from(''),
  inputs: new Set(inputs),
  bytes: 0,
});

describe('pipeline dev', () => {
  it('rebuilds only the functions whose bundle includes an edited file', () => {
    // Arrange
    const bundles = new Map([
      ['recorder', bundle('functions/event-recorder/handler.ts', 'shared/kit/events/envelope.ts')],
      ['outbox', bundle('functions/outbox-publisher/handler.ts', 'shared/kit/events/envelope.ts')],
    ]);

    // Act + Assert
    expect(affected(bundles, new Set(['functions/event-recorder/handler.ts']))).toEqual(['recorder']);
    expect(affected(bundles, new Set(['shared/kit/events/envelope.ts']))).toEqual(['recorder', 'outbox']);
    expect(affected(bundles, new Set(['README.md']))).toEqual([]);
  });

  it('bundles a handler like the deploy does and knows which sources went into it', async () => {
    // Act
    const built = await bundleHandler('functions/event-recorder/handler.ts');

    // Assert
    expect(built.bytes).toBeGreaterThan(1000);
    expect(built.code.toString()).toMatch(/exports|module\.exports/);
    expect(built.inputs.has('functions/event-recorder/handler.ts')).toBe(true);
    expect(built.inputs.has('shared/kit/events/envelope.ts')).toBe(true);
    expect(JSON.parse(built.sourceMap.toString()).version).toBe(3);
  });

  it('gives bundles the environment credential provider instead of the SDK default chain', async () => {
    // Act
    const built = await bundleHandler('functions/saga/handler.ts');
    const inputs = [...built.inputs];

    // Assert
    expect(inputs).toContain('shared/kit/aws/lambda-credentials.ts');
    expect(inputs.some((i) => i.includes('@aws-sdk/credential-provider-env/'))).toBe(true);
    for (const dropped of [
      'credential-provider-node/',
      'credential-provider-ini/',
      'credential-provider-sso/',
      'nested-clients/',
    ]) {
      expect(inputs.filter((i) => i.includes(dropped))).toEqual([]);
    }
  });

  it('reads the stage a function was built for from its tags, prod for functions tagged before the stage tag', () => {
    expect(bundleStageOf({ 'pipeline:stage': 'prod', 'pipeline:fault-injection': 'compiled-out' })).toEqual({
      name: 'prod',
      faultInjection: 'compiled-out',
    });
    expect(bundleStageOf({ 'pipeline:stage': 'dev', 'pipeline:fault-injection': 'allowed' })).toEqual(
      DEV_BUNDLE,
    );
    expect(bundleStageOf({ 'pipeline:fault-injection': 'compiled-out' }).name).toBe('prod');
    expect(bundleStageOf({})).toEqual(DEV_BUNDLE);
  });

  it.each(['dev', 'prod'] as const)(
    'uploads byte for byte the code a %s deploy ships (one bundle definition for cdk deploy and pipeline dev)',
    async (stage) => {
      // Arrange: the CDK's own bundling of one consumer (NodejsFunction runs esbuild's command line);
      // a consumer's dev and prod builds differ (prod compiles the fault harness out).
      const entry = 'functions/inventory/handler.ts';
      const outdir = mkdtempSync(join(tmpdir(), `dev-bundle-${stage}-`));
      try {
        const app = new App({ outdir });
        const settings = stageSettings(stage);
        new PipelineFunction(new Stack(app, 'Bundled'), 'Recorder', { entry, stage: settings });
        const assembly = app.synth();
        const deployed = readdirSync(assembly.directory)
          .filter((name) => name.startsWith('asset.'))
          .map((name) => join(assembly.directory, name, 'index.js'))
          .filter((file) => existsSync(file));

        // Act
        const built = await bundleHandler(entry, settings);

        // Assert
        expect(deployed).toHaveLength(1);
        expect(built.code.equals(readFileSync(deployed[0] as string))).toBe(true);
        const other = await bundleHandler(entry, stageSettings(stage === 'dev' ? 'prod' : 'dev'));
        expect(other.code.equals(built.code)).toBe(false);
      } finally {
        rmSync(outdir, { recursive: true, force: true });
      }
    },
    60_000,
  );
});

import { describe, expect, it } from 'vitest';
import type { Bundle } from '../../cli/dev/bundle.ts';
import { bundleHandler } from '../../cli/dev/bundle.ts';
import { type DevFunction, refuseCompiledOut } from '../../cli/dev/functions.ts';
import { affected } from '../../cli/dev/loop.ts';

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

  it('refuses to replace the code of a prod-stage stack, whose bundles compile fault injection out', () => {
    // Arrange
    const fn = (name: string, faultInjection?: string): DevFunction => ({
      logicalId: name,
      name,
      entry: `functions/${name}/handler.ts`,
      logGroup: `/aws/lambda/${name}`,
      ...(faultInjection ? { faultInjection } : {}),
    });

    // Act / Assert
    expect(() => refuseCompiledOut([fn('saga', 'allowed'), fn('old')], 'OrderPipeline-dev')).not.toThrow();
    expect(() =>
      refuseCompiledOut([fn('saga', 'compiled-out'), fn('payment', 'compiled-out')], 'Shop'),
    ).toThrow(/Shop is a prod-stage stack \(2 function\(s\) tagged pipeline:fault-injection=compiled-out\)/);
  });
});

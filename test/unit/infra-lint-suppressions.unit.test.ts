import { describe, expect, it } from 'vitest';
import { pipelineTemplate } from './infra-fixture.ts';

/**
 * cfn-lint runs over these templates in `npm test` and fails on any finding; what it is told to ignore
 * is kept to the one generated warning, on the resources that carry it, so a suppression cannot grow
 * unnoticed.
 */
describe.each(['dev', 'prod'] as const)('infra (%s): cfn-lint suppressions', (stage) => {
  const resources = pipelineTemplate(stage).toJSON().Resources as Record<
    string,
    { Type: string; Metadata?: Record<string, unknown> }
  >;

  it('ignores only the redundant-DependsOn warning CDK generates, and only on functions', () => {
    const suppressed = Object.entries(resources).filter(([, r]) => r.Metadata?.['cfn-lint'] !== undefined);

    expect(suppressed.length).toBeGreaterThan(0);
    for (const [id, resource] of suppressed) {
      expect(resource.Type, id).toBe('AWS::Lambda::Function');
      expect(resource.Metadata?.['cfn-lint'], id).toEqual({ config: { ignore_checks: ['W3005'] } });
    }
    expect(suppressed.length).toBe(
      Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::Function').length,
    );
  });
});

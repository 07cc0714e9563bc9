import { describe, expect, it } from 'vitest';
import {
  createStrippedResources,
  MINISTACK_UNSUPPORTED_TYPES,
  stripResources,
} from '../../cli/cloud/template-patches.ts';
import type { Reporter } from '../../cli/output.ts';
import { CONTEXT_CATALOGS } from '../../shared/contexts/index.ts';
import { type CfnResource, pipelineTemplate } from './infra-fixture.ts';

/** Every event version the deployed contexts define, as `<source>@<Type>.v<N>`. */
const expectedNames = [
  ...new Set(CONTEXT_CATALOGS.flatMap((c) => c.versions().map((v) => `${v.source}@${v.type}.v${v.version}`))),
].sort();

describe('infra: the event catalog published in an EventBridge schema registry', () => {
  const template = pipelineTemplate('prod');
  const registries = Object.entries(
    template.findResources('AWS::EventSchemas::Registry') as Record<string, CfnResource>,
  );
  const schemas = Object.entries(
    template.findResources('AWS::EventSchemas::Schema') as Record<string, CfnResource>,
  );

  it('deploys one registry named after the stack and one JSON Schema draft 4 per event type and version', () => {
    expect(registries).toHaveLength(1);
    expect(registries[0]?.[1].Properties?.RegistryName).toBe('OrderPipeline-prod-events');
    expect(schemas.map(([, s]) => s.Properties?.SchemaName).sort()).toEqual(expectedNames);
    for (const [, schema] of schemas) {
      expect(schema.Properties).toMatchObject({
        RegistryName: 'OrderPipeline-prod-events',
        Type: 'JSONSchemaDraft4',
      });
      expect(String(schema.Properties?.Description).length).toBeLessThanOrEqual(256);
    }
  });

  it('describes each event as a rule target receives it: detail-type pinned, the envelope of that version as detail', () => {
    for (const [id, schema] of schemas) {
      const name = String(schema.Properties?.SchemaName);
      const [type, version] = name.slice(name.indexOf('@') + 1).split('.v');
      const content = JSON.parse(String(schema.Properties?.Content)) as {
        $schema: string;
        required: string[];
        properties: Record<string, { enum?: unknown[]; properties?: Record<string, { enum?: unknown[] }> }>;
      };
      expect(content.$schema, id).toBe('http://json-schema.org/draft-04/schema#');
      expect(content.required).toEqual(['detail-type', 'source', 'detail']);
      expect(content.properties['detail-type']?.enum).toEqual([type]);
      expect(content.properties.detail?.properties?.type?.enum).toEqual([type]);
      expect(content.properties.detail?.properties?.version?.enum).toEqual([Number(version)]);
      expect(content.properties.detail?.properties?.data).toBeDefined();
    }
  });

  it('creates each schema after its registry', () => {
    const registryId = registries[0]?.[0];
    for (const [, schema] of schemas) expect(schema.DependsOn).toContain(registryId);
  });

  it('leaves the registry out of a MiniStack deploy (no schemas API there) and says so once', async () => {
    // Arrange
    const raw = JSON.parse(JSON.stringify(template.toJSON())) as Parameters<typeof stripResources>[0];
    const warnings: string[] = [];
    const reporter: Reporter = {
      json: false,
      step: () => {},
      detail: () => {},
      warn: (m) => warnings.push(m),
      result: () => {},
    };

    // Act
    const stripped = stripResources(raw, MINISTACK_UNSUPPORTED_TYPES);
    const notes = await createStrippedResources(
      { kind: 'endpoint', endpoint: 'http://127.0.0.1:9', region: 'us-east-1', env: {} },
      stripped.filter((r) => r.type.startsWith('AWS::EventSchemas::')),
      [],
      reporter,
    );

    // Assert
    expect(Object.values(raw.Resources ?? {}).some((r) => r.Type.startsWith('AWS::EventSchemas::'))).toBe(
      false,
    );
    expect(stripped.filter((r) => r.type === 'AWS::EventSchemas::Schema')).toHaveLength(expectedNames.length);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /no EventBridge schema registry .* its \d+ schemas, which exist on AWS only; `pipeline catalog export`/,
    );
    expect(notes.size).toBe(expectedNames.length + 1);
  });
});

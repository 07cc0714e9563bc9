import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ordersCatalog } from '../../shared/contexts/orders/events/catalog.ts';
import { toJsonSchemas, writeJsonSchemas } from '../../shared/kit/events/json-schema.ts';

interface ObjectSchema {
  $schema?: string;
  title?: string;
  required?: string[];
  properties: Record<string, ObjectSchema & { enum?: unknown[]; items?: ObjectSchema }>;
}

describe('toJsonSchemas', () => {
  it('emits one draft-04 schema per event type and version', () => {
    // Act
    const schemas = toJsonSchemas(ordersCatalog);

    // Assert
    expect(schemas.map((s) => s.name)).toContain('OrderPlaced.v1');
    expect(schemas.map((s) => s.name)).toContain('OrderPlaced.v2');
    expect(schemas).toHaveLength(17);
    expect(schemas.every((s) => s.schema.$schema === 'http://json-schema.org/draft-04/schema#')).toBe(true);
  });

  it('describes the whole envelope with type and version pinned and the data schema inside', () => {
    // Act
    const schema = toJsonSchemas(ordersCatalog).find((s) => s.name === 'OrderPlaced.v2')
      ?.schema as unknown as ObjectSchema;

    // Assert
    expect(schema.required).toEqual(
      expect.arrayContaining(['id', 'type', 'version', 'source', 'time', 'correlationId', 'data']),
    );
    expect(schema.properties.type?.enum).toEqual(['OrderPlaced']);
    expect(schema.properties.version?.enum).toEqual([2]);
    expect(schema.properties.data?.required).toEqual(expect.arrayContaining(['orderId', 'items', 'contact']));
    expect(schema.properties.data?.properties.items?.items?.required).toEqual(['sku', 'qty', 'unitPrice']);
  });

  it('can target a newer JSON Schema draft', () => {
    // Act
    const [first] = toJsonSchemas(ordersCatalog, { target: 'draft-2020-12' });

    // Assert
    expect(first?.schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
  });
});

describe('writeJsonSchemas', () => {
  let dir = '';

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'event-schemas-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes a <Type>.v<version>.json file per schema and returns the paths', async () => {
    // Arrange
    const target = join(dir, 'nested', 'schemas');

    // Act
    const paths = await writeJsonSchemas(ordersCatalog, target);

    // Assert
    expect(paths).toHaveLength(17);
    expect(paths.map((path) => basename(path))).toContain('PaymentAuthorized.v1.json');
    for (const path of paths) {
      const parsed = JSON.parse(await readFile(path, 'utf8')) as ObjectSchema;
      expect(parsed.title).toBe(basename(path, '.json'));
      expect(parsed.required).toContain('data');
    }
  });
});

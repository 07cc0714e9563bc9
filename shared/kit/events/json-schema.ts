import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from '../zod.ts';
import type { AnyCatalog } from './catalog.ts';
import { envelopeSchema } from './envelope.ts';

/**
 * JSON Schema dialects zod can emit. The EventBridge Schema Registry accepts `JSONSchemaDraft4`
 * (and OpenApi3), hence the default.
 */
export type JsonSchemaTarget = 'draft-04' | 'draft-07' | 'draft-2020-12';

/** The JSON Schema of one event version. */
export interface EventJsonSchema {
  readonly type: string;
  readonly version: number;
  readonly latest: boolean;
  /** `<Type>.v<version>`, also the file name stem of {@link writeJsonSchemas}. */
  readonly name: string;
  readonly schema: Record<string, unknown>;
}

/** Options of {@link toJsonSchemas}. */
export interface JsonSchemaOptions {
  /** @default 'draft-04' */
  readonly target?: JsonSchemaTarget;
}

/**
 * One JSON Schema per event type and version of `catalog`, describing the whole envelope (what travels as the
 * EventBridge `detail`) with `type` and `version` pinned and `data` set to that version's schema.
 * Schemas describe the wire input, so data objects allow extra fields (consumers are tolerant readers)
 * and zod refinements such as "a channel needs its address" are not expressed.
 */
export function toJsonSchemas(catalog: AnyCatalog, options: JsonSchemaOptions = {}): EventJsonSchema[] {
  const target = options.target ?? 'draft-04';
  return catalog.versions().map(({ type, version, latest, description, schema }) => {
    const envelope = z.extend(envelopeSchema, {
      type: z.literal(type),
      version: z.literal(version),
      data: schema,
    });
    const json = z.toJSONSchema(envelope, { target, io: 'input' }) as Record<string, unknown>;
    const { $schema, ...rest } = json;
    const name = `${type}.v${version}`;
    return { type, version, latest, name, schema: { $schema, title: name, description, ...rest } };
  });
}

/**
 * Writes `<Type>.v<version>.json` for every event version into `dir` (created if missing) and
 * returns the paths written, in catalog order.
 */
export async function writeJsonSchemas(
  catalog: AnyCatalog,
  dir: string,
  options: JsonSchemaOptions = {},
): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const schemas = toJsonSchemas(catalog, options);
  return Promise.all(
    schemas.map(async ({ name, schema }) => {
      const path = join(dir, `${name}.json`);
      await writeFile(path, `${JSON.stringify(schema, null, 2)}\n`, 'utf8');
      return path;
    }),
  );
}

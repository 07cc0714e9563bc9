import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Metafile } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { compositionOf, contributorOf, families, zodBreakdown } from '../../bench/bundle-analysis.ts';
import {
  BUNDLE_SLACK_BYTES,
  functionEntries,
  INIT_RATIO_LIMIT,
  mapBytesWithoutSources,
  SDK_REFERENCE_ENTRY,
  stageNodeFlags,
  targetsFromReference,
} from '../../bench/bundles.bench.ts';
import { declaredVariables, dummyValue, initEnvironment } from '../../bench/init-env.ts';
import { InitFailed, median, percentile, sampleInit } from '../../bench/init-time.ts';
import { buildHandler } from '../../cli/dev/bundle.ts';
import bowserStandIn, { parse } from '../../shared/kit/aws/bowser-stand-in.ts';
import { LAMBDA_BUNDLE_ALIASES } from '../../shared/kit/aws/bundle-aliases.ts';

const schema = `
const configSchema = z.object({
  TABLE_NAME: z.string().min(1),
  QUEUE_URL: z.string().min(1),
  RETRY_BASE_SECONDS: z.coerce.number().int().positive().default(2),
  BATCH_SIZE: z.coerce.number().int(),
  MODE: z.enum(['live', 'dry-run']),
  AWS_ENDPOINT_URL: z.string().min(1).optional(),
  TOPIC_ARN: z.string(),
});
`;

describe('init environment from config schemas', () => {
  it('finds every upper-case key of a zod object', () => {
    // Act
    const names = declaredVariables(schema).map((v) => v.name);

    // Assert
    expect(names).toEqual([
      'TABLE_NAME',
      'QUEUE_URL',
      'RETRY_BASE_SECONDS',
      'BATCH_SIZE',
      'MODE',
      'AWS_ENDPOINT_URL',
      'TOPIC_ARN',
    ]);
  });

  it('gives required keys a value of their shape and leaves optional and defaulted ones unset', () => {
    // Act
    const values = Object.fromEntries(declaredVariables(schema).map((v) => [v.name, dummyValue(v)]));

    // Assert
    expect(values.TABLE_NAME).toBe('bench-table-name');
    expect(values.QUEUE_URL).toMatch(/^https:\/\/sqs\./);
    expect(values.RETRY_BASE_SECONDS).toBeUndefined();
    expect(values.BATCH_SIZE).toBe('1');
    expect(values.MODE).toBe('live');
    expect(values.AWS_ENDPOINT_URL).toBeUndefined();
    expect(values.TOPIC_ARN).toMatch(/^arn:aws:sns:/);
  });

  it('reads zod/mini schemas: wrapped optional and defaulted keys stay unset, required ones get a value', () => {
    // Arrange
    const config = [
      'const envSchema = z.extend(consumerEnvSchema, {',
      '  TABLE_NAME: z.string().check(z.minLength(1)),',
      "  AWS_REGION_NAME: z._default(z.string().check(z.minLength(1)), 'us-east-1'),",
      '  AWS_ENDPOINT_URL: z.optional(z.string().check(z.minLength(1))),',
      '  POLL_MS: z._default(z.coerce.number().check(z.int(), z.gte(50)), 250),',
      '  TIMEOUT_MS: z.coerce.number().check(z.int(), z.positive()),',
      '});',
    ].join('\n');

    // Act
    const env = initEnvironment('fn', [config]);

    // Assert
    expect(env.TABLE_NAME).toBe('bench-table-name');
    expect(env.TIMEOUT_MS).toBe('1');
    expect(env).not.toHaveProperty('AWS_REGION_NAME');
    expect(env).not.toHaveProperty('AWS_ENDPOINT_URL');
    expect(env).not.toHaveProperty('POLL_MS');
  });

  it('reads keys of a one-line extend and resolves an enum of a constant declared elsewhere', () => {
    // Arrange
    const config = [
      'const envSchema = consumerEnvSchema.extend({ TABLE_NAME: z.string().min(1), CHANNEL: z.enum(CHANNELS) });',
    ].join('\n');
    const constants = "export const CHANNELS = ['email', 'sms'] as const;";

    // Act
    const env = initEnvironment('notify', [config, constants]);

    // Assert
    expect(env.TABLE_NAME).toBe('bench-table-name');
    expect(env.CHANNEL).toBe('email');
  });

  it('never points a bundle at an endpoint, so init makes no call anywhere', () => {
    // Act
    const env = initEnvironment('fn', [schema]);

    // Assert
    expect(env.AWS_ENDPOINT_URL).toBeUndefined();
    expect(env.AWS_LAMBDA_FUNCTION_NAME).toBe('fn');
    expect(env.TABLE_NAME).toBe('bench-table-name');
  });
});

describe('init environment of a transformed variable', () => {
  it('keeps the optional() chained after a transform whose body holds braces, strings and comments', () => {
    // Arrange
    const config = [
      'const configSchema = z.object({',
      "  // the stack's routes, as JSON",
      '  ROUTES: z',
      '    .string()',
      '    .transform((text, ctx) => {',
      // A template literal with a placeholder and braces inside the transform's body.
      "      try { return JSON.parse(text); } catch (e) { ctx.addIssue({ code: 'custom', message: `ROUTES: $" +
        '{e} }` }); return z.NEVER; }',
      '    })',
      '    .optional(),',
      '  BUS: z.string().min(1),',
      '});',
    ].join('\n');

    // Act
    const env = initEnvironment('fn', [config]);

    // Assert
    expect(env.ROUTES).toBeUndefined();
    expect(env.BUS).toBe('bench-bus');
  });
});

describe('lean bundles: targets and source maps', () => {
  it('holds a function to the SDK clients reference plus 60 KB and to 1.15 times its init', () => {
    // Act
    const targets = targetsFromReference({ bytes: 430_000, initMs: 200 });

    // Assert
    expect(SDK_REFERENCE_ENTRY).toBe('bench/fixtures/aws-sdk-clients.ts');
    expect(BUNDLE_SLACK_BYTES).toBe(60_000);
    expect(INIT_RATIO_LIMIT).toBe(1.15);
    expect(targets.maxBytes).toBe(490_000);
    expect(targets.maxInitMs).toBeCloseTo(230);
  });

  it('measures prod init without --enable-source-maps and dev init with it, as the stages start them', () => {
    // Assert
    expect(stageNodeFlags('prod')).toEqual([]);
    expect(stageNodeFlags('dev')).toEqual(['--enable-source-maps']);
  });

  it('sizes the prod map without its sources', () => {
    // Arrange
    const map = Buffer.from(
      JSON.stringify({ version: 3, sources: ['a.ts'], sourcesContent: ['x'.repeat(500)] }),
    );

    // Act / Assert
    expect(mapBytesWithoutSources(map)).toBeLessThan(100);
  });
});

describe('lean bundles: browser-only code', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-unit-bowser-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('aliases bowser to a Node-only stand-in that parses no browser, as Node without window gets', () => {
    // Assert
    expect(LAMBDA_BUNDLE_ALIASES.bowser).toBe('shared/kit/aws/bowser-stand-in.ts');
    expect(parse('Mozilla/5.0 (Macintosh) Safari/605.1.15')).toBeUndefined();
    expect(bowserStandIn.parse).toBe(parse);
  });

  it('keeps bowser out of the SDK clients bundle, which still loads in a fresh Node process', async () => {
    // Act
    const { bundle, metafile } = await buildHandler(SDK_REFERENCE_ENTRY);
    const file = join(dir, 'index.js');
    writeFileSync(join(dir, 'package.json'), '{"type":"commonjs"}\n');
    writeFileSync(file, bundle.code);
    const sample = await sampleInit(file, { AWS_REGION: 'us-east-1' });

    // Assert
    const inputs = Object.keys(metafile.inputs);
    expect(inputs.filter((p) => p.includes('node_modules/bowser/'))).toEqual([]);
    expect(inputs).toContain('shared/kit/aws/bowser-stand-in.ts');
    expect(sample.requireMs).toBeGreaterThan(0);
  });
});

describe('bundle composition', () => {
  it('groups inputs by npm package, scoped or not, and first-party inputs by folder', () => {
    // Assert
    expect(contributorOf('node_modules/@aws-sdk/client-sqs/dist-cjs/index.js')).toBe('@aws-sdk/client-sqs');
    expect(contributorOf('node_modules/zod/v4/core/schemas.js')).toBe('zod');
    expect(contributorOf('node_modules/a/node_modules/tslib/tslib.js')).toBe('tslib');
    expect(contributorOf('shared/kit/events/envelope.ts')).toBe('shared/kit/events');
    expect(contributorOf('shared/contexts/orders/events/catalog.ts')).toBe('shared/contexts/orders');
    expect(contributorOf('functions/saga/handler.ts')).toBe('functions/saga');
  });

  it('sums output bytes per contributor, largest first, and splits zod into its parts', () => {
    // Arrange
    const metafile = {
      inputs: { 'functions/x/handler.ts': { bytes: 1, imports: [] } },
      outputs: {
        'index.js': {
          bytes: 1000,
          imports: [],
          exports: [],
          inputs: {
            'node_modules/zod/v4/locales/he.js': { bytesInOutput: 300 },
            'node_modules/zod/v4/core/to-json-schema.js': { bytesInOutput: 100 },
            'node_modules/zod/v4/core/schemas.js': { bytesInOutput: 200 },
            'node_modules/@smithy/core/dist-es/index.js': { bytesInOutput: 250 },
            'functions/x/handler.ts': { bytesInOutput: 50 },
          },
        },
        'index.js.map': { bytes: 5000, imports: [], exports: [], inputs: {} },
      },
    } as unknown as Metafile;

    // Act
    const composition = compositionOf(metafile);

    // Assert
    expect(composition.totalBytes).toBe(1000);
    expect(composition.contributors.map((c) => [c.name, c.bytes])).toEqual([
      ['zod', 600],
      ['@smithy/core', 250],
      ['functions/x', 50],
    ]);
    expect(composition.firstPartyInputs).toEqual(['functions/x/handler.ts']);
    expect(families(composition.contributors)).toMatchObject({
      zod: 600,
      'AWS SDK (@aws-sdk, @smithy, @aws-crypto)': 250,
    });
    expect(zodBreakdown(composition.inputs)).toEqual({
      locales: 300,
      'JSON Schema conversion': 100,
      'validation core': 200,
    });
  });
});

describe('init probe', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-unit-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads a module in a fresh process with exactly the environment given', async () => {
    // Arrange
    const file = join(dir, 'needs-env.cjs');
    writeFileSync(file, "if (!process.env.TABLE_NAME) throw new Error('TABLE_NAME missing');\n");

    // Act
    const sample = await sampleInit(file, { TABLE_NAME: 't' });
    const failure = await sampleInit(file, {}).catch((error: unknown) => error);

    // Assert
    expect(sample.requireMs).toBeGreaterThanOrEqual(0);
    expect(sample.processMs).toBeGreaterThanOrEqual(sample.requireMs);
    expect(failure).toBeInstanceOf(InitFailed);
    expect(String(failure)).toContain('TABLE_NAME missing');
  });

  it('takes the median and nearest-rank percentiles of unsorted samples', () => {
    // Assert
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(percentile([10, 1, 9, 2, 8, 3, 7, 4, 6, 5], 0.5)).toBe(5);
    expect(percentile([10, 1, 9, 2, 8, 3, 7, 4, 6, 5], 0.99)).toBe(10);
    expect(Number.isNaN(median([]))).toBe(true);
  });
});

describe('function entries', () => {
  it("names a folder's handler.ts after the folder and each handler file of a folder without one", () => {
    // Arrange
    const root = mkdtempSync(join(tmpdir(), 'bench-entries-'));
    const write = (path: string, text: string) => {
      mkdirSync(join(root, path, '..'), { recursive: true });
      writeFileSync(join(root, path), text);
    };
    write('functions/saga/handler.ts', 'export const handler = 1;\n');
    write('functions/saga/config.ts', 'export const env = 1;\n');
    write('functions/billing/invoices.ts', 'export const handler = contextConsumer();\n');
    write('functions/billing/reminders.ts', 'export async function handler() {}\n');
    write('functions/billing/shared.ts', 'export const handlerOptions = 1;\n');

    try {
      // Act
      const entries = functionEntries(root);

      // Assert
      expect(entries).toEqual([
        { name: 'billing/invoices', entry: 'functions/billing/invoices.ts' },
        { name: 'billing/reminders', entry: 'functions/billing/reminders.ts' },
        { name: 'saga', entry: 'functions/saga/handler.ts' },
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

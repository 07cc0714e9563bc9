/**
 * Per function: bundle size and module init time against the SDK-clients-only reference bundle (the
 * DynamoDB + SQS clients, nothing else) and a hello-world bundle, built and loaded the same way in the
 * same run. Bundles are built with `buildHandler` (cli/dev/bundle.ts), the build `pipeline dev` uploads
 * and that mirrors the CDK NodejsFunction options, and written to a temp dir with their external map
 * linked as `cdk deploy` ships them; their composition comes from the metafile of that same build.
 * Init is measured per stage: prod without `--enable-source-maps`, dev with it (`sourceMapOptions`).
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildHandler } from '../cli/dev/bundle.ts';
import { markdownTable } from '../cli/output.ts';
import { repoRoot } from '../cli/paths.ts';
import { sourceMapOptions } from '../infra/constructs/pipeline-function.ts';
import { stageSettings } from '../infra/stages.ts';
import { type BundleComposition, compositionOf, families, zodBreakdown } from './bundle-analysis.ts';
import { initEnvironment, schemaVariables } from './init-env.ts';
import { type InitSample, median, sampleInit } from './init-time.ts';
import { atMost, describeError, type ReportBuilder, round } from './report.ts';

/** The reference every function is held to: the SDK clients a saga step builds, alone. */
export const SDK_REFERENCE_ENTRY = 'bench/fixtures/aws-sdk-clients.ts';
/** A function's bundle may exceed the SDK-clients-only reference by this much (issue #12, lever 5). */
export const BUNDLE_SLACK_BYTES = 60_000;
/** A function's prod init may take this many times the reference's, same run, same flags. */
export const INIT_RATIO_LIMIT = 1.15;

/** Node flags a stage's functions start with (their NODE_OPTIONS, from the construct itself). */
export function stageNodeFlags(stage: 'dev' | 'prod'): string[] {
  const options = sourceMapOptions(stageSettings(stage)).NODE_OPTIONS;
  return options ? options.split(/\s+/).filter(Boolean) : [];
}
const PROD_FLAGS = stageNodeFlags('prod');
const DEV_FLAGS = stageNodeFlags('dev');

/** Targets of one function from the reference's figures in the same run. */
export function targetsFromReference(reference: { bytes: number; initMs: number }): {
  maxBytes: number;
  maxInitMs: number;
} {
  return { maxBytes: reference.bytes + BUNDLE_SLACK_BYTES, maxInitMs: reference.initMs * INIT_RATIO_LIMIT };
}

/** Bytes of a source map without its `sourcesContent`, as prod bundles ship it. */
export function mapBytesWithoutSources(map: Buffer): number {
  const { sourcesContent: _dropped, ...rest } = JSON.parse(map.toString('utf8')) as Record<string, unknown>;
  return Buffer.byteLength(JSON.stringify(rest));
}

export interface BundleBenchOptions {
  /** Fresh-process loads per bundle and variant; the median is reported. @default 7 */
  readonly runs?: number;
  /** Only these functions (folder names). @default every functions/<name>/handler.ts */
  readonly only?: readonly string[];
}

/**
 * Bundles that explain the functions' figures: what classic zod costs through `{ z }` and as a
 * namespace (`* as z`), what the same schema costs with `zod/mini` (the product's zod, shared/kit/zod.ts,
 * adds the English locale to it), and what two SDK clients cost on their own.
 */
export const REFERENCE_BUNDLES = [
  { name: 'ref: zod (import { z } from "zod")', entry: 'bench/fixtures/zod-classic.ts' },
  {
    name: 'ref: zod (import * as z from "zod")',
    entry: 'bench/fixtures/zod-namespace.ts',
  },
  { name: 'ref: zod/mini, same schema', entry: 'bench/fixtures/zod-mini.ts' },
  { name: 'ref: DynamoDB + SQS clients only', entry: SDK_REFERENCE_ENTRY },
  {
    name: "what-if: saga with the runtime's AWS SDK (external @aws-sdk/*)",
    entry: 'functions/saga/handler.ts',
    runtimeSdk: true,
  },
] as const;

type Kind = 'baseline' | 'reference' | 'function';

interface Loadable {
  readonly kind: Kind;
  readonly name: string;
  readonly file: string;
  readonly env: Record<string, string>;
  readonly bytes: number;
  /** Init as prod starts it (no `--enable-source-maps`). */
  readonly prod: InitSample[];
  /** Init as dev starts it (`--enable-source-maps`, the linked map read at load). */
  readonly dev: InitSample[];
}

/** A Lambda entry exports its `handler`; wiring files next to it (config.ts) do not. */
const HANDLER_EXPORT = /^export (?:const|async function|function) handler\b/m;

/**
 * Every Lambda entry under `functions/`, sorted by name: a folder's `handler.ts` is named after the
 * folder (`saga`), and a folder of several handlers (a context's consumers, `functions/onboarding/*.ts`)
 * gives one entry per file exporting `handler`, named `<folder>/<file>` (`onboarding/accounts`).
 */
export function functionEntries(root = repoRoot): { name: string; entry: string }[] {
  return readdirSync(join(root, 'functions'), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => {
      const folder = join(root, 'functions', d.name);
      if (existsSync(join(folder, 'handler.ts')))
        return [{ name: d.name, entry: `functions/${d.name}/handler.ts` }];
      return readdirSync(folder)
        .filter(
          (file) => file.endsWith('.ts') && HANDLER_EXPORT.test(readFileSync(join(folder, file), 'utf8')),
        )
        .map((file) => ({ name: `${d.name}/${file.slice(0, -3)}`, entry: `functions/${d.name}/${file}` }));
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

const kb = (bytes: number) => round(bytes / 1000, 1);

/**
 * Builds `entry` as deployed (or, for the what-if, with the AWS SDK left to the Lambda runtime: CDK's
 * default `externalModules: ['@aws-sdk/*']`), writes it and returns its composition from the same build.
 */
async function writeBundle(dir: string, name: string, entry: string, runtimeSdk = false) {
  const { bundle, metafile } = await buildHandler(entry, runtimeSdk ? { external: ['@aws-sdk/*'] } : {});
  // index.js next to index.js.map: the bundle's sourceMappingURL comment names that file.
  const folder = join(dir, name);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'index.js'), bundle.code);
  writeFileSync(join(folder, 'index.js.map'), bundle.sourceMap);
  return {
    file: join(folder, 'index.js'),
    bytes: bundle.bytes,
    mapBytes: bundle.sourceMap.byteLength,
    prodMapBytes: mapBytesWithoutSources(bundle.sourceMap),
    composition: compositionOf(metafile),
  };
}

function contributorsTable(compositions: ReadonlyMap<string, BundleComposition>): string {
  const rows: string[][] = [];
  for (const [name, composition] of compositions) {
    const total = composition.totalBytes;
    const top = composition.contributors.slice(0, 5);
    top.forEach((c, i) => {
      rows.push([
        i === 0 ? name : '',
        String(i + 1),
        c.name,
        String(kb(c.bytes)),
        `${round((100 * c.bytes) / total, 1)} %`,
      ]);
    });
  }
  const familyRows = [...compositions].map(([name, composition]) => {
    const sums = families(composition.contributors);
    const share = (key: string) => `${round((100 * (sums[key] ?? 0)) / composition.totalBytes, 1)} %`;
    return [
      name,
      share('AWS SDK (@aws-sdk, @smithy, @aws-crypto)'),
      share('zod'),
      share('Powertools'),
      share('first-party (functions/, shared/)'),
      share('other packages'),
    ];
  });
  const zodRows = [...compositions].map(([name, composition]) => {
    const parts = zodBreakdown(composition.inputs);
    return [
      name,
      ...['validation core', 'locales', 'JSON Schema conversion'].map((k) => String(kb(parts[k] ?? 0))),
    ];
  });
  return [
    'Output bytes per input group, from the esbuild metafile of the same build (KB = 1000 B).',
    '',
    markdownTable(['function', '>#', 'contributor', '>KB', '>share'], rows),
    '',
    markdownTable(['function', '>AWS SDK', '>zod', '>Powertools', '>first-party', '>other'], familyRows),
    '',
    "Inside zod (KB): the product's schemas use zod/mini (shared/kit/zod.ts) with the English locale only; classic zod would add its JSON Schema converters to every schema, and `import { z } from 'zod'` every locale.",
    '',
    markdownTable(['function', '>validation core', '>locales', '>JSON Schema conversion'], zodRows),
  ].join('\n');
}

async function prepare(
  report: ReportBuilder,
  dir: string,
  fn: { name: string; entry: string; runtimeSdk?: boolean },
  compositions: Map<string, BundleComposition>,
  kind: Kind = 'function',
  reference?: Loadable,
): Promise<Loadable | undefined> {
  const folder = fn.name.replace(/[^\w.-]+/g, '_');
  let written: Awaited<ReturnType<typeof writeBundle>>;
  try {
    written = await writeBundle(dir, folder, fn.entry, fn.runtimeSdk);
  } catch (error) {
    report.error(`${fn.name}: bundle size`, error, 'KB');
    return undefined;
  }
  const composition = written.composition;
  if (kind === 'function') compositions.set(fn.name, composition);
  const maxBytes = reference ? reference.bytes + BUNDLE_SLACK_BYTES : undefined;
  report.record({
    name: `${fn.name}: bundle size`,
    value: kb(written.bytes),
    unit: 'KB',
    ...(kind === 'function' && reference && maxBytes !== undefined
      ? {
          target: `≤ SDK clients ref + ${kb(BUNDLE_SLACK_BYTES)} KB = ${kb(maxBytes)} KB`,
          meets: atMost(written.bytes, maxBytes),
        }
      : {}),
    note: `${reference ? `${round((written.bytes - reference.bytes) / 1000, 1)} KB over the SDK clients ref; ` : ''}source map ${kb(written.mapBytes)} KB (dev), ${kb(written.prodMapBytes)} KB without sourcesContent (prod)`,
  });
  const sources = composition.firstPartyInputs.map((p) => readFileSync(join(repoRoot, p), 'utf8'));
  // The runtime's SDK is not in the bundle: resolve it from node_modules, as Lambda does from its own.
  const env = {
    ...initEnvironment(fn.name, sources),
    ...(fn.runtimeSdk ? { NODE_PATH: join(repoRoot, 'node_modules') } : {}),
  };
  try {
    await sampleInit(written.file, env, DEV_FLAGS); // warm-up and init check, map read as in dev
  } catch (error) {
    report.record({
      name: `${fn.name}: module init`,
      value: null,
      unit: 'ms',
      error: `${describeError(error)} (env: ${schemaVariables(env).join(', ') || 'none'})`,
    });
    return undefined;
  }
  return { kind, name: fn.name, file: written.file, env, bytes: written.bytes, prod: [], dev: [] };
}

const processMedian = (samples: readonly InitSample[]) => median(samples.map((s) => s.processMs));
const requireMedian = (samples: readonly InitSample[]) => median(samples.map((s) => s.requireMs));

function recordInit(report: ReportBuilder, fn: Loadable, hello: Loadable, reference?: Loadable): void {
  const prodMs = processMedian(fn.prod);
  const devMs = processMedian(fn.dev);
  const helloMs = processMedian(hello.prod);
  report.record({
    name: `${fn.name}: init, fresh process (prod: no --enable-source-maps)`,
    value: round(prodMs, 1),
    unit: 'ms',
    note: `${round(prodMs / helloMs, 2)}× hello-world (${round(helloMs, 1)} ms); median of ${fn.prod.length}; node start + require`,
  });
  report.record({
    name: `${fn.name}: init, fresh process (dev: --enable-source-maps)`,
    value: round(devMs, 1),
    unit: 'ms',
    note: `source maps cost ${round(devMs - prodMs, 1)} ms at init (require() ${round(requireMedian(fn.dev) - requireMedian(fn.prod), 1)} ms); median of ${fn.dev.length}`,
  });
  if (fn.kind === 'function' && reference) {
    const ratio = prodMs / processMedian(reference.prod);
    report.record({
      name: `${fn.name}: init vs SDK clients ref (prod)`,
      value: round(ratio, 2),
      unit: '×',
      target: `≤ ${INIT_RATIO_LIMIT}×`,
      meets: atMost(ratio, INIT_RATIO_LIMIT),
      note: `ref ${round(processMedian(reference.prod), 1)} ms; dev ${round(devMs / processMedian(reference.dev), 2)}× the ref's dev init`,
    });
  }
  report.record({
    name: `${fn.name}: require() of the bundle (prod)`,
    value: round(requireMedian(fn.prod), 1),
    unit: 'ms',
    note: `hello-world ${round(requireMedian(hello.prod), 2)} ms; with --enable-source-maps ${round(requireMedian(fn.dev), 1)} ms; env from schemas: ${schemaVariables(fn.env).join(', ') || 'none'}`,
  });
}

/** Records bundle size, composition and init figures for every function, each failure as an error row. */
export async function benchBundles(report: ReportBuilder, options: BundleBenchOptions = {}): Promise<void> {
  const runs = Math.max(5, options.runs ?? 7);
  const dir = mkdtempSync(join(tmpdir(), 'pipeline-bench-bundles-'));
  writeFileSync(join(dir, 'package.json'), '{"type":"commonjs"}\n'); // as /var/task: no ESM parent
  try {
    const hello = await prepare(
      report,
      dir,
      { name: 'hello-world', entry: 'bench/fixtures/hello-world.ts' },
      new Map(),
      'baseline',
    );
    if (!hello) throw new Error('the hello-world baseline could not be built or loaded');
    const compositions = new Map<string, BundleComposition>();
    const loadable: Loadable[] = [];
    const only = options.only ? new Set(options.only) : undefined;
    let reference: Loadable | undefined;
    for (const ref of REFERENCE_BUNDLES) {
      const ready = await prepare(report, dir, ref, compositions, 'reference');
      if (ready) loadable.push(ready);
      if (ready && ref.entry === SDK_REFERENCE_ENTRY) reference = ready;
    }
    for (const fn of functionEntries().filter((f) => !only || only.has(f.name))) {
      const ready = await prepare(report, dir, fn, compositions, 'function', reference);
      if (ready) loadable.push(ready);
    }
    // Interleaved, so drift of the machine (other emulators, CI neighbours) hits every bundle alike.
    for (let run = 0; run < runs; run++) {
      for (const target of [hello, ...loadable]) {
        target.prod.push(await sampleInit(target.file, target.env, PROD_FLAGS));
        target.dev.push(await sampleInit(target.file, target.env, DEV_FLAGS));
      }
    }
    report.record({
      name: 'hello-world: init, fresh process',
      value: round(processMedian(hello.prod), 1),
      unit: 'ms',
      note: `require() ${round(requireMedian(hello.prod), 2)} ms; node ${process.version} (Lambda runs node22)`,
    });
    for (const fn of loadable) recordInit(report, fn, hello, reference);
    if (compositions.size > 0)
      report.section('Bundle composition: top 5 contributors per function', contributorsTable(compositions));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

import { build, type Metafile } from 'esbuild';
import { LAMBDA_BUNDLE_ALIASES } from '../../shared/kit/aws/bundle-aliases.ts';
import { repoRoot } from '../paths.ts';

/** A function bundle as `pipeline dev` rebuilds it, with the source files it was made from. */
export interface Bundle {
  readonly code: Buffer;
  readonly sourceMap: Buffer;
  /** Repository-relative paths of every input, to know which bundles an edit touches. */
  readonly inputs: ReadonlySet<string>;
  readonly bytes: number;
}

/**
 * Builds one handler the way the CDK NodejsFunction does for deploys (CommonJS for node22, minified,
 * source maps, the bundle aliases, AWS SDK included unless `external` says otherwise). The one place these options live:
 * `pipeline dev` and the benchmarks both build through it. `define`: a stage's build-time constants
 * (infra's `bundleDefines`); none gives a dev build.
 */
export async function buildHandler(
  entry: string,
  options: { external?: string[]; define?: Record<string, string> } = {},
): Promise<{ bundle: Bundle; metafile: Metafile }> {
  const result = await build({
    absWorkingDir: repoRoot,
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    minify: true,
    sourcemap: 'external',
    outfile: 'index.js',
    alias: Object.fromEntries(
      Object.entries(LAMBDA_BUNDLE_ALIASES).map(([from, to]) => [from, `${repoRoot}${to}`]),
    ),
    ...(options.external ? { external: options.external } : {}),
    ...(options.define ? { define: options.define } : {}),
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const code = result.outputFiles.find((f) => f.path.endsWith('index.js'));
  const map = result.outputFiles.find((f) => f.path.endsWith('index.js.map'));
  if (!code || !map) throw new Error(`esbuild produced no bundle for ${entry}`);
  const bundle = {
    code: Buffer.from(code.contents),
    sourceMap: Buffer.from(map.contents),
    inputs: new Set(Object.keys(result.metafile.inputs)),
    bytes: code.contents.byteLength,
  };
  return { bundle, metafile: result.metafile };
}

/** Bundles one handler as it is deployed, so what `pipeline dev` uploads behaves like what `cdk deploy` ships. */
export async function bundleHandler(entry: string): Promise<Bundle> {
  return (await buildHandler(entry)).bundle;
}

import { build } from 'esbuild';
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
 * Bundles one handler the way the CDK NodejsFunction does for deploys (CommonJS for node22, minified,
 * source maps, AWS SDK included), so what `pipeline dev` uploads behaves like what `cdk deploy` ships.
 */
export async function bundleHandler(entry: string): Promise<Bundle> {
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
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const code = result.outputFiles.find((f) => f.path.endsWith('index.js'));
  const map = result.outputFiles.find((f) => f.path.endsWith('index.js.map'));
  if (!code || !map) throw new Error(`esbuild produced no bundle for ${entry}`);
  return {
    code: Buffer.from(code.contents),
    sourceMap: Buffer.from(map.contents),
    inputs: new Set(Object.keys(result.metafile.inputs)),
    bytes: code.contents.byteLength,
  };
}

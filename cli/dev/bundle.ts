import { build, type Metafile } from 'esbuild';
import { type BundleStage, esbuildOptions, functionBundle } from '../../infra/constructs/function-bundle.ts';

/** The bundle of a dev-stage function (infra/stages.ts). */
export const DEV_BUNDLE: BundleStage = { name: 'dev', faultInjection: 'allowed' };

/** A function bundle as `pipeline dev` rebuilds it, with the source files it was made from. */
export interface Bundle {
  readonly code: Buffer;
  readonly sourceMap: Buffer;
  /** Repository-relative paths of every input, to know which bundles an edit touches. */
  readonly inputs: ReadonlySet<string>;
  readonly bytes: number;
}

/**
 * Builds one handler exactly as a deploy of `stage` does (`functionBundle`, infra's one bundle
 * definition): `pipeline dev` and the benchmarks build through it. `external` is for what-if builds
 * (the bundles bench's runtime-SDK variant) only. @default stage: dev
 */
export async function buildHandler(
  entry: string,
  options: { stage?: BundleStage; external?: string[] } = {},
): Promise<{ bundle: Bundle; metafile: Metafile }> {
  const definition = functionBundle(options.stage ?? DEV_BUNDLE);
  const result = await build({
    ...esbuildOptions(entry, definition, options.external ? { external: options.external } : {}),
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

/** Bundles one handler as a deploy of `stage` ships it: what `pipeline dev` uploads. */
export async function bundleHandler(entry: string, stage: BundleStage = DEV_BUNDLE): Promise<Bundle> {
  return (await buildHandler(entry, { stage })).bundle;
}

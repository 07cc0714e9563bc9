import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';
import { FAULTS_COMPILED_OUT } from '../../shared/harness/faults.ts';
import { LAMBDA_BUNDLE_ALIASES } from '../../shared/kit/aws/bundle-aliases.ts';

/** Repository root, so `entry` paths are stable wherever the CDK CLI is started from. */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** What a function's bundle depends on: its stage (infra/stages.ts), nothing else. */
export interface BundleStage {
  readonly name: 'dev' | 'prod';
  readonly faultInjection: 'allowed' | 'compiled-out';
}

/**
 * The one definition of a Lambda bundle. `cdk deploy` (PipelineFunction, through NodejsFunction's
 * esbuild command line) and `pipeline dev` (esbuild's API) both build from it, so the code a dev push
 * uploads is byte for byte the code a deploy of that stage ships (a unit test builds both and compares).
 */
export interface FunctionBundle {
  readonly target: 'node22';
  readonly minify: true;
  /** The map keeps the sources in dev (traces mapped in the logs); prod maps are ~1 MB lighter. */
  readonly sourcesContent: boolean;
  /** Build-time constants: where fault injection is compiled out, its switch becomes a literal. */
  readonly define: Readonly<Record<string, string>>;
  /** `LAMBDA_BUNDLE_ALIASES` with absolute paths. */
  readonly alias: Readonly<Record<string, string>>;
}

/**
 * The bundle of a stage's functions. Where fault injection is compiled out, the switch the consumers
 * read (`process.env.PIPELINE_FAULT_INJECTION`) becomes a literal, so esbuild drops the harness and the
 * environment of a deployed function cannot turn faults on.
 */
export function functionBundle(stage: BundleStage): FunctionBundle {
  return {
    target: 'node22',
    minify: true,
    sourcesContent: stage.name === 'dev',
    define:
      stage.faultInjection === 'compiled-out'
        ? { 'process.env.PIPELINE_FAULT_INJECTION': JSON.stringify(FAULTS_COMPILED_OUT) }
        : {},
    alias: Object.fromEntries(
      Object.entries(LAMBDA_BUNDLE_ALIASES).map(([from, to]) => [from, `${repoRoot}${to}`]),
    ),
  };
}

/**
 * esbuild API options equal to NodejsFunction's command line for `bundle`: CommonJS for Node, the AWS
 * SDK bundled (no externals), a linked source map (`--sourcemap`: index.js ends with its
 * `sourceMappingURL` comment). `external` is for what-if builds only (the bundles bench).
 */
export function esbuildOptions(
  /** Relative to the repository root (a deployed function's `pipeline:entry`), or absolute. */
  entry: string,
  bundle: FunctionBundle,
  options: { readonly external?: readonly string[] } = {},
): BuildOptions {
  return {
    absWorkingDir: repoRoot,
    entryPoints: [isAbsolute(entry) ? entry : `${repoRoot}${entry}`],
    bundle: true,
    platform: 'node',
    target: bundle.target,
    format: 'cjs',
    minify: bundle.minify,
    sourcemap: 'linked',
    sourcesContent: bundle.sourcesContent,
    outfile: `${repoRoot}index.js`,
    define: { ...bundle.define },
    alias: { ...bundle.alias },
    ...(options.external ? { external: [...options.external] } : {}),
  };
}

/**
 * What a function bundle is made of: the output bytes each input contributes, read from the
 * esbuild metafile (`bytesInOutput`) of the very build `buildHandler` (cli/dev/bundle.ts) makes, so
 * the attribution is of the bytes that are deployed.
 */
import type { Metafile } from 'esbuild';

/** Output bytes of one group of inputs (a package, or a first-party folder). */
export interface Contributor {
  readonly name: string;
  readonly bytes: number;
}

export interface BundleComposition {
  readonly totalBytes: number;
  /** Every group, largest first. */
  readonly contributors: readonly Contributor[];
  /** Output bytes of every input path, largest first. */
  readonly inputs: readonly Contributor[];
  /** Repository-relative paths of the first-party inputs (functions/, shared/), for config discovery. */
  readonly firstPartyInputs: readonly string[];
}

/**
 * Which group an input path belongs to: the npm package for node_modules paths
 * (`@aws-sdk/client-sqs`, `zod`), else its first folders: three under `shared/` (`shared/kit/events`,
 * `shared/contexts/orders`), two elsewhere (`functions/saga`).
 */
export function contributorOf(inputPath: string): string {
  const normalized = inputPath.replace(/\\/g, '/');
  const marker = normalized.lastIndexOf('node_modules/');
  if (marker !== -1) {
    const parts = normalized.slice(marker + 'node_modules/'.length).split('/');
    const first = parts[0] ?? normalized;
    return first.startsWith('@') ? `${first}/${parts[1] ?? ''}` : first;
  }
  const parts = normalized.split('/');
  const depth = parts[0] === 'shared' ? 3 : 2;
  return parts.length > depth ? parts.slice(0, depth).join('/') : normalized;
}

/** Sums `bytesInOutput` per contributor over the JS output of a metafile. */
export function compositionOf(metafile: Metafile): BundleComposition {
  const output = Object.entries(metafile.outputs).find(([path]) => path.endsWith('.js'));
  if (!output) throw new Error('metafile has no .js output');
  const sums = new Map<string, number>();
  const inputs: Contributor[] = [];
  for (const [input, { bytesInOutput }] of Object.entries(output[1].inputs)) {
    const name = contributorOf(input);
    sums.set(name, (sums.get(name) ?? 0) + bytesInOutput);
    inputs.push({ name: input, bytes: bytesInOutput });
  }
  inputs.sort((a, b) => b.bytes - a.bytes || a.name.localeCompare(b.name));
  const contributors = [...sums.entries()]
    .map(([name, bytes]) => ({ name, bytes }))
    .sort((a, b) => b.bytes - a.bytes || a.name.localeCompare(b.name));
  const firstPartyInputs = Object.keys(metafile.inputs).filter((p) => /^(functions|shared)\//.test(p));
  return { totalBytes: output[1].bytes, contributors, inputs, firstPartyInputs };
}

/** Families worth naming in the report: how much of a bundle the AWS SDK, zod and our own code are. */
export function families(contributors: readonly Contributor[]): Record<string, number> {
  const family = (name: string): string => {
    if (name.startsWith('@aws-sdk/') || name.startsWith('@smithy/') || name.startsWith('@aws-crypto/'))
      return 'AWS SDK (@aws-sdk, @smithy, @aws-crypto)';
    if (name.startsWith('@aws-lambda-powertools/')) return 'Powertools';
    if (name === 'zod') return 'zod';
    if (name.startsWith('functions/') || name.startsWith('shared/'))
      return 'first-party (functions/, shared/)';
    return 'other packages';
  };
  const sums: Record<string, number> = {};
  for (const c of contributors) sums[family(c.name)] = (sums[family(c.name)] ?? 0) + c.bytes;
  return sums;
}

/**
 * Where zod's bytes go: validation core, locales (only the English one with `import * as z`; all of them
 * through the `{ z }` re-export) and the JSON Schema converters classic zod schemas carry.
 */
export function zodBreakdown(inputs: readonly Contributor[]): Record<string, number> {
  const parts: Record<string, number> = {};
  for (const input of inputs) {
    if (!/node_modules\/zod\//.test(input.name)) continue;
    const part = /\/locales\//.test(input.name)
      ? 'locales'
      : /json-schema/.test(input.name)
        ? 'JSON Schema conversion'
        : 'validation core';
    parts[part] = (parts[part] ?? 0) + input.bytes;
  }
  return parts;
}

import { type Zippable, zipSync } from 'fflate';

/** One file of a zip archive. */
export interface ZipEntry {
  /** Path inside the archive, `/`-separated, no leading slash. */
  readonly name: string;
  readonly content: string | Uint8Array;
  /** Unix permission bits. @default 0o644 */
  readonly mode?: number;
}

/**
 * Builds a zip archive in memory (what Lambda's CreateFunction takes as `ZipFile`) with fflate:
 * deflated entries, UTF-8 names, Unix permissions (regular-file type bits in the external
 * attributes, as `zip` on Linux writes them, so Lambda's unpacker keeps the mode).
 */
export function createZip(entries: readonly ZipEntry[], modified = new Date()): Buffer {
  const files: Zippable = {};
  for (const entry of entries) {
    if (!entry.name || entry.name.startsWith('/') || entry.name.split('/').includes('..')) {
      throw new Error(`Invalid zip entry name: ${entry.name}`);
    }
    const data = typeof entry.content === 'string' ? new TextEncoder().encode(entry.content) : entry.content;
    const mode = 0o100000 | (entry.mode ?? 0o644);
    files[entry.name] = [data, { os: 3, attrs: mode << 16, mtime: modified, level: 9 }];
  }
  return Buffer.from(zipSync(files));
}

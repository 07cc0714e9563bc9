import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { createZip } from '../../cli/doctor/zip.ts';

/**
 * The archive read back: contents with fflate, and each entry's compression method and Unix permission
 * bits from its central-directory record (fflate does not expose external attributes on reading).
 */
function readZip(zip: Buffer) {
  const contents = unzipSync(zip);
  const entries: { name: string; content: string; mode: number; method: number }[] = [];
  for (let at = zip.indexOf(CENTRAL); at >= 0; at = zip.indexOf(CENTRAL, at + 4)) {
    const name = zip.toString('utf8', at + 46, at + 46 + zip.readUInt16LE(at + 28));
    const content = Buffer.from(contents[name] ?? new Uint8Array()).toString('utf8');
    entries.push({
      name,
      content,
      method: zip.readUInt16LE(at + 10),
      mode: (zip.readUInt32LE(at + 38) >>> 16) & 0o777,
    });
  }
  return entries;
}
const CENTRAL = Buffer.from([0x50, 0x4b, 0x01, 0x02]);

const hasUnzip = spawnSync('unzip', ['-v']).status === 0;

const handler = `exports.handler = async (event) => ({ batchItemFailures: [] });\n${'// padding\n'.repeat(40)}`;

describe('createZip: the in-memory zip the Lambda probe is deployed from', () => {
  it('round-trips names, contents and permissions', () => {
    // Arrange
    const files = [
      { name: 'index.js', content: handler },
      { name: 'package.json', content: '{"type":"commonjs"}\n' },
      { name: 'lib/ünïcode.txt', content: 'ok', mode: 0o755 },
    ];

    // Act
    const entries = readZip(createZip(files));

    // Assert
    expect(entries.map((e) => e.name)).toEqual(['index.js', 'package.json', 'lib/ünïcode.txt']);
    expect(entries.map((e) => e.content)).toEqual(files.map((f) => f.content));
    expect(entries.map((e) => e.mode)).toEqual([0o644, 0o644, 0o755]);
  });

  it('deflates what shrinks', () => {
    const [large] = readZip(
      createZip([
        { name: 'index.js', content: handler },
        { name: 'x', content: 'x' },
      ]),
    );
    expect(large?.method).toBe(8);
  });

  it.skipIf(!hasUnzip)('writes an archive that unzip lists and tests without complaint', () => {
    // Arrange
    const dir = mkdtempSync(join(tmpdir(), 'doctor-zip-'));
    const path = join(dir, 'code.zip');
    writeFileSync(
      path,
      createZip([
        { name: 'index.js', content: handler },
        { name: 'package.json', content: '{"type":"commonjs"}\n' },
      ]),
    );

    // Act
    const list = spawnSync('unzip', ['-l', path], { encoding: 'utf8' });
    const test = spawnSync('unzip', ['-t', path], { encoding: 'utf8' });
    const extracted = spawnSync('unzip', ['-p', path, 'index.js'], { encoding: 'utf8' });

    // Assert
    expect(list.stdout).toMatch(/index\.js/);
    expect(list.stdout).toMatch(/package\.json/);
    expect(test.status, test.stdout + test.stderr).toBe(0);
    expect(test.stdout).toMatch(/No errors detected/);
    expect(extracted.stdout).toBe(handler);
  });

  it('rejects entry names that would escape the archive', () => {
    expect(() => createZip([{ name: '../evil.js', content: '' }])).toThrow(/Invalid zip entry name/);
    expect(() => createZip([{ name: '/abs.js', content: '' }])).toThrow(/Invalid zip entry name/);
  });
});

import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32, createZip } from '../../cli/doctor/zip.ts';

interface ParsedEntry {
  name: string;
  method: number;
  crc: number;
  mode: number;
  content: string;
}

/** Reads an archive the way unzip does: end record → central directory → local headers. */
function parseZip(zip: Buffer): ParsedEntry[] {
  const end = zip.length - 22;
  expect(zip.readUInt32LE(end)).toBe(0x06054b50);
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries: ParsedEntry[] = [];
  for (let i = 0; i < count; i++) {
    expect(zip.readUInt32LE(at)).toBe(0x02014b50);
    const method = zip.readUInt16LE(at + 10);
    const crc = zip.readUInt32LE(at + 16);
    const compressed = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const mode = (zip.readUInt32LE(at + 38) >>> 16) & 0o777;
    const local = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    expect(zip.readUInt32LE(local)).toBe(0x04034b50);
    const dataStart = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(dataStart, dataStart + compressed);
    const content = (method === 8 ? inflateRawSync(data) : data).toString('utf8');
    entries.push({ name, method, crc, mode, content });
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return entries;
}

const hasUnzip = spawnSync('unzip', ['-v']).status === 0;

const handler = `exports.handler = async (event) => ({ batchItemFailures: [] });\n${'// padding\n'.repeat(40)}`;

describe('createZip: the in-memory zip the Lambda probe is deployed from', () => {
  it('computes the standard CRC-32 check value', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array())).toBe(0);
  });

  it('round-trips names, contents, CRCs and permissions through its own central directory', () => {
    // Arrange
    const files = [
      { name: 'index.js', content: handler },
      { name: 'package.json', content: '{"type":"commonjs"}\n' },
      { name: 'lib/ünïcode.txt', content: 'ok', mode: 0o755 },
    ];

    // Act
    const entries = parseZip(createZip(files));

    // Assert
    expect(entries.map((e) => e.name)).toEqual(['index.js', 'package.json', 'lib/ünïcode.txt']);
    expect(entries.map((e) => e.content)).toEqual(files.map((f) => f.content));
    expect(entries.map((e) => e.crc)).toEqual(files.map((f) => crc32(Buffer.from(f.content))));
    expect(entries.map((e) => e.mode)).toEqual([0o644, 0o644, 0o755]);
  });

  it('deflates what shrinks and stores what would grow', () => {
    const [large, tiny] = parseZip(
      createZip([
        { name: 'index.js', content: handler },
        { name: 'x', content: 'x' },
      ]),
    );
    expect(large?.method).toBe(8);
    expect(tiny?.method).toBe(0);
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

import { deflateRawSync } from 'node:zlib';

/** One file of a zip archive. */
export interface ZipEntry {
  /** Path inside the archive, `/`-separated, no leading slash. */
  readonly name: string;
  readonly content: string | Uint8Array;
  /** Unix permission bits. @default 0o644 */
  readonly mode?: number;
}

const crcTable = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE 802.3, as zip and gzip use it). */
export function crc32(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = (crcTable[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** MS-DOS date and time fields; zip cannot express times before 1980. */
function dosDateTime(date: Date): { time: number; date: number } {
  const year = Math.max(date.getFullYear(), 1980);
  return {
    time: (date.getHours() << 11) | (date.getMinutes() << 5) | Math.floor(date.getSeconds() / 2),
    date: ((year - 1980) << 9) | ((date.getMonth() + 1) << 5) | date.getDate(),
  };
}

const VERSION = 20; // 2.0: deflate
const UTF8_NAMES = 0x0800;
const MADE_BY_UNIX = 3 << 8;

interface Prepared {
  readonly name: Buffer;
  readonly crc: number;
  readonly method: 0 | 8;
  readonly data: Buffer;
  readonly size: number;
  readonly mode: number;
}

function prepare(entry: ZipEntry): Prepared {
  if (!entry.name || entry.name.startsWith('/') || entry.name.split('/').includes('..')) {
    throw new Error(`Invalid zip entry name: "${entry.name}"`);
  }
  const raw = typeof entry.content === 'string' ? Buffer.from(entry.content, 'utf8') : entry.content;
  const deflated = deflateRawSync(raw);
  // Tiny files can grow when deflated: store those as they are.
  const stored = deflated.length >= raw.length;
  return {
    name: Buffer.from(entry.name, 'utf8'),
    crc: crc32(raw),
    method: stored ? 0 : 8,
    data: stored ? Buffer.from(raw) : deflated,
    size: raw.length,
    mode: entry.mode ?? 0o644,
  };
}

function localHeader(entry: Prepared, time: number, date: number): Buffer {
  const header = Buffer.alloc(30);
  header.writeUInt32LE(0x04034b50, 0);
  header.writeUInt16LE(VERSION, 4);
  header.writeUInt16LE(UTF8_NAMES, 6);
  header.writeUInt16LE(entry.method, 8);
  header.writeUInt16LE(time, 10);
  header.writeUInt16LE(date, 12);
  header.writeUInt32LE(entry.crc, 14);
  header.writeUInt32LE(entry.data.length, 18);
  header.writeUInt32LE(entry.size, 22);
  header.writeUInt16LE(entry.name.length, 26);
  header.writeUInt16LE(0, 28); // no extra field
  return header;
}

function centralHeader(entry: Prepared, time: number, date: number, offset: number): Buffer {
  const header = Buffer.alloc(46);
  header.writeUInt32LE(0x02014b50, 0);
  header.writeUInt16LE(MADE_BY_UNIX | VERSION, 4);
  header.writeUInt16LE(VERSION, 6);
  header.writeUInt16LE(UTF8_NAMES, 8);
  header.writeUInt16LE(entry.method, 10);
  header.writeUInt16LE(time, 12);
  header.writeUInt16LE(date, 14);
  header.writeUInt32LE(entry.crc, 16);
  header.writeUInt32LE(entry.data.length, 20);
  header.writeUInt32LE(entry.size, 24);
  header.writeUInt16LE(entry.name.length, 28);
  // 30..37: extra length, comment length, disk number, internal attributes: all 0
  header.writeUInt32LE(((0o100000 | entry.mode) << 16) >>> 0, 38); // regular file + permissions
  header.writeUInt32LE(offset, 42);
  return header;
}

function endOfCentralDirectory(count: number, size: number, offset: number): Buffer {
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(count, 8);
  end.writeUInt16LE(count, 10);
  end.writeUInt32LE(size, 12);
  end.writeUInt32LE(offset, 16);
  return end;
}

/**
 * Builds a zip archive in memory (what Lambda's CreateFunction takes as `ZipFile`). Deflated entries,
 * UTF-8 names, Unix permissions; no zip64, so each file and the whole archive stay under 4 GiB.
 */
export function createZip(entries: readonly ZipEntry[], modified = new Date()): Buffer {
  if (entries.length > 0xffff) throw new Error('A zip without zip64 holds at most 65535 entries');
  const { time, date } = dosDateTime(modified);
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries.map(prepare)) {
    const local = localHeader(entry, time, date);
    locals.push(local, entry.name, entry.data);
    centrals.push(centralHeader(entry, time, date, offset), entry.name);
    offset += local.length + entry.name.length + entry.data.length;
  }
  const directory = Buffer.concat(centrals);
  return Buffer.concat([
    ...locals,
    directory,
    endOfCentralDirectory(entries.length, directory.length, offset),
  ]);
}

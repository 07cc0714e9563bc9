import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/**
 * Which TCP addresses an emulator (and every process it started) listens on, read from /proc the way
 * `ss -ltnp` does: the sockets in /proc/net/tcp{,6} in state LISTEN, matched to the processes by the
 * socket inodes among their open file descriptors. No tool needs to be installed for it.
 */
export interface Listener {
  readonly address: string;
  readonly port: number;
  readonly inode: number;
}

const LISTEN = '0A';

/** One 32-bit word of /proc/net/tcp: hex, in host (little-endian) byte order. */
function wordBytes(hex: string): number[] {
  const value = Number.parseInt(hex, 16);
  return [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff];
}

/** `0100007F` → `127.0.0.1`; 32 hex digits → an IPv6 address (`::1`, `::ffff:127.0.0.1`, `::`). */
export function decodeProcAddress(hex: string): string {
  if (hex.length === 8) return wordBytes(hex).join('.');
  const bytes = [0, 8, 16, 24].flatMap((offset) => wordBytes(hex.slice(offset, offset + 8)));
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
    return `::ffff:${bytes.slice(12).join('.')}`;
  }
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
  // Shorten the longest run of zero groups to "::".
  let best = { start: -1, length: 0 };
  for (let start = 0; start < 8; ) {
    if (groups[start] !== '0') {
      start += 1;
      continue;
    }
    let end = start;
    while (end < 8 && groups[end] === '0') end += 1;
    if (end - start > best.length) best = { start, length: end - start };
    start = end;
  }
  if (best.length < 2) return groups.join(':');
  const head = groups.slice(0, best.start).join(':');
  const tail = groups.slice(best.start + best.length).join(':');
  return `${head}::${tail}`;
}

/** The LISTEN sockets of a /proc/net/tcp or /proc/net/tcp6 table. */
export function parseProcNetTcp(table: string): Listener[] {
  const listeners: Listener[] = [];
  for (const line of table.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 10 || fields[3] !== LISTEN) continue;
    const [addressHex = '', portHex = '0'] = (fields[1] ?? '').split(':');
    listeners.push({
      address: decodeProcAddress(addressHex),
      port: Number.parseInt(portHex, 16),
      inode: Number(fields[9]),
    });
  }
  return listeners;
}

/** Loopback: 127.0.0.0/8, ::1 and IPv4-mapped loopback. Anything else can be reached from outside. */
export function isLoopback(address: string): boolean {
  return /^127\./.test(address) || address === '::1' || /^::ffff:127\./.test(address);
}

/** `ss`-like rendering, e.g. `0.0.0.0:4599`, `[::]:8000`. */
export function formatListener(listener: Pick<Listener, 'address' | 'port'>): string {
  return listener.address.includes(':')
    ? `[${listener.address}]:${listener.port}`
    : `${listener.address}:${listener.port}`;
}

/** Socket inodes a process holds open (`socket:[123]` links under /proc/<pid>/fd). */
function socketInodes(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
      try {
        const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        return match ? [Number(match[1])] : [];
      } catch {
        return [];
      }
    });
  } catch {
    return [];
  }
}

function processName(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '?';
  }
}

/** Every TCP listener held by one of these processes, with the process that holds it. */
export function listenersOf(pids: readonly number[]): (Listener & { pid: number; process: string })[] {
  const all = ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((file) => {
    try {
      return parseProcNetTcp(readFileSync(file, 'utf8'));
    } catch {
      return [];
    }
  });
  const byInode = new Map(all.map((listener) => [listener.inode, listener]));
  return pids.flatMap((pid) =>
    socketInodes(pid).flatMap((inode) => {
      const listener = byInode.get(inode);
      return listener ? [{ ...listener, pid, process: processName(pid) }] : [];
    }),
  );
}

/** The listeners of these processes that are not loopback-only, rendered for an error message. */
export function widelyBound(listeners: readonly (Listener & { pid: number; process: string })[]): string[] {
  return listeners
    .filter((listener) => !isLoopback(listener.address))
    .map((listener) => `${formatListener(listener)} (${listener.process}, pid ${listener.pid})`);
}

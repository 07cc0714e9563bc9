/**
 * CPU time of the local cloud: the MiniStack process and every descendant (the Lambda workers run as
 * its children), read from /proc. A process's utime + stime are its own ticks; cutime + cstime are
 * those of its children that exited and were waited for, so a worker that ends between two samples
 * still counts (in its parent's cutime). The counting proxy runs in the bench's own process and is not
 * part of the tree.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcStat {
  readonly pid: number;
  readonly ppid: number;
  /** utime + stime + cutime + cstime, in clock ticks. */
  readonly ticks: number;
}

/**
 * Parses /proc/<pid>/stat. The command name (field 2) is in parentheses and may hold spaces or
 * parentheses, so fields are counted from the last `)`: state, ppid, …, utime (14), stime (15),
 * cutime (16), cstime (17).
 */
export function parseProcStat(text: string): ProcStat {
  const close = text.lastIndexOf(')');
  const pid = Number(text.slice(0, text.indexOf('(')).trim());
  const rest = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  const field = (n: number) => Number(rest[n - 3]); // rest[0] is field 3 (state)
  return { pid, ppid: field(4), ticks: field(14) + field(15) + field(16) + field(17) };
}

/** Ticks of `root` and all its descendants among `stats`, and how many processes that was. */
export function treeTicks(stats: readonly ProcStat[], root: number): { ticks: number; processes: number } {
  const children = new Map<number, ProcStat[]>();
  for (const s of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s]);
  const self = stats.find((s) => s.pid === root);
  if (!self) return { ticks: 0, processes: 0 };
  let ticks = 0;
  let processes = 0;
  const queue = [self];
  for (let s = queue.shift(); s; s = queue.shift()) {
    ticks += s.ticks;
    processes += 1;
    queue.push(...(children.get(s.pid) ?? []));
  }
  return { ticks, processes };
}

/** Every readable /proc/<pid>/stat (processes may exit while we read). */
function allStats(): ProcStat[] {
  const stats: ProcStat[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      stats.push(parseProcStat(readFileSync(`/proc/${entry}/stat`, 'utf8')));
    } catch {
      // gone
    }
  }
  return stats;
}

let clkTck: number | undefined;

/** `getconf CLK_TCK` (ticks per second of the /proc times), 100 when it cannot be read. */
export function clockTicksPerSecond(): number {
  if (clkTck === undefined) {
    try {
      clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clkTck = 100;
    }
  }
  return clkTck;
}

export interface CpuSample {
  readonly seconds: number;
  readonly processes: number;
}

/** CPU-seconds the tree under `root` has used so far; undefined without /proc or without the process. */
export function sampleTreeCpu(root: number | undefined): CpuSample | undefined {
  if (!root) return undefined;
  try {
    const { ticks, processes } = treeTicks(allStats(), root);
    if (processes === 0) return undefined;
    return { seconds: ticks / clockTicksPerSecond(), processes };
  } catch {
    return undefined;
  }
}

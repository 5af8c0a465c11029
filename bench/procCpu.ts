/**
 * CPU time of processes from /proc, for the benchmarks: on a shared machine
 * the wall rate alone is noise, so they print CPU beside it.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/PID/stat times (USER_HZ; 100 on every Linux this runs on). */
const USER_HZ = 100;

/** The fields after the command name (which may itself hold spaces and parentheses): index 1 is ppid, 11/12 utime/stime. */
function statFields(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/**
 * CPU ms (user + system) of `pid` and all its descendants; with `include`,
 * only of those whose /proc stat line it accepts (e.g. by command name).
 */
export function treeCpuMs(pid: number, include?: (stat: string) => boolean): number {
  const procs = new Map<number, { ppid: number; ticks: number; stat: string }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const f = statFields(stat);
      procs.set(Number(entry), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]), stat });
    } catch {
      // The process ended between the listing and the read.
    }
  }
  const tree = new Set([pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [p, s] of procs) if (!tree.has(p) && tree.has(s.ppid)) grew = tree.add(p) !== undefined;
  }
  let ticks = 0;
  for (const p of tree) {
    const s = procs.get(p);
    if (s !== undefined && (include === undefined || include(s.stat))) ticks += s.ticks;
  }
  return (ticks * 1000) / USER_HZ;
}

/**
 * CPU ms of one process from its /proc stat: its own (utime + stime) and its
 * waited-for children's (cutime + cstime). Throws when the process is gone.
 */
export function statCpuMs(pid: number | 'self'): { own: number; children: number } {
  const f = statFields(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  return { own: ((Number(f[11]) + Number(f[12])) * 1000) / USER_HZ, children: ((Number(f[13]) + Number(f[14])) * 1000) / USER_HZ };
}

/** CPU ms of the main thread of `pid` alone (its task whose id is the pid); NaN when it is gone. */
export function mainThreadCpuMs(pid: number): number {
  try {
    const f = statFields(readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8'));
    return ((Number(f[11]) + Number(f[12])) * 1000) / USER_HZ;
  } catch {
    return NaN;
  }
}

/** The 1, 5 and 15 minute load averages, as /proc/loadavg prints them. */
export function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

/**
 * What people read from /sys/class/net to pair veths and find bridge ports:
 * `cat …/eth0/iflink` (peer ifindex), `cat …/X/ifindex`, `grep -l 220
 * …/veth*\/ifindex` (which device has that ifindex), `ls -al …/vethX/ | grep
 * master` (`master -> ../cni0`), `ls -al …/cni0/ | grep veth`
 * (`lower_vethX -> ../vethX`), `ls …/cni0/brif/` (the ports).
 */
import type { ParseOutput } from '../types';
import { isIfname, skipLine } from './lineText';

/** One fact a sysfs listing gives about the listed interface (or the listed directory). */
export type SysfsFact =
  /** The listed interface is enslaved to `master` (`master -> ../cni0`). */
  | { kind: 'master'; master: string }
  /** `lower_X -> ../X`: X sits below the listed device (a bridge's port, a vlan's parent…). */
  | { kind: 'lower'; name: string }
  /** `upper_X -> ../X`: X sits above the listed device (its bridge, its bond). */
  | { kind: 'upper'; name: string }
  /** The listed device is a bridge (it has `bridge/` and `brif/`). */
  | { kind: 'is-bridge' }
  /** The listed device is a bridge port (it has `brport/`). */
  | { kind: 'is-bridge-port' }
  /** An entry of `brif/`: a port of the listed bridge. */
  | { kind: 'port'; name: string }
  /** An entry of `/sys/class/net`: a device; `virtual` when it links into devices/virtual. */
  | { kind: 'device'; name: string; virtual?: boolean };

/** Parses a single-number sysfs file (`iflink`, `ifindex`, `mtu`). Never throws. */
export function parseSysfsNumber(lines: string[], firstLine: number, attr: string): ParseOutput<number> {
  const out: ParseOutput<number> = { items: [], warnings: [], skipped: [] };
  const values = lines.map((t, i) => ({ t: t.trim(), line: firstLine + i })).filter((v) => v.t !== '');
  const only = values[0];
  if (values.length === 1 && only && /^\d{1,10}$/.test(only.t) && Number(only.t) <= 2 ** 31) {
    out.items.push(Number(only.t));
    return out;
  }
  for (const v of values) {
    if (/No such file or directory/.test(v.t)) out.warnings.push({ line: v.line, message: v.t.slice(0, 200) });
    else out.skipped.push(skipLine(v.line, v.t, `expected one number from ${attr}`));
  }
  return out;
}

/** Parses a single-text sysfs file (`address`, `operstate`). Never throws. */
export function parseSysfsText(lines: string[], firstLine: number, attr: string): ParseOutput<string> {
  const out: ParseOutput<string> = { items: [], warnings: [], skipped: [] };
  const values = lines.map((t, i) => ({ t: t.trim(), line: firstLine + i })).filter((v) => v.t !== '');
  const only = values[0];
  if (values.length === 1 && only && /^\S{1,64}$/.test(only.t) && !only.t.startsWith('cat:')) {
    out.items.push(only.t);
    return out;
  }
  for (const v of values) out.skipped.push(skipLine(v.line, v.t, `expected one value from ${attr}`));
  return out;
}

const SYSFS_PATH = /^\/sys\/class\/net\/([^/\s]+)\/(\w+)(?::(.*))?$/;

/** Parses the file names `grep -l` printed: the interfaces whose `attr` file matched. Never throws. */
export function parseSysfsGrepList(lines: string[], firstLine: number, attr: string): ParseOutput<string> {
  const out: ParseOutput<string> = { items: [], warnings: [], skipped: [] };
  lines.forEach((raw, i) => {
    const t = raw.trim();
    if (t === '') return;
    const m = SYSFS_PATH.exec(t);
    if (m && m[2] === attr && m[3] === undefined && isIfname(m[1] as string)) out.items.push(m[1] as string);
    else out.skipped.push(skipLine(firstLine + i, raw, `expected a /sys/class/net/IF/${attr} path`));
  });
  return out;
}

/** Parses `grep . /sys/class/net/*\/ATTR` (`path:value` lines). Never throws. */
export function parseSysfsGrepValues(
  lines: string[],
  firstLine: number,
  attr: string,
): ParseOutput<{ ifname: string; value: string }> {
  const out: ParseOutput<{ ifname: string; value: string }> = { items: [], warnings: [], skipped: [] };
  lines.forEach((raw, i) => {
    const t = raw.trim();
    if (t === '') return;
    const m = SYSFS_PATH.exec(t);
    if (m && m[2] === attr && m[3] !== undefined && isIfname(m[1] as string)) {
      out.items.push({ ifname: m[1] as string, value: (m[3] as string).trim().slice(0, 256) });
    } else out.skipped.push(skipLine(firstLine + i, raw, `expected /sys/class/net/IF/${attr}:VALUE`));
  });
  return out;
}

/**
 * Parses `ls [-al] /sys/class/net[/IF[/brif]]`. `ls -l` lines end with
 * `NAME -> TARGET`; the date columns between vary with the locale (`12 月  5
 * 21:49`), so only the end of the line is trusted. Plain `ls` prints names
 * separated by whitespace. Never throws.
 */
export function parseSysfsListing(
  lines: string[],
  firstLine: number,
  listing: { ifname?: string; brif: boolean },
): ParseOutput<SysfsFact> {
  const out: ParseOutput<SysfsFact> = { items: [], warnings: [], skipped: [] };
  const top = listing.ifname === undefined;
  lines.forEach((raw, i) => {
    const lineNo = firstLine + i;
    const t = raw.trim();
    if (t === '' || /^total \d+/.test(t)) return;
    if (/^ls: /.test(t)) {
      out.warnings.push({ line: lineNo, message: t.slice(0, 200) });
      return;
    }
    const long =
      /^([-dlrwxsStT.+@]{10,11})\s.*?\s(\S+)\s+->\s+(\S+)$/.exec(t) ?? /^([-dlrwxsStT.+@]{10,11})\s.*\s(\S+)$/.exec(t);
    if (long) {
      const mode = long[1] as string;
      const name = (long[2] as string).replace(/\/$/, '');
      const target = long[3];
      if (name === '.' || name === '..') return;
      const fact = factOf(name, target, mode.startsWith('d'), top, listing.brif);
      if (fact) out.items.push(fact);
      return;
    }
    // Plain `ls`: names only (several per line).
    const names = t.split(/\s+/);
    if (names.every((n) => /^[\w.@:-]+\/?$/.test(n))) {
      for (const n of names) {
        const fact = factOf(n.replace(/\/$/, ''), undefined, n.endsWith('/'), top, listing.brif);
        if (fact) out.items.push(fact);
      }
      return;
    }
    out.skipped.push(skipLine(lineNo, raw, 'not an ls line'));
  });
  return out;
}

function targetName(target: string): string | undefined {
  const parts = target.split('/').filter((p) => p !== '' && p !== '..' && p !== '.');
  // `../cni0` → cni0; `../../vethX/brport` → vethX.
  const last = parts[parts.length - 1];
  if (last === 'brport') return parts[parts.length - 2];
  return last;
}

function factOf(name: string, target: string | undefined, isDir: boolean, top: boolean, brif: boolean): SysfsFact | null {
  if (top) {
    if (!isIfname(name) || name === 'bonding_masters') return null;
    const f: SysfsFact = { kind: 'device', name };
    if (target !== undefined) f.virtual = target.includes('/devices/virtual/');
    return f;
  }
  if (brif) return isIfname(name) ? { kind: 'port', name } : null;
  if (name === 'master' && target !== undefined) {
    const t = targetName(target);
    return t && isIfname(t) ? { kind: 'master', master: t } : null;
  }
  const lower = /^lower_(.+)$/.exec(name);
  if (lower && isIfname(lower[1] as string)) return { kind: 'lower', name: lower[1] as string };
  const upper = /^upper_(.+)$/.exec(name);
  if (upper && isIfname(upper[1] as string)) return { kind: 'upper', name: upper[1] as string };
  if (name === 'brif' || name === 'bridge') return { kind: 'is-bridge' };
  if (name === 'brport') return { kind: 'is-bridge-port' };
  void isDir;
  return null;
}

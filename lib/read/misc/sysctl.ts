/**
 * `sysctl KEY…`, `sysctl -a | grep rp_filter` (`net.ipv4.ip_forward = 1`),
 * `sysctl -n KEY` (values only) and `cat /proc/sys/net/…` (one value).
 */
import type { ParseOutput } from '../types';
import { skipLine } from './lineText';

/** One kernel parameter. */
export interface SysctlValue {
  /** Dotted key, as `sysctl` prints it (`net.ipv4.conf.all.rp_filter`). */
  key: string;
  value: string;
}

const KEY = /^[a-z0-9_][\w.\/-]*$/i;

/**
 * The dotted key with real interface names. `sysctl` swaps `.` and `/` in
 * what it prints, so flannel.1's rp_filter appears as
 * `net.ipv4.conf.flannel/1.rp_filter`; and a key typed with `/` as the first
 * separator (`net/ipv4/conf/flannel.1/rp_filter`) keeps its dots literal.
 * Either way the result is `net.ipv4.conf.flannel.1.rp_filter`, the key the
 * collector writes from /proc/sys paths.
 */
export function normaliseSysctlKey(key: string): string {
  const slash = key.indexOf('/');
  if (slash < 0) return key;
  const dot = key.indexOf('.');
  if (dot < 0 || slash < dot) return key.split('/').join('.');
  return key
    .split('.')
    .map((segment) => segment.replace(/\//g, '.'))
    .join('.');
}

/**
 * Parses sysctl output. With `valuesOnly` (`sysctl -n`), the lines are values
 * in the order of `keys`. Never throws.
 */
export function parseSysctl(
  lines: string[],
  firstLine: number,
  opts: { keys?: string[]; valuesOnly?: boolean } = {},
): ParseOutput<SysctlValue> {
  const out: ParseOutput<SysctlValue> = { items: [], warnings: [], skipped: [] };
  const keys = opts.keys ?? [];
  let valueIndex = 0;
  lines.forEach((raw, i) => {
    const lineNo = firstLine + i;
    const text = raw.trim();
    if (text === '') return;
    if (/^sysctl: /.test(text)) {
      out.warnings.push({ line: lineNo, message: text.slice(0, 200) });
      return;
    }
    if (opts.valuesOnly) {
      const key = keys[valueIndex++];
      if (key === undefined || !KEY.test(key) || key.includes('*')) {
        out.skipped.push(skipLine(lineNo, raw, 'a sysctl value whose key is not known'));
        return;
      }
      out.items.push({ key: normaliseSysctlKey(key).slice(0, 256), value: text.slice(0, 256) });
      return;
    }
    const m = /^(\S+)\s*=\s*(.*)$/.exec(text);
    if (!m || !KEY.test(m[1] as string) || !(m[1] as string).includes('.')) {
      out.skipped.push(skipLine(lineNo, raw, 'not a `key = value` sysctl line'));
      return;
    }
    out.items.push({ key: normaliseSysctlKey(m[1] as string).slice(0, 256), value: (m[2] as string).trim().slice(0, 256) });
  });
  return out;
}

/** Parses `cat /proc/sys/<key as path>`: a single value. Never throws. */
export function parseProcSysValue(lines: string[], firstLine: number, key: string): ParseOutput<SysctlValue> {
  const out: ParseOutput<SysctlValue> = { items: [], warnings: [], skipped: [] };
  const values: Array<{ text: string; line: number }> = [];
  lines.forEach((raw, i) => {
    if (raw.trim() !== '') values.push({ text: raw.trim(), line: firstLine + i });
  });
  const first = values[0];
  if (values.length === 1 && first && !/No such file|Permission denied/.test(first.text)) {
    out.items.push({ key: normaliseSysctlKey(key).slice(0, 256), value: first.text.slice(0, 256) });
  } else {
    for (const v of values) out.skipped.push(skipLine(v.line, v.text, `expected one value for ${key}`));
  }
  return out;
}

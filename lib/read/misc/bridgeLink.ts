/**
 * `bridge link show`: one line per bridge port, naming its master.
 *
 *     6: veth1@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 master cni0 state forwarding priority 32 cost 2
 *
 * `@if2` is the veth peer's ifindex. When that ifindex also exists in the
 * viewer's namespace, iproute2 prints the local device's name instead
 * (`veth1@ifb0`), which says nothing about the real peer, so only `@ifN` is kept.
 */
import type { Link } from '../../snapshot/schema';
import type { ParseOutput } from '../types';
import { isIfname, skipLine } from './lineText';

const LINE = /^(\d+):\s+([^\s:@]+)(?:@([^\s:]+))?:\s+<([^>]*)>(.*)$/;

/** Parses `bridge link show` text. Never throws. */
export function parseBridgeLinkText(lines: string[], firstLine: number): ParseOutput<Link> {
  const out: ParseOutput<Link> = { items: [], warnings: [], skipped: [] };
  lines.forEach((raw, i) => {
    if (raw.trim() === '') return;
    // `bridge -d link` continuation lines (hairpin, guard…) add nothing podnet uses.
    if (/^\s/.test(raw)) return;
    const m = LINE.exec(raw.trim());
    if (!m || !isIfname(m[2] as string)) {
      out.skipped.push(skipLine(firstLine + i, raw, 'not a `bridge link` line'));
      return;
    }
    const link: Link = { name: m[2] as string, ifindex: Number(m[1]) };
    const peer = /^if(\d+)$/.exec(m[3] ?? '');
    if (peer) link.peer = { ifindex: Number(peer[1]) };
    link.flags = (m[4] as string).split(',').filter((f) => /^[\w-]+$/.test(f)).slice(0, 64);
    const rest = (m[5] as string).trim().split(/\s+/);
    for (let j = 0; j < rest.length; j++) {
      const key = rest[j];
      const value = rest[j + 1];
      if (value === undefined) break;
      if (key === 'mtu' && /^\d+$/.test(value)) link.mtu = Number(value);
      if (key === 'master' && isIfname(value)) link.master = value;
    }
    if (link.ifindex !== undefined && link.ifindex > 2 ** 31) delete link.ifindex;
    out.items.push(link);
  });
  return out;
}

/** Reads `bridge -j link show`. Never throws. */
export function readBridgeLinkJson(value: unknown): ParseOutput<Link> {
  const out: ParseOutput<Link> = { items: [], warnings: [], skipped: [] };
  if (!Array.isArray(value)) {
    out.warnings.push({ message: 'bridge -j link: expected a JSON array' });
    return out;
  }
  for (const item of value) {
    if (typeof item !== 'object' || item === null) continue;
    const o = item as Record<string, unknown>;
    if (typeof o.ifname !== 'string' || !isIfname(o.ifname)) continue;
    const link: Link = { name: o.ifname };
    if (typeof o.ifindex === 'number' && Number.isInteger(o.ifindex) && o.ifindex >= 0) link.ifindex = o.ifindex;
    if (typeof o.master === 'string' && isIfname(o.master)) link.master = o.master;
    if (typeof o.mtu === 'number' && Number.isInteger(o.mtu) && o.mtu >= 0) link.mtu = o.mtu;
    if (Array.isArray(o.flags)) link.flags = o.flags.filter((f): f is string => typeof f === 'string' && /^[\w-]+$/.test(f)).slice(0, 64);
    out.items.push(link);
  }
  return out;
}

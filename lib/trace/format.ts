/**
 * Evidence as iproute2 prints it. A trace step quotes the route, neighbour,
 * FDB entry or rule it relied on in the same words the user would see on the
 * node, so they can find it with `ip route | grep`.
 */
import { ipv4Mask, ipv4PrefixCode, parsePrefix } from '../net/ip';
import type { FdbEntry, Neighbour, NextHop, Route, Rule } from '../snapshot/schema';

/** Kernel table ids iproute2 prints by name. */
export function normaliseTable(table: string | undefined): string {
  switch (table) {
    case undefined:
    case '':
    case '254':
      return 'main';
    case '255':
      return 'local';
    case '253':
      return 'default';
    default:
      return table;
  }
}

/** `default`, `10.244.7.65` (host routes lose their `/32`), `10.244.0.0/16`. */
export function formatDst(dst: string, family: 4 | 6): string {
  if (family === 4) {
    const fast = formatV4Dst(dst);
    if (fast !== null) return fast;
  }
  const p = parsePrefix(dst, family);
  if (!p) return dst;
  if (p.length === 0) return 'default';
  if ((p.family === 4 && p.length === 32) || (p.family === 6 && p.length === 128)) return p.network;
  return `${p.network}/${p.length}`;
}

/**
 * formatDst for a canonical dotted quad with a length whose host bits are
 * already zero (what iproute2 prints): the text itself, read on char codes.
 * A route is formatted on every hop of every trace; anything unusual (leading
 * zeros, host bits set, no length) returns null for the general path.
 */
function formatV4Dst(dst: string): string | null {
  const slash = dst.indexOf('/');
  if (slash < 0) return null;
  const code = ipv4PrefixCode(dst, true);
  if (code < 0) return null;
  const length = code % 64;
  const n = (code - length) / 64;
  if (length === 0) return 'default';
  if (((n & ipv4Mask(length)) >>> 0) !== n) return null;
  return length === 32 ? dst.slice(0, slash) : dst;
}

function formatNextHop(nh: NextHop): string {
  const parts = ['nexthop'];
  if (nh.gateway !== undefined) parts.push('via', nh.gateway);
  if (nh.dev !== undefined) parts.push('dev', nh.dev);
  if (nh.weight !== undefined) parts.push('weight', String(nh.weight));
  for (const f of nh.flags ?? []) parts.push(f);
  return parts.join(' ');
}

/**
 * A route as `ip route` prints it, in iproute2's field order: type, dst, via,
 * dev, table (unless main), proto (unless boot), scope (unless global), src,
 * metric, flags, then multipath next hops (on one line here).
 */
export function formatRoute(r: Route): string {
  const parts: string[] = [];
  if (r.type !== 'unicast') parts.push(r.type);
  parts.push(formatDst(r.dst, r.family));
  if (r.gateway !== undefined) parts.push('via', r.gateway);
  if (r.dev !== undefined) parts.push('dev', r.dev);
  const table = normaliseTable(r.table);
  if (table !== 'main') parts.push('table', table);
  if (r.protocol !== undefined && r.protocol !== 'boot') parts.push('proto', r.protocol);
  if (r.scope !== undefined && r.scope !== 'global' && r.scope !== 'universe') parts.push('scope', r.scope);
  if (r.prefsrc !== undefined) parts.push('src', r.prefsrc);
  if (r.metric !== undefined) parts.push('metric', String(r.metric));
  for (const f of r.flags ?? []) parts.push(f);
  if (r.mtu !== undefined) parts.push('mtu', String(r.mtu));
  for (const nh of r.nexthops ?? []) parts.push(formatNextHop(nh));
  return parts.join(' ');
}

/** A neighbour entry as `ip neigh` prints it: `10.244.2.0 dev flannel.1 lladdr 5e:.. PERMANENT`. */
export function formatNeighbour(n: Neighbour): string {
  const parts = [n.dst, 'dev', n.dev];
  if (n.lladdr !== undefined) parts.push('lladdr', n.lladdr);
  if (n.router) parts.push('router');
  for (const s of n.state ?? []) parts.push(s);
  return parts.join(' ');
}

/** An FDB entry as `bridge fdb` prints it: `5e:.. dev flannel.1 dst 30.0.1.161 self permanent`. */
export function formatFdb(e: FdbEntry): string {
  const parts = [e.mac, 'dev', e.dev];
  if (e.vlan !== undefined) parts.push('vlan', String(e.vlan));
  if (e.dst !== undefined) parts.push('dst', e.dst);
  if (e.port !== undefined) parts.push('port', String(e.port));
  if (e.vni !== undefined) parts.push('vni', String(e.vni));
  for (const f of e.flags ?? []) if (f !== 'master' && f !== e.state) parts.push(f);
  if (e.master !== undefined) parts.push('master', e.master);
  if (e.state !== undefined) parts.push(e.state);
  return parts.join(' ');
}

/** A policy rule as `ip rule` prints it: `100:\tfrom 10.0.0.0/24 lookup 200`. */
export function formatRule(r: Rule): string {
  const parts: string[] = [];
  if (r.not) parts.push('not');
  parts.push('from', r.src === undefined || r.src === 'all' ? 'all' : formatDst(r.src, r.family));
  if (r.dst !== undefined) parts.push('to', formatDst(r.dst, r.family));
  if (r.fwmark !== undefined) parts.push('fwmark', r.fwmark);
  if (r.iif !== undefined) parts.push('iif', r.iif);
  if (r.oif !== undefined) parts.push('oif', r.oif);
  switch (r.action) {
    case 'lookup':
      parts.push('lookup', normaliseTable(r.table));
      break;
    case 'goto':
      parts.push('goto', String(r.goto ?? '?'));
      break;
    case 'blackhole':
    case 'unreachable':
    case 'prohibit':
    case 'nop':
      parts.push(r.action);
      break;
    default: {
      const never: never = r.action;
      parts.push(String(never));
    }
  }
  return `${r.priority}:\t${parts.join(' ')}`;
}

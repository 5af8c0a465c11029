/**
 * Address helpers the builder uses on every interface and route. The fast
 * path keeps plain dotted quads as they are: canonicalising through ipaddr.js
 * for each of a million FDB and route entries would dominate the build.
 */
import { canonicalIp } from '../net/ip';
import type { InterfaceAddress } from './types';
import type { NextHop, Route } from '../snapshot/schema';

/**
 * True for a dotted quad already in canonical form (octets 0-255, no leading
 * zeros), checked on char codes: this runs for every address, route gateway
 * and FDB destination of the cluster, a few million times.
 */
export function isPlainV4(ip: string): boolean {
  const len = ip.length;
  if (len < 7 || len > 15) return false;
  let part = 0;
  let digits = 0;
  let dots = 0;
  let lead = 0;
  for (let i = 0; i < len; i++) {
    const c = ip.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return false;
      part = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      if (digits === 0) lead = c;
      else if (lead === 48) return false;
      part = part * 10 + (c - 48);
      if (++digits > 3 || part > 255) return false;
    } else {
      return false;
    }
  }
  return dots === 3 && digits > 0;
}

/** Canonical text of an address, cheap for ordinary IPv4. */
export function canon(ip: string): string {
  return isPlainV4(ip) ? ip : canonicalIp(ip);
}

/** 169.254/16 and fe80::/10: never a node's underlay address. */
export function isLinkLocalIp(ip: string): boolean {
  return ip.startsWith('169.254.') || /^fe[89ab]/i.test(ip);
}

function isLoopbackIp(ip: string): boolean {
  return ip.startsWith('127.') || ip === '::1';
}

/** IPv4 224/4 or IPv6 ff00::/8: VXLAN group addresses, not a remote node. */
export function isMulticastIp(ip: string): boolean {
  const c0 = ip.charCodeAt(0);
  if (c0 === 102 || c0 === 70) return /^ff/i.test(ip);
  // 224-239: three digits, the first '2', the second '2' or '3'.
  if (c0 !== 50 || ip.charCodeAt(3) !== 46) return false;
  const n = (ip.charCodeAt(1) - 48) * 10 + (ip.charCodeAt(2) - 48);
  return n >= 24 && n <= 39;
}

/**
 * A global address: scope `global`, or no scope known (addresses inferred
 * from routes, pasted output) and not link-local or loopback by value.
 */
export function isGlobalAddress(a: InterfaceAddress): boolean {
  if (a.scope !== undefined && a.scope !== 'global') return false;
  return !isLinkLocalIp(a.ip) && !isLoopbackIp(a.ip);
}

/** Prefix length of a route destination (`10.0.0.0/24` → 24, `default` → 0, a bare address → host length). */
export function dstLength(dst: string): number {
  if (dst === 'default') return 0;
  const slash = dst.indexOf('/');
  if (slash < 0) return dst.includes(':') ? 128 : 32;
  return Number(dst.slice(slash + 1));
}

/** True for `default`, `0.0.0.0/0` and `::/0`. */
export function isDefaultDst(dst: string): boolean {
  return dst === 'default' || dst === '0.0.0.0/0' || dst === '::/0';
}

/** The main table, however the reader spelt it. */
export function isMainTable(table: string): boolean {
  return table === 'main' || table === '254';
}

/** One way a route leaves: its own gateway/dev, or each ECMP next hop. */
export interface RouteHop {
  gateway?: string;
  dev?: string;
  onlink: boolean;
}

/** Calls `fn` for the route's single next hop, or for each of its ECMP next hops. */
export function forEachHop(route: Route, fn: (hop: RouteHop) => void): void {
  const nexthops: NextHop[] | undefined = route.nexthops;
  if (nexthops !== undefined && nexthops.length > 0) {
    for (const nh of nexthops) {
      fn({ gateway: nh.gateway, dev: nh.dev ?? route.dev, onlink: hasFlag(nh.flags, 'onlink') || hasFlag(route.flags, 'onlink') });
    }
    return;
  }
  if (route.gateway === undefined && route.dev === undefined) return;
  fn({ gateway: route.gateway, dev: route.dev, onlink: hasFlag(route.flags, 'onlink') });
}

function hasFlag(flags: readonly string[] | undefined, flag: string): boolean {
  return flags !== undefined && flags.includes(flag);
}

/** `route 10.244.2.0/24 via 10.244.2.0 dev flannel.1 onlink`, as a person would read it. */
export function describeRoute(route: Route, hop?: RouteHop): string {
  const parts = ['route', route.type === 'unicast' ? '' : route.type, route.dst];
  const gateway = hop ? hop.gateway : route.gateway;
  const dev = hop ? hop.dev : route.dev;
  if (gateway !== undefined) parts.push('via', gateway);
  if (dev !== undefined) parts.push('dev', dev);
  if (hop ? hop.onlink : hasFlag(route.flags, 'onlink')) parts.push('onlink');
  if (!isMainTable(route.table) && route.table !== 'local') parts.push('table', route.table);
  return parts.filter((p) => p !== '').join(' ');
}

/**
 * Concatenates into one flat string. Template literals build V8 rope
 * ("cons") strings, a tree of 32-byte nodes per `${}`; a graph keeps a
 * million evidence lines and ids, and as ropes they cost several times the
 * characters they hold.
 */
export function flat(...parts: (string | number)[]): string {
  return parts.join('');
}

/**
 * flat of three parts, the shape of every id (`node/netns`, `netns/ifname`),
 * joined through one reused array: flat's rest array would be 72 bytes of
 * garbage per id, half a million times per build, interleaved with the ids
 * and interfaces that live on (so fewer young pages are dense enough to be
 * promoted whole instead of copied object by object).
 */
export function flat3(a: string | number, b: string | number, c: string | number): string {
  const parts = PARTS3;
  parts[0] = a;
  parts[1] = b;
  parts[2] = c;
  return parts.join('');
}

const PARTS3: (string | number)[] = ['', '', ''];

/** flat of five parts through one reused array (edge ids `kind:source->target`, bridge-port lines), as flat3. */
export function flat5(a: string | number, b: string | number, c: string | number, d: string | number, e: string | number): string {
  const parts = PARTS5;
  parts[0] = a;
  parts[1] = b;
  parts[2] = c;
  parts[3] = d;
  parts[4] = e;
  return parts.join('');
}

const PARTS5: (string | number)[] = ['', '', '', '', ''];

/** MACs as the evidence's readers give them, lower-cased without allocating when they already are. */
export function lowerMac(mac: string): string {
  for (let i = 0; i < mac.length; i++) {
    const c = mac.charCodeAt(i);
    if (c >= 65 && c <= 70) return mac.toLowerCase();
  }
  return mac;
}

/**
 * `ip route` text (`ip r`, `ip -6 route`, `ip route show table all|N`,
 * `ip route show dev X`) → routes. Multipath routes arrive as a header line
 * followed by indented `nexthop` lines (or, in `ip -o`, on one line).
 */
import type { NextHop, Route, RouteType } from '../../snapshot/schema';
import { ROUTE_TYPE_SET } from '../../snapshot/routeTypes';
import type { Family } from '../../net/ip';
import type { ParseOutput, ReadWarning } from '../types';
import {
  emptyOutput,
  familyOfText,
  ipOrNull,
  isIfName,
  normalTable,
  numberLines,
  parseUint,
  prefixOrNull,
  skip,
  tokens,
} from './text';

/** What the caller knows about a route listing that its lines may not say. */
export interface IpRouteTextOptions {
  /** Table of routes that print no `table X` (`ip route show table 200` omits it); default `main`. */
  table?: string;
  /** `ip -6 route` (needed to read `default` as `::/0`). */
  family?: Family;
  /** `ip route show dev X` omits `dev X` from every line. */
  dev?: string;
}

const ROUTE_TYPES = ROUTE_TYPE_SET;

/** Route and next-hop flags iproute2 prints as bare words. */
const ROUTE_FLAGS: ReadonlySet<string> = new Set([
  'onlink',
  'linkdown',
  'dead',
  'pervasive',
  'offload',
  'trap',
  'notify',
  'rt_offload',
  'rt_trap',
  'rt_offload_failed',
  'unresolved',
]);

/** Keywords followed by one value podnet does not keep. */
const IGNORED_KEYS: ReadonlySet<string> = new Set([
  'pref',
  'expires',
  'error',
  'realm',
  'realms',
  'tos',
  'dsfield',
  'from',
  'advmss',
  'rtt',
  'rttvar',
  'window',
  'cwnd',
  'initcwnd',
  'initrwnd',
  'hoplimit',
  'ssthresh',
  'reordering',
  'features',
  'congctl',
  'rto_min',
  'nhid',
  'uid',
  'ttl-propagate',
  'quickack',
  'fastopen_no_cookie',
  'weight',
]);

// Output a shell or iproute2 prints instead of routes.
const ERROR_LINE = /^(Error:|RTNETLINK|Cannot |Object "|Command ")/;

/**
 * Parses `ip route` output. Never throws; lines that are not routes come back
 * in `skipped` with their line numbers.
 */
export function parseIpRouteText(
  lines: readonly string[],
  firstLine: number,
  opts: IpRouteTextOptions = {},
): ParseOutput<Route> {
  const out = emptyOutput<Route>();
  // The route that `nexthop` lines on the following lines belong to.
  let multipath: Route | undefined;
  for (const { line, text } of numberLines(lines, firstLine)) {
    const toks = tokens(text);
    const first = toks[0];
    if (first === undefined) continue;
    if (first === 'nexthop') {
      if (multipath === undefined) {
        out.skipped.push(skip(line, 'nexthop line without a route before it', text));
        continue;
      }
      addNexthops(multipath, toks);
      continue;
    }
    if (first === 'cache') continue;
    if (ERROR_LINE.test(text.trim())) {
      multipath = undefined;
      out.skipped.push(skip(line, 'error message, not a route', text));
      continue;
    }
    const parsed = parseRouteTokens(toks, opts, line, out.warnings);
    if (typeof parsed === 'string') {
      multipath = undefined;
      out.skipped.push(skip(line, parsed, text));
      continue;
    }
    out.items.push(parsed);
    multipath = parsed;
  }
  return out;
}

/** One route from its tokens (`[type] dst [key value | flag]… [nexthop …]…`), or the reason it is not one. */
function parseRouteTokens(
  allToks: readonly string[],
  opts: IpRouteTextOptions,
  line: number,
  warnings: ReadWarning[],
): Route | string {
  const nhAt = allToks.indexOf('nexthop');
  const toks = nhAt >= 0 ? allToks.slice(0, nhAt) : allToks;
  let i = 0;
  let type: RouteType = 'unicast';
  const t0 = toks[0];
  if (t0 !== undefined && ROUTE_TYPES.has(t0)) {
    type = t0 as RouteType;
    i = 1;
  }
  const dstText = toks[i];
  if (dstText === undefined) return 'expected a destination after the route type';
  const dstFamily = familyOfText(dstText);
  if (dstText !== 'default' && dstFamily === null) {
    return 'not a route: expected "default" or a destination prefix like 10.244.1.0/24';
  }
  i++;
  let gateway: string | undefined;
  let gatewayFamily: Family | null = null;
  let explicitViaFamily = false;
  let dev: string | undefined;
  let protocol: string | undefined;
  let scope: string | undefined;
  let prefsrc: string | undefined;
  let metric: number | undefined;
  let table: string | undefined;
  let mtu: number | undefined;
  const flags: string[] = [];
  const ignored: string[] = [];
  for (; i < toks.length; i++) {
    const key = toks[i] ?? '';
    const value = toks[i + 1];
    switch (key) {
      case 'via': {
        let v = value;
        if (v === 'inet' || v === 'inet6') {
          explicitViaFamily = true;
          i++;
          v = toks[i + 1];
        }
        const gw = ipOrNull(v);
        if (gw === null) return `unreadable gateway "${v ?? ''}" after via`;
        gateway = gw;
        gatewayFamily = familyOfText(gw);
        i++;
        break;
      }
      case 'dev':
        if (!isIfName(value)) return `unreadable device name "${value ?? ''}" after dev`;
        dev = value;
        i++;
        break;
      case 'proto':
        if (value !== undefined && value.length <= 256) protocol = value;
        i++;
        break;
      case 'scope':
        if (value !== undefined && value.length <= 256) scope = value;
        i++;
        break;
      case 'src': {
        const s = ipOrNull(value);
        if (s !== null) prefsrc = s;
        i++;
        break;
      }
      case 'metric':
      case 'preference': {
        const m = parseUint(value);
        if (m !== null) metric = m;
        i++;
        break;
      }
      case 'table':
        if (value !== undefined && value.length > 0 && value.length <= 256) table = normalTable(value);
        i++;
        break;
      case 'mtu': {
        let v = value;
        if (v === 'lock') {
          i++;
          v = toks[i + 1];
        }
        const m = parseUint(v);
        if (m !== null) mtu = m;
        i++;
        break;
      }
      default:
        if (ROUTE_FLAGS.has(key)) {
          if (!flags.includes(key) && flags.length < 16) flags.push(key);
        } else if (IGNORED_KEYS.has(key)) {
          i++;
        } else {
          ignored.push(key);
        }
    }
  }
  if (ignored.length > 0) {
    warnings.push({ line, message: `route ${dstText}: ignored ${ignored.map((w) => `"${w.slice(0, 40)}"`).join(', ')}` });
  }
  const family: Family = dstFamily ?? opts.family ?? (explicitViaFamily ? null : gatewayFamily) ?? familyOfText(prefsrc) ?? 4;
  const dst = prefixOrNull(dstText, family);
  if (dst === null) return `destination ${dstText} is not a valid prefix`;
  const route: Route = { family, table: table ?? normalTable(opts.table ?? 'main'), type, dst };
  if (gateway !== undefined) route.gateway = gateway;
  if (dev !== undefined) route.dev = dev;
  else if (opts.dev !== undefined && nhAt < 0 && isIfName(opts.dev) && type !== 'blackhole') route.dev = opts.dev;
  if (protocol !== undefined) route.protocol = protocol;
  if (scope !== undefined) route.scope = scope;
  if (prefsrc !== undefined) route.prefsrc = prefsrc;
  if (metric !== undefined) route.metric = metric;
  if (flags.length > 0) route.flags = flags;
  if (mtu !== undefined) route.mtu = mtu;
  if (nhAt >= 0) addNexthops(route, allToks.slice(nhAt));
  return route;
}

/** Appends the next hops in `nexthop … [nexthop …]` tokens to a multipath route. */
function addNexthops(route: Route, toks: readonly string[]): void {
  let hop: NextHop | undefined;
  const hops = route.nexthops ?? [];
  for (let i = 0; i < toks.length; i++) {
    const key = toks[i] ?? '';
    const value = toks[i + 1];
    if (key === 'nexthop') {
      hop = {};
      if (hops.length < 256) hops.push(hop);
      continue;
    }
    if (hop === undefined) continue;
    switch (key) {
      case 'via': {
        let v = value;
        if (v === 'inet' || v === 'inet6') {
          i++;
          v = toks[i + 1];
        }
        const gw = ipOrNull(v);
        if (gw !== null) hop.gateway = gw;
        i++;
        break;
      }
      case 'dev':
        if (isIfName(value)) hop.dev = value;
        i++;
        break;
      case 'weight': {
        const w = parseUint(value);
        if (w !== null) hop.weight = w;
        i++;
        break;
      }
      default:
        if (ROUTE_FLAGS.has(key)) {
          const f = hop.flags ?? [];
          if (!f.includes(key) && f.length < 16) f.push(key);
          hop.flags = f;
        } else if (IGNORED_KEYS.has(key) || key === 'encap' || key === 'realms') {
          i++;
        }
    }
  }
  route.nexthops = hops;
}

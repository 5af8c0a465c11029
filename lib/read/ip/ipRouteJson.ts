/**
 * `ip -j route show table all` (and `ip -j -6 route …`) → routes.
 */
import type { NextHop, Route, RouteType } from '../../snapshot/schema';
import { ROUTE_TYPE_SET } from '../../snapshot/routeTypes';
import type { Family } from '../../net/ip';
import type { ParseOutput } from '../types';
import { int, isObject, readArray, str, strArray, strOrNum, type JsonObject, type JsonReadOptions } from './json';
import { familyOfText, ipOrNull, isIfName, normalTable, prefixOrNull } from './text';

/** What the caller knows about a JSON route listing. */
export interface IpRouteJsonOptions extends JsonReadOptions {
  /** `ip -j -6 route` (needed to read `"dst": "default"` as `::/0`). */
  family?: Family;
  /** Table of routes without a `table` key (`ip -j route show table 200` omits it); default `main`. */
  table?: string;
}

const ROUTE_TYPES = ROUTE_TYPE_SET;

/** `"gateway": "10.0.0.1"`, or `"via": {"family": "inet6", "host": "fe80::1"}` for a cross-family gateway. */
function gatewayOf(o: JsonObject): { ip: string; explicit: boolean } | undefined {
  const gw = ipOrNull(str(o, 'gateway'));
  if (gw !== null) return { ip: gw, explicit: false };
  if (isObject(o.via)) {
    const host = ipOrNull(str(o.via, 'host'));
    if (host !== null) return { ip: host, explicit: true };
  }
  return undefined;
}

function readNexthop(h: unknown): NextHop | undefined {
  if (!isObject(h)) return undefined;
  const hop: NextHop = {};
  const gw = gatewayOf(h);
  if (gw !== undefined) hop.gateway = gw.ip;
  const dev = str(h, 'dev');
  if (isIfName(dev)) hop.dev = dev;
  const weight = int(h, 'weight');
  if (weight !== undefined) hop.weight = weight;
  const flags = strArray(h, 'flags', 16);
  if (flags !== undefined && flags.length > 0) hop.flags = flags;
  return hop;
}

function mtuOf(o: JsonObject): number | undefined {
  const direct = int(o, 'mtu');
  if (direct !== undefined) return direct;
  // `"metrics": [{"mtu": 1400}]`; a locked mtu is `{"mtu": {"lock": true, "value": 1400}}` in some versions.
  if (!Array.isArray(o.metrics)) return undefined;
  for (const m of o.metrics as unknown[]) {
    if (!isObject(m)) continue;
    const v = int(m, 'mtu');
    if (v !== undefined) return v;
    if (isObject(m.mtu)) {
      const inner = int(m.mtu, 'value');
      if (inner !== undefined) return inner;
    }
  }
  return undefined;
}

function readRoute(o: JsonObject, opts: IpRouteJsonOptions): Route | string {
  const typeText = str(o, 'type') ?? 'unicast';
  if (!ROUTE_TYPES.has(typeText)) return `unknown route type "${typeText.slice(0, 40)}"`;
  const type = typeText as RouteType;
  const dstText = str(o, 'dst');
  if (dstText === undefined) return 'no "dst"';
  const dstFamily = familyOfText(dstText);
  if (dstText !== 'default' && dstFamily === null) return `"dst" ${dstText.slice(0, 64)} is not a prefix`;
  const gw = gatewayOf(o);
  const prefsrc = ipOrNull(str(o, 'prefsrc'));
  const family: Family =
    dstFamily ?? opts.family ?? (gw !== undefined && !gw.explicit ? familyOfText(gw.ip) : null) ?? familyOfText(prefsrc ?? undefined) ?? 4;
  const dst = prefixOrNull(dstText, family);
  if (dst === null) return `"dst" ${dstText.slice(0, 64)} is not a valid prefix`;
  const tableText = strOrNum(o, 'table');
  const table = normalTable(tableText !== undefined && tableText.length > 0 && tableText.length <= 256 ? tableText : (opts.table ?? 'main'));
  const route: Route = { family, table, type, dst };
  if (gw !== undefined) route.gateway = gw.ip;
  const dev = str(o, 'dev');
  if (isIfName(dev)) route.dev = dev;
  const protocol = strOrNum(o, 'protocol');
  if (protocol !== undefined && protocol.length > 0 && protocol.length <= 256) route.protocol = protocol;
  const scope = strOrNum(o, 'scope');
  if (scope !== undefined && scope.length > 0 && scope.length <= 256) route.scope = scope;
  if (prefsrc !== null) route.prefsrc = prefsrc;
  const metric = int(o, 'metric');
  if (metric !== undefined) route.metric = metric;
  const flags = strArray(o, 'flags', 16);
  if (flags !== undefined && flags.length > 0) route.flags = flags;
  if (Array.isArray(o.nexthops)) {
    const hops = (o.nexthops as unknown[]).map(readNexthop).filter((h): h is NextHop => h !== undefined);
    if (hops.length > 0) route.nexthops = hops.slice(0, 256);
  }
  const mtu = mtuOf(o);
  if (mtu !== undefined) route.mtu = mtu;
  return route;
}

/** Reads `ip -j route show table all`. Never throws; unusable items come back in `skipped` by array index. */
export function readIpRouteJson(value: unknown, opts: IpRouteJsonOptions = {}): ParseOutput<Route> {
  return readArray<Route>(value, 'ip -j route show', opts, (o) => readRoute(o, opts));
}

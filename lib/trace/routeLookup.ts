/**
 * Route lookup in one network namespace, as the kernel's fib does it: walk
 * the policy rules in priority order, look the destination up in each
 * rule's table by longest prefix (ties: lowest metric), and let `throw`
 * routes and tables without a match fall through to the next rule.
 *
 * Tables are indexed lazily per netns and per table (a Map of prefixes per
 * prefix length) and cached per netns object, so a lookup costs one Map probe
 * per distinct prefix length present in the table.
 */
import { canonicalIp, ipFamily, ipToValue, ipv4Mask, ipv4PrefixCode, ipv4ToNumber, parsePrefix, prefixContains } from '../net/ip';
import type { Route, Rule } from '../snapshot/schema';
import type { TopoInterface, TopoNetns } from '../topology/types';
import type { TopologyIndex } from '../topology/topologyIndex';
import { formatRule, normaliseTable } from './format';

/** What the lookup is asked about. */
export interface RouteQuery {
  dst: string;
  /** Packet source, for `from` selectors. */
  src?: string;
  /** Incoming interface name; undefined for locally generated packets (which rules see as `iif lo`). */
  iif?: string;
}

/** A matched route and how it was reached. */
export interface RouteMatch {
  kind: 'route';
  route: Route;
  table: string;
  /** The rule that chose the table, when it is not one of the kernel's default rules. */
  rule?: Rule;
  /** Gateway and device of the chosen next hop (the first of an ECMP set). */
  gateway?: string;
  dev?: string;
  /** How many ECMP next hops the route has (0 for a plain route). */
  ecmp: number;
  /** True when the route came from the `local` table podnet synthesised from the interfaces' addresses. */
  synthesized: boolean;
  /** Things a person should know about how the match was made. */
  notes: string[];
}

/** A rule whose action ends the lookup without a table (`blackhole`, `unreachable`, `prohibit`). */
export interface RuleActionMatch {
  kind: 'rule-action';
  rule: Rule;
  action: 'blackhole' | 'unreachable' | 'prohibit';
  notes: string[];
}

/** No rule led to a route. */
export interface NoRoute {
  kind: 'no-route';
  /** Tables consulted, in order. */
  tables: string[];
  notes: string[];
}

/** Outcome of a route lookup. */
export type RouteLookup = RouteMatch | RuleActionMatch | NoRoute;

/** The rules every Linux netns starts with (`ip rule` on a fresh system). */
export const DEFAULT_RULES: readonly Rule[] = [
  { family: 4, priority: 0, src: 'all', action: 'lookup', table: 'local' },
  { family: 4, priority: 32766, src: 'all', action: 'lookup', table: 'main' },
  { family: 4, priority: 32767, src: 'all', action: 'lookup', table: 'default' },
];

/**
 * One table's routes of one family for longest-prefix match: per distinct
 * prefix length (longest first), the network value → the route the kernel
 * picks among those with that exact prefix (lowest metric, the first listed
 * on ties). Only that route is ever answered, so only it is kept.
 */
/** DEFAULT_RULES per family, already in priority order. */
const DEFAULT_RULES4: Rule[] = [...DEFAULT_RULES];
const DEFAULT_RULES6: Rule[] = DEFAULT_RULES.map((r) => ({ ...r, family: 6 as const }));

interface LpmTable {
  lengths: number[];
  /** Parallel to `lengths`. */
  maps: Map<number | bigint, Route>[];
}

interface NetnsTables {
  tables: Map<string, Route[]>;
  lpm4: Map<string, LpmTable>;
  lpm6: Map<string, LpmTable>;
  /** True when the `local` table was synthesised from addresses. */
  synthesizedLocal: boolean;
  rules4: Rule[];
  rules6: Rule[];
  defaultRules: boolean;
}

const tablesCache = new WeakMap<TopoNetns, NetnsTables>();

/** Address family without ipaddr.js for the common dotted quad. */
function familyOf(ip: string): 4 | 6 | null {
  return ipv4ToNumber(ip) !== null ? 4 : ipFamily(ip);
}

function metricOf(r: Route): number {
  return r.metric ?? 0;
}

/**
 * An IPv4 route dst (`10.244.3.0/24`, or a bare address) read straight from
 * its char codes: network value × 64 + length, or -1 when it is not a plain
 * dotted quad. No substring, no object: a host netns of a 1,000-node cluster
 * has a thousand routes, and the first trace through it indexes them all.
 */
function v4RouteKey(dst: string): number {
  const code = ipv4PrefixCode(dst);
  if (code < 0) return -1;
  const length = code % 64;
  return ((((code - length) / 64) & ipv4Mask(length)) >>> 0) * 64 + length;
}

/** Network value and length of an IPv6 (or unusual IPv4) route dst. */
function slowRouteKey(dst: string, family: 4 | 6): { value: number | bigint; length: number } | null {
  const p = parsePrefix(dst, family);
  return p && p.family === family ? { value: p.value, length: p.length } : null;
}

function buildLpm(routes: readonly Route[], family: 4 | 6): LpmTable {
  // Indexed by prefix length: at most 129 slots, no Map of lengths.
  const slots: (Map<number | bigint, Route> | undefined)[] = [];
  const keep = (length: number, value: number | bigint, r: Route): void => {
    let m = slots[length];
    if (m === undefined) {
      m = new Map();
      slots[length] = m;
    }
    const prev = m.get(value);
    if (prev === undefined || metricOf(r) < metricOf(prev)) m.set(value, r);
  };
  for (const r of routes) {
    if (r.family !== family) continue;
    if (family === 4) {
      const k = v4RouteKey(r.dst);
      if (k >= 0) {
        const length = k % 64;
        keep(length, (k - length) / 64, r);
        continue;
      }
    }
    const p = slowRouteKey(r.dst, family);
    if (p) keep(p.length, p.value, r);
  }
  const lengths: number[] = [];
  const maps: Map<number | bigint, Route>[] = [];
  for (let len = slots.length - 1; len >= 0; len--) {
    const m = slots[len];
    if (m === undefined) continue;
    lengths.push(len);
    maps.push(m);
  }
  return { lengths, maps };
}

function isV4(a: { family: 4 | 6; ip: string }): boolean {
  return a.family === 4 && ipFamily(a.ip) === 4;
}

/**
 * The kernel's `local` table for a netns whose evidence only showed `main`:
 * every address is a `local` route and every IPv4 subnet has its broadcast
 * address, exactly what `fib_add_ifaddr` installs.
 */
export function synthesizeLocalTable(interfaces: readonly TopoInterface[]): Route[] {
  const out: Route[] = [];
  const seen = new Set<string>();
  const add = (r: Route): void => {
    const k = `${r.type} ${r.dst}`;
    if (seen.has(k)) return;
    seen.add(k);
    out.push(r);
  };
  for (const i of interfaces) {
    if (i.name === 'lo' || i.kind === 'loopback') {
      add({ family: 4, table: 'local', type: 'local', dst: '127.0.0.0/8', dev: i.name, protocol: 'kernel', scope: 'host', prefsrc: '127.0.0.1' });
    }
    for (const a of i.addresses) {
      if (a.family === 4 && isV4(a)) {
        add({ family: 4, table: 'local', type: 'local', dst: `${canonicalIp(a.ip)}/32`, dev: i.name, protocol: 'kernel', scope: 'host', prefsrc: a.ip });
        if (a.prefixlen < 31 && a.peer === undefined) {
          const net = parsePrefix(`${a.ip}/${a.prefixlen}`);
          if (net && typeof net.value === 'number') {
            const bcast = (net.value | (~ipv4Mask(a.prefixlen) >>> 0)) >>> 0;
            const text = `${(bcast >>> 24) & 255}.${(bcast >>> 16) & 255}.${(bcast >>> 8) & 255}.${bcast & 255}`;
            add({ family: 4, table: 'local', type: 'broadcast', dst: `${text}/32`, dev: i.name, protocol: 'kernel', scope: 'link', prefsrc: a.ip });
          }
        }
      } else if (a.family === 6) {
        add({ family: 6, table: 'local', type: 'local', dst: `${canonicalIp(a.ip)}/128`, dev: i.name, protocol: 'kernel', metric: 0 });
      }
    }
  }
  return out;
}

function inPriorityOrder(rules: readonly Rule[]): boolean {
  for (let i = 1; i < rules.length; i++) if (rules[i]!.priority < rules[i - 1]!.priority) return false;
  return true;
}

function netnsTables(idx: TopologyIndex, ns: TopoNetns): NetnsTables {
  const hit = tablesCache.get(ns);
  if (hit) return hit;
  const tables = new Map<string, Route[]>();
  for (const r of ns.routes) {
    const t = normaliseTable(r.table);
    const list = tables.get(t);
    if (list) list.push(r);
    else tables.set(t, [r]);
  }
  let synthesizedLocal = false;
  if (!tables.has('local')) {
    tables.set('local', synthesizeLocalTable(idx.interfacesOf(ns.id)));
    synthesizedLocal = true;
  }
  const defaultRules = ns.rules.length === 0;
  let rules4: Rule[];
  let rules6: Rule[];
  if (defaultRules) {
    // Shared by every netns without rules (most pods): nothing to sort or copy.
    rules4 = DEFAULT_RULES4;
    rules6 = DEFAULT_RULES6;
  } else {
    // Rules are usually listed in priority order already (`ip rule` prints them so); a stable sort would keep that order.
    const sorted = inPriorityOrder(ns.rules) ? ns.rules : ns.rules.map((r, i) => ({ r, i })).sort((a, b) => a.r.priority - b.r.priority || a.i - b.i).map((x) => x.r);
    rules4 = sorted.filter((r) => r.family === 4);
    rules6 = sorted.filter((r) => r.family === 6);
  }
  const built: NetnsTables = {
    tables,
    lpm4: new Map(),
    lpm6: new Map(),
    synthesizedLocal,
    rules4,
    rules6,
    defaultRules,
  };
  tablesCache.set(ns, built);
  return built;
}

function lpmOf(nt: NetnsTables, table: string, family: 4 | 6): LpmTable | undefined {
  const cache = family === 4 ? nt.lpm4 : nt.lpm6;
  const hit = cache.get(table);
  if (hit) return hit;
  const routes = nt.tables.get(table);
  if (!routes) return undefined;
  const built = buildLpm(routes, family);
  cache.set(table, built);
  return built;
}

/** Longest-prefix match in one table; ties go to the lowest metric. */
export function lookupTable(idx: TopologyIndex, ns: TopoNetns, table: string, dst: string): Route | undefined {
  const nt = netnsTables(idx, ns);
  const v = ipToValue(dst);
  if (v === null) return undefined;
  const lpm = lpmOf(nt, normaliseTable(table), typeof v === 'number' ? 4 : 6);
  if (!lpm) return undefined;
  const { lengths, maps } = lpm;
  for (let k = 0; k < lengths.length; k++) {
    const len = lengths[k]!;
    let key: number | bigint;
    if (typeof v === 'number') key = (v & ipv4Mask(len)) >>> 0;
    else key = len === 0 ? 0n : v & (((1n << BigInt(len)) - 1n) << BigInt(128 - len));
    const hit = maps[k]!.get(key);
    if (hit) return hit;
  }
  return undefined;
}

/** True when the netns's `local` table was synthesised from interface addresses. */
export function hasSynthesizedLocal(idx: TopologyIndex, ns: TopoNetns): boolean {
  return netnsTables(idx, ns).synthesizedLocal;
}

function parseMark(text: string): { value: number; mask: number } | null {
  const [v, m] = text.split('/');
  const value = Number(v);
  const mask = m === undefined ? 0xffffffff : Number(m);
  if (!Number.isFinite(value) || !Number.isFinite(mask)) return null;
  return { value: value >>> 0, mask: mask >>> 0 };
}

/** Whether a rule's selectors match a packet (before `not` is applied). */
function selectorsMatch(rule: Rule, q: RouteQuery): boolean {
  if (rule.src !== undefined && rule.src !== 'all') {
    const p = parsePrefix(rule.src, rule.family);
    if (!p || q.src === undefined || !prefixContains(p, q.src)) return false;
  }
  if (rule.dst !== undefined) {
    const p = parsePrefix(rule.dst, rule.family);
    if (!p || !prefixContains(p, q.dst)) return false;
  }
  // Locally generated packets carry the loopback device as iif.
  if (rule.iif !== undefined && rule.iif !== (q.iif ?? 'lo')) return false;
  // Forwarded packets have no oif at rule time and podnet does not model bound sockets.
  if (rule.oif !== undefined) return false;
  if (rule.fwmark !== undefined) {
    // Packets podnet traces carry no firewall mark (mark 0).
    const m = parseMark(rule.fwmark);
    if (!m || (0 & m.mask) !== m.value) return false;
  }
  return true;
}

/** True when a rule matches a packet, `not` included. */
export function ruleMatches(rule: Rule, q: RouteQuery): boolean {
  const m = selectorsMatch(rule, q);
  return rule.not ? !m : m;
}

function isDefaultRule(r: Rule): boolean {
  return (
    r.action === 'lookup' &&
    (r.src === undefined || r.src === 'all') &&
    r.dst === undefined &&
    r.iif === undefined &&
    r.oif === undefined &&
    r.fwmark === undefined &&
    !r.not &&
    ((r.priority === 0 && normaliseTable(r.table) === 'local') ||
      (r.priority === 32766 && normaliseTable(r.table) === 'main') ||
      (r.priority === 32767 && normaliseTable(r.table) === 'default'))
  );
}

/** Where a matched route sends the packet: the route's own gateway/dev or the first ECMP next hop. */
function nextHopOf(route: Route, notes: string[]): { gateway?: string; dev?: string; ecmp: number } {
  const nhs = route.nexthops ?? [];
  if (nhs.length > 0) {
    const first = nhs[0]!;
    notes.push(
      `ECMP route with ${nhs.length} next hops; the kernel hashes flows across them, podnet follows the first (${[
        first.gateway && `via ${first.gateway}`,
        first.dev && `dev ${first.dev}`,
      ]
        .filter(Boolean)
        .join(' ')})`,
    );
    return { gateway: first.gateway ?? route.gateway, dev: first.dev ?? route.dev, ecmp: nhs.length };
  }
  return { gateway: route.gateway, dev: route.dev, ecmp: 0 };
}

/**
 * The kernel's fib_rules walk: rules in priority order; a `lookup` whose
 * table has no match, or matches a `throw` route, falls through to the next
 * rule; `goto` jumps forward to the rule with that priority (an unresolved
 * goto acts as `nop`).
 */
export function lookupRoute(idx: TopologyIndex, ns: TopoNetns, q: RouteQuery): RouteLookup {
  const nt = netnsTables(idx, ns);
  const fam = familyOf(q.dst) ?? 4;
  const rules = fam === 4 ? nt.rules4 : nt.rules6;
  const notes: string[] = [];
  const tried: string[] = [];
  let i = 0;
  let guard = 0;
  while (i < rules.length && guard++ < 100_000) {
    const rule = rules[i]!;
    if (!ruleMatches(rule, q)) {
      i++;
      continue;
    }
    switch (rule.action) {
      case 'nop':
        i++;
        continue;
      case 'goto': {
        const target = rules.findIndex((r, j) => j > i && r.priority === rule.goto);
        i = target >= 0 ? target : i + 1;
        continue;
      }
      case 'blackhole':
      case 'unreachable':
      case 'prohibit':
        return { kind: 'rule-action', rule, action: rule.action, notes };
      case 'lookup': {
        const table = normaliseTable(rule.table);
        tried.push(table);
        const route = lookupTable(idx, ns, table, q.dst);
        if (!route) {
          i++;
          continue;
        }
        if (route.type === 'throw') {
          notes.push(`throw route ${route.dst} in table ${table}: lookup continues with the next rule`);
          i++;
          continue;
        }
        const nh = nextHopOf(route, notes);
        const synthesized = table === 'local' && nt.synthesizedLocal;
        if (synthesized) {
          notes.push(`the local table is not in the evidence; podnet derived it from the interfaces' addresses as the kernel does`);
        }
        return {
          kind: 'route',
          route,
          table,
          rule: isDefaultRule(rule) ? undefined : rule,
          gateway: nh.gateway,
          dev: nh.dev,
          ecmp: nh.ecmp,
          synthesized,
          notes,
        };
      }
      default: {
        const never: never = rule.action;
        throw new Error(`unhandled rule action ${String(never)}`);
      }
    }
  }
  return { kind: 'no-route', tables: tried, notes };
}

/** `ip rule` text of the rule that chose a table, for step details. */
export function ruleText(m: RouteMatch): string | undefined {
  return m.rule ? formatRule(m.rule) : undefined;
}

/** How a gateway is known to be reachable on its device. */
export type GatewayCheck =
  /** The route says `onlink`: no covering subnet needed. */
  | 'onlink'
  /** An address or a link-scope route of the device covers the gateway. */
  | 'connected'
  /** Nothing covers it although the device's addresses and the routes are known. */
  | 'not-connected'
  /** Nothing covers it, but the evidence for the device is incomplete. */
  | 'unknown';

/** Whether a (non-onlink) gateway lies on a connected subnet of the device, as the kernel demands. */
export function checkGateway(idx: TopologyIndex, ns: TopoNetns, route: Route, gateway: string, dev: string | undefined): GatewayCheck {
  if ((route.flags ?? []).includes('onlink')) return 'onlink';
  if (route.nexthops?.some((n) => n.gateway === gateway && (n.flags ?? []).includes('onlink'))) return 'onlink';
  const ifaces = dev === undefined ? idx.interfacesOf(ns.id) : [idx.ifaceByName(ns.id, dev)].filter((x): x is TopoInterface => !!x);
  for (const i of ifaces) {
    for (const a of i.addresses) {
      if (a.peer !== undefined && canonicalIp(a.peer) === canonicalIp(gateway)) return 'connected';
      const p = parsePrefix(`${a.ip}/${a.prefixlen}`, a.family);
      if (p && a.prefixlen > 0 && prefixContains(p, gateway)) return 'connected';
    }
  }
  // A link-scope route for the device (`169.254.1.1 dev eth0 scope link`) makes the gateway connected.
  const table = normaliseTable(route.table);
  for (const r of ns.routes) {
    if (r.gateway !== undefined || (r.type !== 'unicast' && r.type !== 'local')) continue;
    if (dev !== undefined && r.dev !== dev) continue;
    const t = normaliseTable(r.table);
    if (t !== table && t !== 'main') continue;
    const p = parsePrefix(r.dst, r.family);
    if (p && p.length > 0 && prefixContains(p, gateway)) return 'connected';
  }
  const complete = ns.known.includes('addresses') && ns.known.includes('routes') && !ns.filtered.includes('routes') && !ns.filtered.includes('addresses');
  return complete ? 'not-connected' : 'unknown';
}

const SCOPE_VALUE: Record<string, number> = { global: 0, universe: 0, site: 200, link: 253, host: 254, nowhere: 255 };

function addressScope(a: { ip: string; scope?: string }): number {
  if (a.scope !== undefined) return SCOPE_VALUE[a.scope] ?? 0;
  if (a.ip.startsWith('127.')) return 254;
  return 0;
}

/** Primary addresses of an interface: the first address of each subnet (later ones are `secondary`). */
function primaryAddresses(i: TopoInterface, family: 4 | 6): Array<{ ip: string; prefixlen: number; scope?: string }> {
  const out: Array<{ ip: string; prefixlen: number; scope?: string }> = [];
  const nets = new Set<string>();
  for (const a of i.addresses) {
    if (a.family !== family) continue;
    const p = parsePrefix(`${a.ip}/${a.prefixlen}`, family);
    const key = p ? `${p.network}/${p.length}` : a.ip;
    if (nets.has(key)) continue;
    nets.add(key);
    out.push(a);
  }
  return out;
}

/** A selected source address and the kernel rule that picked it. */
export interface SourceSelection {
  ip: string;
  how: string;
}

/**
 * The source the kernel picks for a packet it originates towards `dst`
 * (`fib_result_prefsrc` → `inet_select_addr`): the route's `src`, else a
 * primary address of the outgoing device (one on the gateway's subnet
 * first), else the first primary address of the namespace, in interface
 * order, whose scope fits the route's scope.
 */
export function selectSource(idx: TopologyIndex, ns: TopoNetns, dst: string): SourceSelection | null {
  const m = lookupRoute(idx, ns, { dst });
  if (m.kind !== 'route') return null;
  const fam = m.route.family;
  if (m.route.type === 'local') return { ip: canonicalIp(dst), how: `${dst} is local` };
  if (m.route.prefsrc !== undefined) return { ip: m.route.prefsrc, how: `src of route ${m.route.dst}` };
  const routeScope = SCOPE_VALUE[m.route.scope ?? 'global'] ?? 0;
  const dev = m.dev !== undefined ? idx.ifaceByName(ns.id, m.dev) : undefined;
  if (dev) {
    const prim = primaryAddresses(dev, fam).filter((a) => Math.min(addressScope(a), 253) <= routeScope);
    const gw = m.gateway;
    const onSubnet = gw === undefined ? undefined : prim.find((a) => {
      const p = parsePrefix(`${a.ip}/${a.prefixlen}`, fam);
      return p !== null && prefixContains(p, gw);
    });
    const pick = onSubnet ?? prim[0];
    if (pick) return { ip: pick.ip, how: `primary address of ${dev.name}, the device the route leaves by` };
  }
  for (const i of idx.interfacesOf(ns.id)) {
    for (const a of primaryAddresses(i, fam)) {
      const s = addressScope(a);
      if (s !== 253 && s <= routeScope) return { ip: a.ip, how: `first global address of the namespace (${i.name}); ${m.dev ?? 'the device'} has none` };
    }
  }
  return null;
}

/** Outcome of the reverse-path check. */
export interface ReversePath {
  ok: boolean;
  detail: string;
}

/**
 * `rp_filter` (fib_validate_source): look the packet's source up as a
 * destination; strict mode (1) wants the answer to leave by the interface the
 * packet arrived on, loose mode (2) wants any unicast route.
 */
export function reversePathCheck(idx: TopologyIndex, ns: TopoNetns, src: string, dst: string, iif: string, mode: number): ReversePath {
  const m = lookupRoute(idx, ns, { dst: src, src: dst });
  if (m.kind !== 'route') return { ok: false, detail: `rp_filter=${mode}: no route back to ${src}` };
  if (m.route.type !== 'unicast') return { ok: false, detail: `rp_filter=${mode}: the route back to ${src} is ${m.route.type} (${m.route.dst})` };
  if (mode === 2) return { ok: true, detail: `rp_filter=2 (loose): ${src} is routable` };
  const devs = new Set<string>();
  if (m.dev !== undefined) devs.add(m.dev);
  for (const nh of m.route.nexthops ?? []) if (nh.dev !== undefined) devs.add(nh.dev);
  if (devs.has(iif)) return { ok: true, detail: `rp_filter=1 (strict): the route back to ${src} leaves by ${iif}` };
  return { ok: false, detail: `rp_filter=1 (strict): the packet arrived on ${iif} but the route back to ${src} (${m.route.dst}) leaves by ${[...devs].join(', ') || 'no device'}` };
}

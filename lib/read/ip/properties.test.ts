import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { z } from 'zod';
import {
  AddressSchema,
  FdbEntrySchema,
  LinkSchema,
  NeighbourSchema,
  NetnsIdSchema,
  RouteSchema,
  RuleSchema,
  type Route,
  type RouteType,
} from '../../snapshot/schema';
import { formatPrefix, numberToIpv4, parsePrefix } from '../../net/ip';
import type { ParseOutput } from '../types';
import * as ip from './index';

// Words iproute2 prints, so random lines reach deep into the parsers instead of failing on the first token.
const VOCAB = [
  '1:', '2:', '220:', 'eth0@if5:', 'veth1@veth2:', 'tunl0@NONE:', 'lo:', '<BROADCAST,UP>', '<>', 'mtu', '1500', 'qdisc', 'master', 'cni0',
  'state', 'UP', 'link/ether', 'link/ipip', 'link/none', 'link/loopback', 'aa:bb:cc:dd:ee:ff', 'brd', 'link-netnsid', 'link-netns', '0', '-1',
  'inet', 'inet6', '10.0.0.1/24', '10.0.0.1', 'fe80::1/64', 'fe80::1', 'peer', 'scope', 'global', 'secondary', 'eth0:1', 'valid_lft',
  'vxlan', 'id', '16777216', 'local', 'remote', 'any', 'dev', 'dstport', '65536', 'nolearning', 'ttl', 'bridge_slave', 'proxy_arp', 'on',
  'ipip', 'geneve', 'veth', 'bridge', 'vlan', 'default', 'via', 'proto', 'src', 'metric', 'table', 'all', 'nexthop', 'weight', 'onlink',
  'blackhole', 'unreachable', 'local', 'broadcast', 'multicast', 'mtu', 'lock', 'nhid', 'from', 'to', 'lookup', 'not', 'fwmark', '0x1/0x1',
  'iif', 'oif', 'goto', 'nop', 'lladdr', 'router', 'PERMANENT', 'STALE', 'self', 'permanent', 'vni', 'port', 'nsid', 'current-nsid',
  '(iproute2', 'netns', 'name:', 'x)', '(id:', '3)', '255.255.255.0', 'UG', '!', '*', '4294967296', '99999999999', '\\', '\t', '\r',
];

// How lines of each command start, so the parsers get past their first check and into the details.
const STARTERS = [
  '2: eth0@if5:', '7: cni0:', '5: tunl0@NONE:', '3: veth1@eth9:', '4: x:', 'inet', 'inet6', 'link/ether', 'link/ipip', '    vxlan id',
  'bridge_slave', 'ipip', 'aa:bb:cc:dd:ee:ff', '10.0.0.1', 'fe80::1', 'nsid', '100:', 'default', '10.0.0.0/8', 'nexthop', 'local',
  '0.0.0.0 10.0.0.1 0.0.0.0', 'fd00::/64', 'cni-1234', 'eth0@if3', 'lo',
];
const wordsArb = fc.array(fc.oneof(fc.constantFrom(...VOCAB), fc.string({ maxLength: 6 })), { maxLength: 14 }).map((w) => w.join(' '));
const lineArb = fc.oneof(
  fc.string(),
  wordsArb,
  fc.tuple(fc.constantFrom(...STARTERS), wordsArb).map(([s, w]) => `${s} ${w}`),
);
const linesArb = fc.array(lineArb, { maxLength: 12 });
const firstLineArb = fc.oneof(fc.integer({ min: 1, max: 100000 }), fc.integer(), fc.constant(Number.NaN));

function expectFits<T>(out: ParseOutput<T>, schema: z.ZodType<T>): void {
  for (const item of out.items) {
    const r = schema.safeParse(item);
    if (!r.success) throw new Error(`item does not fit the schema: ${JSON.stringify(item)}: ${r.error.message}`);
  }
  for (const s of out.skipped) {
    expect(s.text.length).toBeLessThanOrEqual(200);
    expect(s.endLine).toBeGreaterThanOrEqual(s.startLine);
  }
}

const linkWithAddresses = z.object({ link: LinkSchema, addresses: z.array(AddressSchema) });
const netnsEntry = z.object({ name: z.string().min(1).max(256), nsid: z.number().int().optional() });

describe('text parsers on arbitrary input', () => {
  const textParsers: Array<[string, (lines: string[], first: number) => ParseOutput<unknown>, z.ZodType]> = [
    ['parseIpLinkText', ip.parseIpLinkText, linkWithAddresses],
    ['parseIpRouteText', (l, f) => ip.parseIpRouteText(l, f), RouteSchema],
    ['parseIpRouteText -6 table 200', (l, f) => ip.parseIpRouteText(l, f, { family: 6, table: '200', dev: 'eth0' }), RouteSchema],
    ['parseRouteNText', ip.parseRouteNText, RouteSchema],
    ['parseIpNeighText', (l, f) => ip.parseIpNeighText(l, f), NeighbourSchema],
    ['parseIpRuleText', (l, f) => ip.parseIpRuleText(l, f), RuleSchema],
    ['parseBridgeFdbText', (l, f) => ip.parseBridgeFdbText(l, f), FdbEntrySchema],
    ['parseIpNetnsListText', ip.parseIpNetnsListText, netnsEntry],
    ['parseIpNetnsListIdText', ip.parseIpNetnsListIdText, NetnsIdSchema],
  ];
  for (const [name, parse, schema] of textParsers) {
    it(`${name} never throws and every item it returns fits the snapshot schema`, () => {
      fc.assert(
        fc.property(linesArb, firstLineArb, (lines, first) => {
          expectFits(parse(lines, first), schema);
        }),
        { numRuns: 400 },
      );
    });
  }
});

const KEYS = [
  'ifindex', 'ifname', 'link', 'link_index', 'link_netnsid', 'flags', 'mtu', 'operstate', 'master', 'address', 'link_type', 'linkinfo',
  'info_kind', 'info_data', 'info_slave_data', 'proxy_arp', 'id', 'local', 'remote', 'port', 'learning', 'addr_info', 'family', 'prefixlen',
  'scope', 'label', 'secondary', 'broadcast', 'type', 'dst', 'gateway', 'via', 'host', 'dev', 'protocol', 'prefsrc', 'metric', 'table',
  'nexthops', 'weight', 'metrics', 'priority', 'src', 'srclen', 'dstlen', 'action', 'iif', 'oif', 'fwmark', 'fwmask', 'not', 'goto', 'nop',
  'lladdr', 'state', 'router', 'mac', 'vlan', 'vni', 'nsid', 'name', 'current-nsid',
];
const shapedJson = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.jsonValue({ maxDepth: 1 }),
    fc.constantFrom('default', 'all', 'veth', 'vxlan', 'inet', 'inet6', '10.0.0.0', 'fe80::1', 'aa:bb:cc:dd:ee:ff', 'eth0', null, 0, -1, 2 ** 40),
    tie('object'),
    fc.array(tie('object'), { maxLength: 3 }),
  ),
  object: fc.dictionary(fc.constantFrom(...KEYS), tie('value'), { maxKeys: 8 }),
}));
const jsonDocArb = fc.oneof(fc.jsonValue(), fc.array(shapedJson.object, { maxLength: 6 }));

describe('JSON readers on arbitrary JSON values', () => {
  const jsonReaders: Array<[string, (v: unknown) => ParseOutput<unknown>, z.ZodType]> = [
    ['readIpLinkJson', (v) => ip.readIpLinkJson(v), LinkSchema],
    ['readIpAddrJson', (v) => ip.readIpAddrJson(v), linkWithAddresses],
    ['readIpRouteJson', (v) => ip.readIpRouteJson(v), RouteSchema],
    ['readIpRouteJson -6', (v) => ip.readIpRouteJson(v, { family: 6, table: '7' }), RouteSchema],
    ['readIpRuleJson', (v) => ip.readIpRuleJson(v), RuleSchema],
    ['readIpNeighJson', (v) => ip.readIpNeighJson(v), NeighbourSchema],
    ['readBridgeFdbJson', (v) => ip.readBridgeFdbJson(v), FdbEntrySchema],
    ['readNetnsListIdJson', (v) => ip.readNetnsListIdJson(v), NetnsIdSchema],
  ];
  for (const [name, read, schema] of jsonReaders) {
    it(`${name} never throws and every item it returns fits the snapshot schema`, () => {
      fc.assert(
        fc.property(jsonDocArb, (doc) => {
          expectFits(read(doc), schema);
        }),
        { numRuns: 400 },
      );
    });
  }
});

// ---- round trip: Route → `ip route` text → Route ----

const v4Arb = fc.integer({ min: 0, max: 0xffffffff }).map((n) => numberToIpv4(n >>> 0));
const v6Arb = fc
  .array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 })
  .map((g) => parsePrefix(g.map((x) => x.toString(16)).join(':'))?.network ?? '::');
const devArb = fc.stringMatching(/^[a-z][a-z0-9._-]{0,14}$/);
const typeArb = fc.constantFrom<RouteType>('unicast', 'local', 'broadcast', 'multicast', 'anycast', 'blackhole', 'unreachable', 'prohibit', 'throw', 'nat');

function routeArb(family: 4 | 6): fc.Arbitrary<Route> {
  const addr = family === 4 ? v4Arb : v6Arb;
  const max = family === 4 ? 32 : 128;
  const hop = fc.record(
    { gateway: addr, dev: devArb, weight: fc.integer({ min: 1, max: 256 }), flags: fc.subarray(['onlink', 'dead', 'linkdown'], { minLength: 1 }) },
    { requiredKeys: [] },
  );
  return fc
    .record(
      {
        type: typeArb,
        dst: fc.tuple(addr, fc.integer({ min: 0, max })).map(([a, l]) => {
          const p = parsePrefix(`${a}/${l}`);
          return p === null ? (family === 4 ? '0.0.0.0/0' : '::/0') : formatPrefix(p);
        }),
        table: fc.oneof(fc.constantFrom('main', 'local', 'default'), fc.integer({ min: 1, max: 252 }).map(String), fc.integer({ min: 256, max: 2 ** 31 }).map(String)),
        gateway: addr,
        dev: devArb,
        protocol: fc.constantFrom('kernel', 'boot', 'static', 'bird', 'dhcp', 'ra', '42'),
        scope: fc.constantFrom('link', 'host', 'global', 'universe', '253'),
        prefsrc: addr,
        metric: fc.integer({ min: 0, max: 0xffffffff }),
        flags: fc.subarray(['onlink', 'linkdown', 'dead', 'pervasive'], { minLength: 1 }),
        nexthops: fc.array(hop, { minLength: 1, maxLength: 4 }),
        mtu: fc.integer({ min: 68, max: 65535 }),
      },
      { requiredKeys: ['type', 'dst', 'table'] },
    )
    .map((r) => ({ family, ...r }));
}

/** Prints a route as `ip route show table all` does (bare host addresses, `default`, `table` unless main, nexthops on their own lines). */
function printRoute(r: Route, bareHost: boolean): string[] {
  const p = parsePrefix(r.dst);
  const words: string[] = [];
  if (r.type !== 'unicast') words.push(r.type);
  if (p !== null && p.length === 0) words.push('default');
  else if (p !== null && bareHost && p.length === (p.family === 4 ? 32 : 128)) words.push(p.network);
  else words.push(r.dst);
  if (r.gateway !== undefined) words.push('via', r.gateway);
  if (r.dev !== undefined) words.push('dev', r.dev);
  if (r.table !== 'main') words.push('table', r.table);
  if (r.protocol !== undefined) words.push('proto', r.protocol);
  if (r.scope !== undefined) words.push('scope', r.scope);
  if (r.prefsrc !== undefined) words.push('src', r.prefsrc);
  if (r.metric !== undefined) words.push('metric', String(r.metric));
  for (const f of r.flags ?? []) words.push(f);
  if (r.mtu !== undefined) words.push('mtu', String(r.mtu));
  if (r.family === 6) words.push('pref', 'medium');
  const lines = [words.join(' ') + ' '];
  for (const h of r.nexthops ?? []) {
    const hw = ['nexthop'];
    if (h.gateway !== undefined) hw.push('via', h.gateway);
    if (h.dev !== undefined) hw.push('dev', h.dev);
    if (h.weight !== undefined) hw.push('weight', String(h.weight));
    for (const f of h.flags ?? []) hw.push(f);
    lines.push('\t' + hw.join(' ') + ' ');
  }
  return lines;
}

describe('ip route text round trip', () => {
  it('parses back every route printed as ip route prints it', () => {
    fc.assert(
      fc.property(fc.oneof(routeArb(4), routeArb(6)), fc.boolean(), (route, bareHost) => {
        const out = ip.parseIpRouteText(printRoute(route, bareHost), 1, { family: route.family });
        expect(out.skipped).toEqual([]);
        expect(out.warnings).toEqual([]);
        expect(out.items).toEqual([route]);
      }),
      { numRuns: 1000 },
    );
  });

  it('parses back a whole table of routes in order, with the right line numbers for injected junk', () => {
    fc.assert(
      fc.property(fc.array(routeArb(4), { maxLength: 20 }), fc.nat({ max: 20 }), (routes, junkAt) => {
        const lines = routes.flatMap((r) => printRoute(r, true));
        const at = Math.min(junkAt, lines.length);
        // Junk goes before a route line, never between a multipath route and its nexthops.
        const insertAt = lines.findIndex((l, i) => i >= at && !l.startsWith('\t'));
        const pos = insertAt < 0 ? lines.length : insertAt;
        lines.splice(pos, 0, 'this is not a route');
        const out = ip.parseIpRouteText(lines, 100);
        expect(out.items).toEqual(routes);
        expect(out.skipped.map((s) => s.startLine)).toEqual([100 + pos]);
      }),
      { numRuns: 300 },
    );
  });
});

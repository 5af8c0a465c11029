import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { numberToIpv4, parsePrefix, prefixContains } from '../net/ip';
import type { Route, Rule } from '../snapshot/schema';
import { indexTopology } from '../topology/topologyIndex';
import type { Topology } from '../topology/types';
import { formatRoute } from './format';
import { checkGateway, lookupRoute, lookupTable, reversePathCheck, selectSource, synthesizeLocalTable } from './routeLookup';
import { TopoBuilder, route, type NetnsSpec } from './testTopology';

function oneNetns(routes: string[], opts: { rules?: Rule[]; tables?: Record<string, string[]>; addresses?: Record<string, string[]>; known?: NetnsSpec["known"] } = {}): { t: Topology; nsId: string } {
  const b = new TopoBuilder().node('n', ['10.0.0.5']);
  b.netns('n', 'host', { routes, rules: opts.rules, tables: opts.tables, known: opts.known });
  const addrs = opts.addresses ?? { lo: ['127.0.0.1/8'], eth0: ['10.0.0.5/24'], eth1: ['192.168.1.5/24'] };
  for (const [name, a] of Object.entries(addrs)) b.iface('n', 'host', name, { addresses: a });
  return { t: b.build(), nsId: 'n/host' };
}

function look(t: Topology, nsId: string, dst: string, extra: { src?: string; iif?: string } = {}) {
  const idx = indexTopology(t);
  return lookupRoute(idx, idx.netns(nsId)!, { dst, ...extra });
}

function routeText(r: ReturnType<typeof look>): string {
  return r.kind === 'route' ? formatRoute(r.route) : r.kind;
}

const rule = (priority: number, parts: Partial<Rule>): Rule => ({ family: 4, priority, action: 'lookup', ...parts });

describe('lookupRoute: longest prefix and metric', () => {
  it('prefers the longest matching prefix over a shorter one and the default', () => {
    const { t, nsId } = oneNetns(['default via 10.0.0.1 dev eth0', '10.244.0.0/16 via 10.0.0.2 dev eth0', '10.244.2.0/24 via 10.0.0.3 dev eth0']);
    expect(routeText(look(t, nsId, '10.244.2.9'))).toBe('10.244.2.0/24 via 10.0.0.3 dev eth0');
    expect(routeText(look(t, nsId, '10.244.9.9'))).toBe('10.244.0.0/16 via 10.0.0.2 dev eth0');
    expect(routeText(look(t, nsId, '8.8.8.8'))).toBe('default via 10.0.0.1 dev eth0');
  });

  it('breaks a tie between equal prefixes by the lowest metric, whatever the listed order', () => {
    const { t, nsId } = oneNetns(['default via 10.0.0.1 dev eth0 metric 200', 'default via 192.168.1.1 dev eth1 metric 100']);
    const r = look(t, nsId, '1.1.1.1');
    expect(r.kind === 'route' && r.gateway).toBe('192.168.1.1');
  });

  it('reports no-route when nothing covers the destination', () => {
    const { t, nsId } = oneNetns(['10.0.0.0/24 dev eth0 scope link']);
    const r = look(t, nsId, '8.8.8.8');
    expect(r.kind).toBe('no-route');
    expect(r.kind === 'no-route' && r.tables).toEqual(['local', 'main', 'default']);
  });

  it('follows the first ECMP next hop and says so', () => {
    const { t, nsId } = oneNetns(['10.70.0.0/16 nexthop via 10.0.0.1 dev eth0 weight 1 nexthop via 10.0.0.2 dev eth0 weight 2']);
    const r = look(t, nsId, '10.70.1.1');
    expect(r.kind).toBe('route');
    if (r.kind !== 'route') return;
    expect(r.gateway).toBe('10.0.0.1');
    expect(r.ecmp).toBe(2);
    expect(r.notes.join(' ')).toMatch(/ECMP.*first/);
  });
});

describe('lookupRoute: local table', () => {
  it('synthesises the local table from addresses when the evidence only has main, and says so', () => {
    const { t, nsId } = oneNetns(['default via 10.0.0.1 dev eth0']);
    const r = look(t, nsId, '10.0.0.5');
    expect(r.kind).toBe('route');
    if (r.kind !== 'route') return;
    expect(r.route.type).toBe('local');
    expect(r.table).toBe('local');
    expect(r.synthesized).toBe(true);
    expect(formatRoute(r.route)).toBe('local 10.0.0.5 dev eth0 table local proto kernel scope host src 10.0.0.5');
    expect(r.notes.join(' ')).toMatch(/local table is not in the evidence/);
  });

  it('adds broadcast routes and 127.0.0.0/8 like fib_add_ifaddr', () => {
    const b = new TopoBuilder().node('n', []).netns('n', 'host');
    b.iface('n', 'host', 'lo', { addresses: ['127.0.0.1/8'] }).iface('n', 'host', 'cni0', { kind: 'bridge', addresses: ['10.244.1.1/24'] });
    const texts = synthesizeLocalTable(b.interfaces).map(formatRoute);
    expect(texts).toContain('local 127.0.0.0/8 dev lo table local proto kernel scope host src 127.0.0.1');
    expect(texts).toContain('broadcast 10.244.1.255 dev cni0 table local proto kernel scope link src 10.244.1.1');
    expect(texts).toContain('local 10.244.1.1 dev cni0 table local proto kernel scope host src 10.244.1.1');
  });

  it('uses the evidence local table when present instead of synthesising one', () => {
    const { t, nsId } = oneNetns(['default via 10.0.0.1 dev eth0'], { tables: { local: ['local 10.0.0.77 dev eth0 proto kernel scope host src 10.0.0.77'] } });
    const own = look(t, nsId, '10.0.0.5');
    // 10.0.0.5 is on eth0 but not in the captured local table: the captured table wins.
    expect(own.kind === 'route' && own.route.type).toBe('unicast');
    const other = look(t, nsId, '10.0.0.77');
    expect(other.kind === 'route' && other.synthesized).toBe(false);
    expect(other.kind === 'route' && other.route.type).toBe('local');
  });

  it('checks the local table before main (rule 0), so a main route cannot shadow a local address', () => {
    const { t, nsId } = oneNetns(['10.0.0.5 via 10.0.0.1 dev eth0 onlink']);
    expect(look(t, nsId, '10.0.0.5').kind === 'route' && (look(t, nsId, '10.0.0.5') as { route: Route }).route.type).toBe('local');
  });
});

describe('lookupRoute: policy rules', () => {
  const base = [rule(0, { table: 'local' }), rule(32766, { table: 'main' }), rule(32767, { table: 'default' })];
  const tables = { '200': ['default via 192.168.1.1 dev eth1'], '5': ['default via 192.168.1.9 dev eth1'] };

  it('selects a table by `from` prefix', () => {
    const rules = [...base, rule(100, { src: '10.244.1.0/24', table: '200' })];
    const { t, nsId } = oneNetns(['default via 10.0.0.1 dev eth0'], { rules, tables });
    const hit = look(t, nsId, '8.8.8.8', { src: '10.244.1.7' });
    expect(hit.kind === 'route' && hit.gateway).toBe('192.168.1.1');
    expect(hit.kind === 'route' && hit.table).toBe('200');
    expect(hit.kind === 'route' && hit.rule?.priority).toBe(100);
    const miss = look(t, nsId, '8.8.8.8', { src: '10.9.9.9' });
    expect(miss.kind === 'route' && miss.gateway).toBe('10.0.0.1');
  });

  it('selects a table by `to` prefix', () => {
    const rules = [...base, rule(99, { dst: '10.96.0.0/12', table: '5' })];
    const { t, nsId } = oneNetns(['default via 10.0.0.1 dev eth0'], { rules, tables });
    expect((look(t, nsId, '10.96.0.10') as { gateway?: string }).gateway).toBe('192.168.1.9');
    expect((look(t, nsId, '10.128.0.1') as { gateway?: string }).gateway).toBe('10.0.0.1');
  });

  it('inverts a selector with `not`', () => {
    const rules = [...base, rule(100, { src: '10.244.0.0/16', not: true, table: '200' })];
    const { t, nsId } = oneNetns(['default via 10.0.0.1 dev eth0'], { rules, tables });
    expect((look(t, nsId, '8.8.8.8', { src: '172.16.0.1' }) as { gateway?: string }).gateway).toBe('192.168.1.1');
    expect((look(t, nsId, '8.8.8.8', { src: '10.244.3.3' }) as { gateway?: string }).gateway).toBe('10.0.0.1');
  });

  it('matches `iif` against the incoming device, and locally generated packets as iif lo', () => {
    const rules = [...base, rule(100, { iif: 'cni0', table: '200' }), rule(101, { iif: 'lo', table: '5' })];
    const { t, nsId } = oneNetns(['default via 10.0.0.1 dev eth0'], { rules, tables });
    expect((look(t, nsId, '8.8.8.8', { iif: 'cni0' }) as { gateway?: string }).gateway).toBe('192.168.1.1');
    expect((look(t, nsId, '8.8.8.8') as { gateway?: string }).gateway).toBe('192.168.1.9');
    expect((look(t, nsId, '8.8.8.8', { iif: 'eth0' }) as { gateway?: string }).gateway).toBe('10.0.0.1');
  });

  it('treats `not fwmark` as matching the unmarked packets podnet traces', () => {
    const rules = [...base, rule(101, { fwmark: '0x1/0x1', not: true, table: '200' })];
    const { t, nsId } = oneNetns(['default via 10.0.0.1 dev eth0'], { rules, tables });
    expect((look(t, nsId, '8.8.8.8') as { gateway?: string }).gateway).toBe('192.168.1.1');
  });

  it('stops at a rule action (unreachable) for matching packets only', () => {
    const rules = [...base, rule(200, { iif: 'eth1', action: 'unreachable' })];
    const { t, nsId } = oneNetns(['default via 10.0.0.1 dev eth0'], { rules });
    const r = look(t, nsId, '8.8.8.8', { iif: 'eth1' });
    expect(r.kind).toBe('rule-action');
    expect(r.kind === 'rule-action' && r.action).toBe('unreachable');
    expect(look(t, nsId, '8.8.8.8', { iif: 'eth0' }).kind).toBe('route');
  });

  it('jumps forward with goto, skipping the rules in between', () => {
    const rules = [...base, rule(10, { action: 'goto', goto: 300 }), rule(20, { table: '200' }), rule(300, { table: '5' })];
    const { t, nsId } = oneNetns(['default via 10.0.0.1 dev eth0'], { rules, tables });
    expect((look(t, nsId, '8.8.8.8') as { gateway?: string }).gateway).toBe('192.168.1.9');
  });

  it('lets a throw route fall through to the next rule', () => {
    const rules = [...base, rule(100, { table: '200' })];
    const { t, nsId } = oneNetns(['10.60.0.0/16 via 10.0.0.9 dev eth0'], {
      rules,
      tables: { '200': ['throw 10.60.0.0/16', 'default via 192.168.1.1 dev eth1'] },
    });
    const r = look(t, nsId, '10.60.1.1');
    expect(r.kind === 'route' && r.gateway).toBe('10.0.0.9');
    expect(r.kind === 'route' && r.notes.join(' ')).toMatch(/throw/);
  });

  it('uses the kernel default rules when the evidence has none', () => {
    const { t, nsId } = oneNetns(['default via 10.0.0.1 dev eth0'], { tables: { default: ['10.1.0.0/16 via 10.0.0.4 dev eth0'] } });
    // Table `default` (rule 32767) is consulted after main misses nothing here, so main's default wins.
    expect((look(t, nsId, '10.1.2.3') as { gateway?: string }).gateway).toBe('10.0.0.1');
  });
});

describe('lookupRoute: route types', () => {
  it('returns blackhole, unreachable and prohibit routes for the caller to drop', () => {
    const { t, nsId } = oneNetns(['blackhole 10.244.7.64/26 proto bird', 'unreachable 10.0.9.0/24', 'prohibit 10.50.0.0/16', 'default via 10.0.0.1 dev eth0']);
    expect(routeText(look(t, nsId, '10.244.7.70'))).toBe('blackhole 10.244.7.64/26 proto bird');
    expect(routeText(look(t, nsId, '10.0.9.1'))).toBe('unreachable 10.0.9.0/24');
    expect(routeText(look(t, nsId, '10.50.1.1'))).toBe('prohibit 10.50.0.0/16');
  });
});

describe('checkGateway', () => {
  it('accepts an onlink gateway without a covering subnet', () => {
    const { t, nsId } = oneNetns(['10.244.2.0/24 via 10.244.2.0 dev flannel.1 onlink'], { addresses: { 'flannel.1': ['10.244.1.0/32'] } });
    const idx = indexTopology(t);
    expect(checkGateway(idx, idx.netns(nsId)!, route('10.244.2.0/24 via 10.244.2.0 dev flannel.1 onlink'), '10.244.2.0', 'flannel.1')).toBe('onlink');
  });

  it('accepts a gateway on the subnet of the device address or of a scope-link route', () => {
    const { t, nsId } = oneNetns(['default via 169.254.1.1 dev eth0', '169.254.1.1 dev eth0 scope link'], { addresses: { eth0: ['10.244.7.65/32'] } });
    const idx = indexTopology(t);
    const ns = idx.netns(nsId)!;
    expect(checkGateway(idx, ns, route('default via 169.254.1.1 dev eth0'), '169.254.1.1', 'eth0')).toBe('connected');
  });

  it('rejects a non-onlink gateway on no subnet of the device when the evidence is complete', () => {
    const { t, nsId } = oneNetns(['10.9.0.0/16 via 172.16.0.1 dev eth0']);
    const idx = indexTopology(t);
    expect(checkGateway(idx, idx.netns(nsId)!, route('10.9.0.0/16 via 172.16.0.1 dev eth0'), '172.16.0.1', 'eth0')).toBe('not-connected');
  });

  it('says unknown instead of not-connected when the addresses are not in the evidence', () => {
    const { t, nsId } = oneNetns(['10.9.0.0/16 via 172.16.0.1 dev eth0'], { known: ['links', 'routes'] });
    const idx = indexTopology(t);
    expect(checkGateway(idx, idx.netns(nsId)!, route('10.9.0.0/16 via 172.16.0.1 dev eth0'), '172.16.0.1', 'eth0')).toBe('unknown');
  });
});

describe('selectSource', () => {
  it('uses the route src when it has one', () => {
    const { t, nsId } = oneNetns(['10.244.1.0/24 dev cni0 proto kernel scope link src 10.244.1.1'], { addresses: { cni0: ['10.244.1.1/24'], eth0: ['10.0.0.5/24'] } });
    const idx = indexTopology(t);
    expect(selectSource(idx, idx.netns(nsId)!, '10.244.1.2')?.ip).toBe('10.244.1.1');
  });

  it('uses the primary address of the outgoing device otherwise', () => {
    const { t, nsId } = oneNetns(['10.244.1.0/24 via 10.244.1.0 dev flannel.1 onlink'], { addresses: { lo: ['127.0.0.1/8'], eth0: ['30.0.1.161/24'], 'flannel.1': ['10.244.2.0/32'] } });
    const idx = indexTopology(t);
    expect(selectSource(idx, idx.netns(nsId)!, '10.244.1.2')?.ip).toBe('10.244.2.0');
  });

  it('falls back to the first global address of the namespace, skipping loopback, when the device has none (Calico cali*)', () => {
    const { t, nsId } = oneNetns(['10.244.7.65 dev calia1 scope link'], { addresses: { lo: ['127.0.0.1/8'], eth0: ['192.168.50.11/24'], calia1: [], tunl0: ['10.244.7.64/32'] } });
    const idx = indexTopology(t);
    expect(selectSource(idx, idx.netns(nsId)!, '10.244.7.65')?.ip).toBe('192.168.50.11');
  });
});

describe('reversePathCheck', () => {
  it('passes in strict mode only when the route back leaves by the arrival interface', () => {
    const { t, nsId } = oneNetns(['default via 10.0.0.1 dev eth0', '192.168.1.0/24 dev eth1 scope link']);
    const idx = indexTopology(t);
    const ns = idx.netns(nsId)!;
    expect(reversePathCheck(idx, ns, '192.168.1.77', '10.0.0.5', 'eth1', 1).ok).toBe(true);
    expect(reversePathCheck(idx, ns, '192.168.1.77', '10.0.0.5', 'eth0', 1).ok).toBe(false);
    expect(reversePathCheck(idx, ns, '192.168.1.77', '10.0.0.5', 'eth0', 2).ok).toBe(true);
  });
});

describe('lookupTable agrees with a brute-force longest-prefix match', () => {
  const arbRoute = fc.record({
    net: fc.integer({ min: 0, max: 0xffffffff }),
    len: fc.integer({ min: 0, max: 32 }),
    metric: fc.integer({ min: 0, max: 3 }),
  });
  it('on random tables and destinations', () => {
    fc.assert(
      fc.property(fc.array(arbRoute, { minLength: 0, maxLength: 40 }), fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 1, maxLength: 20 }), (specs, dsts) => {
        // Bias destinations into the routes' networks so that long prefixes get hit.
        const lines = specs.map((s, i) => `${numberToIpv4(s.net)}/${s.len} via 10.0.0.${(i % 250) + 1} dev eth0 metric ${s.metric}`);
        const { t, nsId } = oneNetns(lines);
        const idx = indexTopology(t);
        const ns = idx.netns(nsId)!;
        const probes = [...dsts.map(numberToIpv4), ...specs.map((s) => numberToIpv4(s.net))];
        for (const dst of probes) {
          const got = lookupTable(idx, ns, 'main', dst);
          let best: Route | undefined;
          let bestLen = -1;
          for (const r of ns.routes) {
            const p = parsePrefix(r.dst)!;
            if (!prefixContains(p, dst)) continue;
            if (p.length > bestLen || (p.length === bestLen && (r.metric ?? 0) < (best?.metric ?? 0))) {
              best = r;
              bestLen = p.length;
            }
          }
          expect(got).toBe(best);
        }
      }),
      { numRuns: 200 },
    );
  });
});

import { describe, it, expect } from 'vitest';
import type { Route } from '../../snapshot/schema';
import { parseIpRouteText } from './ipRouteText';
import { fixtureLines, fixtureSlice } from './fixtures/load';

const one = (line: string, opts?: Parameters<typeof parseIpRouteText>[2]): Route => {
  const r = parseIpRouteText([line], 1, opts);
  expect(r.skipped).toEqual([]);
  const [route, ...rest] = r.items;
  if (route === undefined || rest.length > 0) throw new Error(`expected one route from ${line}`);
  return route;
};

describe('parseIpRouteText on the real capture', () => {
  it('reads the pod routes, including a double space before src', () => {
    const [lines, first] = fixtureSlice('captures/cni0-host-routes-single-node.txt', 30, 32);
    const r = parseIpRouteText(lines, first);
    expect(r.skipped).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.items).toEqual([
      { family: 4, table: 'main', type: 'unicast', dst: '0.0.0.0/0', gateway: '172.22.0.1', dev: 'eth0' },
      { family: 4, table: 'main', type: 'unicast', dst: '172.22.0.0/24', dev: 'eth0', scope: 'link', prefsrc: '172.22.0.253' },
      { family: 4, table: 'main', type: 'unicast', dst: '172.22.0.0/16', gateway: '172.22.0.1', dev: 'eth0' },
    ]);
  });

  it('reads the host routes: static default with metric, kernel subnet route, route to another node', () => {
    const [lines, first] = fixtureSlice('captures/cni0-host-routes-single-node.txt', 44, 47);
    const r = parseIpRouteText(lines, first);
    expect(r.items).toEqual([
      { family: 4, table: 'main', type: 'unicast', dst: '0.0.0.0/0', gateway: '10.30.180.254', dev: 'eth0', protocol: 'static', metric: 100 },
      { family: 4, table: 'main', type: 'unicast', dst: '10.30.180.0/24', dev: 'eth0', protocol: 'kernel', scope: 'link', prefsrc: '10.30.180.56', metric: 100 },
      { family: 4, table: 'main', type: 'unicast', dst: '172.22.0.0/24', dev: 'cni0', protocol: 'kernel', scope: 'link', prefsrc: '172.22.0.1' },
      { family: 4, table: 'main', type: 'unicast', dst: '172.22.1.0/24', gateway: '10.30.180.55', dev: 'eth0' },
    ]);
  });
});

describe('parseIpRouteText on kernel lab output', () => {
  it('reads ip route show table all: every table, type and multipath route', () => {
    const r = parseIpRouteText(fixtureLines('lab/host-ip-route-table-all.txt'), 1);
    expect(r.skipped).toEqual([]);
    expect(r.warnings).toEqual([]);
    const byDst = (dst: string, table = 'main') => r.items.find((x) => x.dst === dst && x.table === table);
    expect(byDst('10.60.0.0/16', '200')).toEqual({ family: 4, table: '200', type: 'throw', dst: '10.60.0.0/16' });
    expect(byDst('10.70.0.0/16', '200')?.nexthops).toEqual([
      { gateway: '30.0.1.1', dev: 'ens3', weight: 1 },
      { gateway: '30.0.1.2', dev: 'ens3', weight: 2 },
    ]);
    expect(byDst('10.244.2.0/24')).toMatchObject({ gateway: '10.244.2.0', dev: 'flannel.1', flags: ['onlink'] });
    expect(byDst('10.244.7.64/26')).toMatchObject({ type: 'blackhole', protocol: 'bird' });
    expect(byDst('10.0.0.0/8')?.type).toBe('unreachable');
    expect(byDst('10.50.0.0/16')?.type).toBe('prohibit');
    expect(byDst('10.244.7.65/32')).toMatchObject({ dev: 'veth2a', scope: 'link' });
    expect(byDst('10.244.1.1/32', 'local')).toMatchObject({ type: 'local', dev: 'cni0', scope: 'host', prefsrc: '10.244.1.1' });
    expect(byDst('10.244.1.255/32', 'local')?.type).toBe('broadcast');
    expect(r.items.filter((x) => x.family === 6)).toHaveLength(25);
    expect(byDst('ff00::/8', 'local')).toMatchObject({ type: 'multicast', family: 6 });
    expect(byDst('::1/128', 'local')).toMatchObject({ type: 'local', family: 6, metric: 0, dev: 'lo' });
    expect(byDst('fd01::/64')).toMatchObject({ gateway: 'fd00::2', metric: 1024 });
  });

  it('takes the table from opts when ip route show table N omits it', () => {
    const r = parseIpRouteText(fixtureLines('lab/host-ip-route-table-200.txt'), 1, { table: '200' });
    expect(r.items.map((x) => [x.dst, x.table, x.type])).toEqual([
      ['10.60.0.0/16', '200', 'throw'],
      ['10.70.0.0/16', '200', 'unicast'],
    ]);
  });

  it('takes the device from opts when ip route show dev X omits it', () => {
    const r = parseIpRouteText(fixtureLines('lab/host-ip-route-dev-ens3.txt'), 1, { dev: 'ens3' });
    expect(r.items.map((x) => x.dev)).toEqual(['ens3', 'ens3', 'ens3', 'ens3']);
    expect(r.items[0]).toMatchObject({ dst: '0.0.0.0/0', gateway: '30.0.1.254' });
  });
});

describe('parseIpRouteText route forms', () => {
  it('reads the VXLAN route to another node with onlink', () => {
    expect(one('10.244.2.0/24 via 10.244.2.0 dev flannel.1 onlink')).toEqual({
      family: 4,
      table: 'main',
      type: 'unicast',
      dst: '10.244.2.0/24',
      gateway: '10.244.2.0',
      dev: 'flannel.1',
      flags: ['onlink'],
    });
  });

  it('reads blackhole, unreachable, prohibit and throw routes without a device', () => {
    expect(one('blackhole 10.244.7.64/26 proto bird')).toEqual({ family: 4, table: 'main', type: 'blackhole', dst: '10.244.7.64/26', protocol: 'bird' });
    expect(one('unreachable 10.0.0.0/8').type).toBe('unreachable');
    expect(one('prohibit 10.1.0.0/16 metric 5')).toMatchObject({ type: 'prohibit', metric: 5 });
    expect(one('throw 10.2.0.0/16').type).toBe('throw');
  });

  it('reads local and broadcast routes of table local as host prefixes', () => {
    expect(one('local 10.0.0.1 dev eth0 table local proto kernel scope host src 10.0.0.1')).toEqual({
      family: 4,
      table: 'local',
      type: 'local',
      dst: '10.0.0.1/32',
      dev: 'eth0',
      protocol: 'kernel',
      scope: 'host',
      prefsrc: '10.0.0.1',
    });
    expect(one('broadcast 10.0.0.255 dev eth0 table local proto kernel scope link src 10.0.0.1')).toMatchObject({
      type: 'broadcast',
      dst: '10.0.0.255/32',
    });
  });

  it('keeps linkdown as a flag', () => {
    expect(one('10.1.0.0/16 dev eth0 scope link linkdown')).toMatchObject({ flags: ['linkdown'], scope: 'link' });
  });

  it('reads IPv6 routes and reads default as ::/0 for ip -6 route', () => {
    expect(one('fe80::/64 dev eth0 proto kernel metric 256 pref medium')).toEqual({
      family: 6,
      table: 'main',
      type: 'unicast',
      dst: 'fe80::/64',
      dev: 'eth0',
      protocol: 'kernel',
      metric: 256,
    });
    expect(one('local ::1 dev lo table local proto kernel metric 0 pref medium')).toMatchObject({ dst: '::1/128', family: 6, table: 'local' });
    expect(one('multicast ff00::/8 dev eth0 table local proto kernel metric 256 pref medium').type).toBe('multicast');
    expect(one('default via fe80::1 dev eth0 proto ra metric 1024 expires 1797sec hoplimit 64 pref medium', { family: 6 })).toMatchObject({
      dst: '::/0',
      family: 6,
      gateway: 'fe80::1',
    });
  });

  it('infers the family of default from the gateway when no option says', () => {
    expect(one('default via fe80::1 dev eth0 metric 1024')).toMatchObject({ dst: '::/0', family: 6 });
    expect(one('default dev wg0 scope link')).toMatchObject({ dst: '0.0.0.0/0', family: 4 });
  });

  it('reads a multipath route whose nexthops are on the following lines', () => {
    const r = parseIpRouteText(['default proto bird metric 20', '\tnexthop via 1.1.1.1 dev eth0 weight 1', '\tnexthop via 1.1.1.2 dev eth1 weight 1 onlink', '10.0.0.0/8 dev eth2'], 1);
    expect(r.items).toHaveLength(2);
    expect(r.items[0]).toEqual({
      family: 4,
      table: 'main',
      type: 'unicast',
      dst: '0.0.0.0/0',
      protocol: 'bird',
      metric: 20,
      nexthops: [
        { gateway: '1.1.1.1', dev: 'eth0', weight: 1 },
        { gateway: '1.1.1.2', dev: 'eth1', weight: 1, flags: ['onlink'] },
      ],
    });
    expect(r.items[1]?.nexthops).toBeUndefined();
  });

  it('reads nexthops given on one line, and nexthop lines whose indentation was lost', () => {
    const inline = one('default proto bird metric 20 nexthop via 1.1.1.1 dev eth0 weight 1 nexthop via 1.1.1.2 dev eth1 weight 2');
    expect(inline.nexthops).toEqual([
      { gateway: '1.1.1.1', dev: 'eth0', weight: 1 },
      { gateway: '1.1.1.2', dev: 'eth1', weight: 2 },
    ]);
    const flat = parseIpRouteText(['default proto bird metric 20', 'nexthop via 1.1.1.1 dev eth0 weight 1'], 1);
    expect(flat.items[0]?.nexthops).toEqual([{ gateway: '1.1.1.1', dev: 'eth0', weight: 1 }]);
  });

  it('reads routes with nhid and a via with an address family', () => {
    expect(one('10.0.0.0/24 nhid 5 via 10.1.1.1 dev eth0 proto static')).toMatchObject({ gateway: '10.1.1.1', dev: 'eth0' });
    expect(one('10.9.0.0/16 via inet6 fe80::1 dev eth0')).toMatchObject({ family: 4, gateway: 'fe80::1', dst: '10.9.0.0/16' });
  });

  it('reads mtu and mtu lock', () => {
    expect(one('10.0.0.0/24 dev eth0 mtu 1400').mtu).toBe(1400);
    expect(one('10.0.0.0/24 dev eth0 mtu lock 1300').mtu).toBe(1300);
  });

  it('normalises the kernel table ids 254/255 to main/local', () => {
    expect(one('10.0.0.0/24 dev eth0 table 254').table).toBe('main');
    expect(one('local 10.0.0.1 dev eth0 table 255').table).toBe('local');
  });

  it('warns about words it does not know, and still keeps the route', () => {
    const r = parseIpRouteText(['10.0.0.0/24 dev eth0 frobnicate'], 7);
    expect(r.items).toHaveLength(1);
    expect(r.warnings).toEqual([{ line: 7, message: 'route 10.0.0.0/24: ignored "frobnicate"' }]);
  });

  it('skips what is not a route, with line numbers and reasons', () => {
    const r = parseIpRouteText(['Error: ipv4: FIB table does not exist.', 'NAME READY STATUS', '  nexthop via 1.1.1.1', '10.0.0.0/33 dev eth0', '10.0.0.0/8 via nonsense dev eth0'], 3);
    expect(r.items).toEqual([]);
    expect(r.skipped.map((s) => [s.startLine, s.reason])).toEqual([
      [3, 'error message, not a route'],
      [4, 'not a route: expected "default" or a destination prefix like 10.244.1.0/24'],
      [5, 'nexthop line without a route before it'],
      [6, 'destination 10.0.0.0/33 is not a valid prefix'],
      [7, 'unreadable gateway "nonsense" after via'],
    ]);
  });

  it('reads CRLF and tab-separated pastes the same as clean output', () => {
    const r = parseIpRouteText(['default\tvia 10.0.0.1  dev eth0 \r', '   10.0.0.0/24 dev eth0   proto kernel scope link src 10.0.0.5\r'], 1);
    expect(r.skipped).toEqual([]);
    expect(r.items.map((x) => x.dst)).toEqual(['0.0.0.0/0', '10.0.0.0/24']);
    expect(r.items[1]?.prefsrc).toBe('10.0.0.5');
  });
});

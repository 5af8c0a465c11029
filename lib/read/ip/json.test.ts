import { describe, it, expect } from 'vitest';
import { readIpAddrJson, readIpLinkJson } from './ipLinkJson';
import { readIpRouteJson } from './ipRouteJson';
import { readIpRuleJson } from './ipRuleJson';
import { readIpNeighJson } from './ipNeighJson';
import { readBridgeFdbJson } from './bridgeFdbJson';
import { readNetnsListIdJson } from './netnsJson';
import { fixtureJson } from './fixtures/load';

describe('readIpLinkJson', () => {
  it('reads ip -j -d link from the kernel lab: kinds, veth peers by netns id, VXLAN info, proxy_arp', () => {
    const r = readIpLinkJson(fixtureJson('lab/host-json-d-link.json'));
    expect(r.skipped).toEqual([]);
    expect(r.warnings).toEqual([]);
    const by = (n: string) => r.items.find((l) => l.name === n);
    expect(by('lo')?.kind).toBe('loopback');
    expect(by('cni0')?.kind).toBe('bridge');
    expect(by('veth1a')).toMatchObject({ kind: 'veth', master: 'cni0', proxyArp: true, peer: { ifindex: 2, netnsId: 0 } });
    expect(by('veth2a')?.peer).toEqual({ ifindex: 2, netnsId: 1 });
    // Same-namespace peer: JSON gives the name in "link"; it resolves to the ifindex.
    expect(by('ens3')?.peer).toEqual({ ifindex: 5 });
    expect(by('flannel.1')?.vxlan).toEqual({ id: 1, local: '30.0.1.160', dev: 'ens3', port: 8472, learning: false });
    expect(by('vxlan0')?.vxlan).toEqual({ id: 42, remote: '30.0.1.161', port: 4789, learning: true });
  });

  it('reads a pod eth0 whose peer is in netns id 0', () => {
    const r = readIpLinkJson(fixtureJson('lab/pod-json-d-link.json'));
    expect(r.items[1]).toMatchObject({ name: 'eth0', ifindex: 2, kind: 'veth', peer: { ifindex: 3, netnsId: 0 }, mac: 'f6:a2:31:a6:6e:c5' });
  });

  it('without -d: link_index still marks a veth end, a NIC stays kind-less', () => {
    const r = readIpLinkJson(fixtureJson('lab/host-json-link.json'));
    const by = (n: string) => r.items.find((l) => l.name === n);
    expect(by('veth1a')).toMatchObject({ kind: 'veth', peer: { ifindex: 2, netnsId: 0 } });
    expect(by('cni0')?.kind).toBeUndefined();
    expect(by('ens3')?.kind).toBeUndefined();
  });

  it('resolves an older iproute2 numeric VXLAN underlay ifindex to a name, and warns when it cannot', () => {
    const doc = [
      { ifindex: 2, ifname: 'ens3', link_type: 'ether', address: 'aa:bb:cc:dd:ee:01' },
      { ifindex: 7, ifname: 'flannel.1', link_type: 'ether', linkinfo: { info_kind: 'vxlan', info_data: { id: 1, local: '30.0.1.160', link: 2, port: 8472, learning: false, ttl: 0 } } },
      { ifindex: 8, ifname: 'vxlan.calico', linkinfo: { info_kind: 'vxlan', info_data: { id: 4096, link: 99, port: 4789 } } },
    ];
    const r = readIpLinkJson(doc);
    expect(r.items[1]?.vxlan).toEqual({ id: 1, local: '30.0.1.160', dev: 'ens3', port: 8472, learning: false });
    expect(r.items[2]?.vxlan).toEqual({ id: 4096, port: 4789 });
    expect(r.warnings).toEqual([{ message: 'vxlan.calico: VXLAN underlay device ifindex 99 is not among the links of this document' }]);
  });

  it('reads ipip and wireguard devices, and unknown kinds as other', () => {
    const r = readIpLinkJson([
      { ifindex: 5, ifname: 'tunl0', link_type: 'ipip', address: '0.0.0.0', broadcast: '0.0.0.0', linkinfo: { info_kind: 'ipip', info_data: { remote: 'any', local: '10.0.0.1', ttl: 0 } } },
      { ifindex: 6, ifname: 'flannel-wg', link_type: 'none' },
      { ifindex: 7, ifname: 'vrf0', link_type: 'ether', linkinfo: { info_kind: 'vrf', info_data: { table: 10 } } },
    ]);
    expect(r.items[0]).toMatchObject({ kind: 'ipip', tunnel: { mode: 'ipip', local: '10.0.0.1' } });
    expect(r.items[0]?.mac).toBeUndefined();
    expect(r.items[1]?.kind).toBe('wireguard');
    expect(r.items[2]).toMatchObject({ kind: 'other', infoKind: 'vrf' });
  });

  it('says which array index it skipped and why, and reports non-arrays', () => {
    const r = readIpLinkJson([{ ifname: 'eth0' }, 42, { ifindex: 3 }], { line: 12 });
    expect(r.items).toEqual([{ name: 'eth0' }]);
    expect(r.skipped).toEqual([
      { startLine: 12, endLine: 12, reason: 'item [1]: expected an object', text: '42' },
      { startLine: 12, endLine: 12, reason: 'item [2]: no usable "ifname"', text: '{"ifindex":3}' },
    ]);
    expect(readIpLinkJson({ ifname: 'eth0' }).skipped[0]?.reason).toBe('expected a JSON array (the output of ip -j link show)');
  });
});

describe('readIpAddrJson', () => {
  it('reads addresses with peer, alias label and secondary flag', () => {
    const r = readIpAddrJson(fixtureJson('lab/host-json-addr.json'));
    expect(r.skipped).toEqual([]);
    const ens3 = r.items.find((i) => i.link.name === 'ens3');
    expect(ens3?.addresses.filter((a) => a.family === 4)).toEqual([
      { ifname: 'ens3', ifindex: 6, family: 4, local: '30.0.1.160', prefixlen: 24, scope: 'global' },
      { ifname: 'ens3', ifindex: 6, family: 4, local: '10.9.9.1', peer: '10.9.9.2', prefixlen: 32, scope: 'global' },
      { ifname: 'ens3', ifindex: 6, family: 4, local: '192.168.7.1', prefixlen: 24, scope: 'global', label: 'ens3:1' },
      { ifname: 'ens3', ifindex: 6, family: 4, local: '30.0.1.170', prefixlen: 24, scope: 'global', secondary: true },
    ]);
  });

  it('ignores the empty objects ip -j -4 addr prints for filtered links', () => {
    const r = readIpAddrJson(fixtureJson('lab/host-json-4-addr.json'));
    expect(r.skipped).toEqual([]);
    expect(r.items.map((i) => i.link.name)).toEqual(['lo', 'cni0', 'ens3', 'flannel.1']);
    const r2 = readIpAddrJson([{}, { ifname: 'eth0', addr_info: [{}, { family: 'inet', local: '10.0.0.2', prefixlen: 24 }] }]);
    expect(r2.skipped).toEqual([]);
    expect(r2.items[0]?.addresses).toEqual([{ ifname: 'eth0', family: 4, local: '10.0.0.2', prefixlen: 24 }]);
  });

  it('warns about an unusable addr_info entry but keeps the link', () => {
    const r = readIpAddrJson([{ ifname: 'eth0', addr_info: [{ family: 'inet', local: 'nope' }] }]);
    expect(r.items[0]?.addresses).toEqual([]);
    expect(r.warnings[0]?.message).toMatch(/addr_info\[0\]/);
  });
});

describe('readIpRouteJson', () => {
  it('reads ip -j route show table all from the kernel lab', () => {
    const r = readIpRouteJson(fixtureJson('lab/host-json-route-table-all.json'));
    expect(r.skipped).toEqual([]);
    const find = (dst: string, table = 'main') => r.items.find((x) => x.dst === dst && x.table === table);
    expect(find('0.0.0.0/0')).toEqual({ family: 4, table: 'main', type: 'unicast', dst: '0.0.0.0/0', gateway: '30.0.1.254', dev: 'ens3', protocol: 'static', metric: 100 });
    expect(find('10.244.2.0/24')?.flags).toEqual(['onlink']);
    expect(find('10.70.0.0/16', '200')?.nexthops).toEqual([
      { gateway: '30.0.1.1', dev: 'ens3', weight: 1 },
      { gateway: '30.0.1.2', dev: 'ens3', weight: 2 },
    ]);
    expect(find('127.0.0.1/32', 'local')?.type).toBe('local');
    expect(find('::1/128', 'local')).toMatchObject({ family: 6, metric: 0 });
  });

  it('reads default as ::/0 for ip -j -6 route, and cross-family via objects', () => {
    const r = readIpRouteJson(
      [
        { dst: 'default', gateway: 'fe80::1', dev: 'eth0', metric: 1024 },
        { dst: 'default', dev: 'wg0' },
        { dst: '10.9.0.0/16', via: { family: 'inet6', host: 'fe80::1' }, dev: 'eth0', metrics: [{ mtu: 1400 }] },
      ],
      { family: 6 },
    );
    expect(r.items.map((x) => x.dst)).toEqual(['::/0', '::/0', '10.9.0.0/16']);
    expect(r.items[2]).toMatchObject({ family: 4, gateway: 'fe80::1', mtu: 1400 });
  });

  it('takes the table from opts when the key is absent, and names tables 254/255', () => {
    const r = readIpRouteJson([{ dst: '10.0.0.0/8', dev: 'eth0' }, { dst: '10.1.0.0/16', dev: 'eth0', table: 255 }], { table: '200' });
    expect(r.items.map((x) => x.table)).toEqual(['200', 'local']);
  });

  it('skips unusable routes by index', () => {
    const r = readIpRouteJson([{ dev: 'eth0' }, { dst: 'banana' }, { dst: '10.0.0.0/8', type: 'weird' }]);
    expect(r.items).toEqual([]);
    expect(r.skipped.map((s) => s.reason)).toEqual(['item [0]: no "dst"', 'item [1]: "dst" banana is not a prefix', 'item [2]: unknown route type "weird"']);
  });
});

describe('readIpRuleJson', () => {
  it('reads the kernel lab rules identically to the text form', () => {
    const r = readIpRuleJson(fixtureJson('lab/host-json-rule.json'));
    expect(r.skipped).toEqual([]);
    expect(r.items.find((x) => x.priority === 101)).toEqual({ family: 4, priority: 101, src: 'all', not: true, fwmark: '0x1/0x1', action: 'lookup', table: '100' });
    expect(r.items.find((x) => x.priority === 300)).toEqual({ family: 4, priority: 300, src: '10.1.0.0/16', action: 'goto', goto: 32766 });
    expect(r.items.find((x) => x.priority === 301)?.action).toBe('nop');
    expect(r.items.find((x) => x.priority === 302)).toEqual({ family: 4, priority: 302, src: '10.3.0.5/32', action: 'blackhole' });
  });

  it('omits a full fwmask, as text does', () => {
    const r = readIpRuleJson([{ priority: 5, src: 'all', fwmark: '0x4000', fwmask: '0xffffffff', table: 'main' }]);
    expect(r.items[0]?.fwmark).toBe('0x4000');
  });

  it('skips rules without priority or action', () => {
    const r = readIpRuleJson([{ src: 'all', table: 'main' }, { priority: 3, src: 'all' }]);
    expect(r.skipped.map((s) => s.reason)).toEqual(['item [0]: no "priority"', 'item [1]: no action (table, goto, blackhole, unreachable, prohibit, nop)']);
  });
});

describe('readIpNeighJson', () => {
  it('reads router flags printed as null and state arrays', () => {
    const r = readIpNeighJson(fixtureJson('lab/host-json-neigh.json'));
    expect(r.skipped).toEqual([]);
    expect(r.items[0]).toEqual({ dst: '30.0.1.6', dev: 'ens3', lladdr: '02:00:00:00:00:06', state: ['REACHABLE'], router: true });
    expect(r.items[1]).toEqual({ dst: '30.0.1.161', dev: 'ens3', state: ['FAILED'] });
  });
});

describe('readBridgeFdbJson', () => {
  it('reads learned entries (empty state) and VTEP entries', () => {
    const r = readBridgeFdbJson(fixtureJson('lab/host-json-bridge-fdb.json'));
    expect(r.skipped).toEqual([]);
    expect(r.items.find((e) => e.mac === 'f6:a2:31:a6:6e:c5')).toEqual({ mac: 'f6:a2:31:a6:6e:c5', dev: 'veth1a', master: 'cni0' });
    expect(r.items.find((e) => e.dev === 'flannel.1')).toEqual({ mac: '5e:1f:aa:bb:cc:dd', dev: 'flannel.1', dst: '30.0.1.161', flags: ['self'], state: 'permanent' });
  });
});

describe('readNetnsListIdJson', () => {
  it('reads ids, names and current-nsid', () => {
    expect(readNetnsListIdJson(fixtureJson('lab/host-json-netns-list-id.json')).items).toEqual([
      { nsid: 0, name: 'e1test-pod' },
      { nsid: 1, name: 'e1test-pod2' },
    ]);
    expect(readNetnsListIdJson([{ nsid: 2, 'current-nsid': 7 }, { name: 'x' }]).items).toEqual([{ nsid: 2, currentNsid: 7 }]);
  });
});

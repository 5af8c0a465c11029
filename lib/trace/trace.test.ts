import { describe, it, expect } from 'vitest';
import type { Hop, Step, Trace } from './types';
import { trace } from './trace';
import { NODE2_VTEP_MAC, TopoBuilder, calicoIpipTwoNodes, flannelTwoNodes, hostGwSingleNode } from './testTopology';

function path(t: Trace): string[] {
  return t.hops.map((h) => `${h.node}/${h.netns}/${h.interface}`);
}

function steps(h: Hop | undefined): string[] {
  return (h?.steps ?? []).map((s) => s.action);
}

function stepOf<A extends Step['action']>(t: Trace, action: A): Extract<Step, { action: A }>[] {
  return t.hops.flatMap((h) => h.steps.filter((s): s is Extract<Step, { action: A }> => s.action === action));
}

describe('trace: flannel VXLAN between two nodes (DOMAIN §3a)', () => {
  const t = trace(flannelTwoNodes().build(), 'default/client', 'default/server');

  it('delivers pod to pod across nodes', () => {
    expect(t.verdict).toBe('delivered');
    expect(t.from).toMatchObject({ ip: '10.244.1.2', pod: 'default/client', node: 'node1' });
    expect(t.to).toMatchObject({ ip: '10.244.2.2', pod: 'default/server', node: 'node2' });
  });

  it('visits one hop per device in order', () => {
    expect(path(t)).toEqual([
      'node1/cni-aaaa/eth0',
      'node1/host/veth1a',
      'node1/host/cni0',
      'node1/host/flannel.1',
      'node1/host/ens3',
      'node2/host/ens3',
      'node2/host/flannel.1',
      'node2/host/cni0',
      'node2/host/veth2a',
      'node2/cni-bbbb/eth0',
    ]);
    expect(t.hops[0]!.pod).toBe('default/client');
    expect(t.hops[1]!.pod).toBeNull();
  });

  it('quotes the matched routes as ip route prints them', () => {
    const routes = stepOf(t, 'routed').map((s) => s.route);
    expect(routes).toContain('10.244.0.0/16 via 10.244.1.1 dev eth0');
    expect(routes).toContain('10.244.2.0/24 via 10.244.2.0 dev flannel.1 onlink');
    expect(routes).toContain('10.244.2.0/24 dev cni0 proto kernel scope link src 10.244.2.1');
  });

  it('encapsulates at flannel.1 with VNI 1, UDP 8472, from local to the FDB dst', () => {
    const vtep = t.hops[3]!;
    expect(steps(vtep)).toEqual(['neighbor-resolved', 'fdb-resolved', 'encapsulated', 'routed']);
    const enc = stepOf(t, 'encapsulated')[0]!;
    expect(enc.encap).toEqual({ type: 'vxlan', vni: 1, outerSrc: '30.0.1.160', outerDst: '30.0.1.161', dstPort: 8472, overhead: 50 });
    expect(enc.outer.length).toBe(134);
    expect(stepOf(t, 'fdb-resolved')[0]!.entry).toBe(`${NODE2_VTEP_MAC} dev flannel.1 dst 30.0.1.161 self permanent`);
    expect(vtep.encap?.type).toBe('vxlan');
    // The underlay hops carry the outer packet; the remote VTEP hop holds the inner one again.
    expect(t.hops[4]!.encap?.outerDst).toBe('30.0.1.161');
    expect(t.hops[4]!.packet).toMatchObject({ src: '30.0.1.160', dst: '30.0.1.161', protocol: 17, dstPort: 8472 });
    expect(t.hops[5]!.encap).toBeDefined();
    expect(t.hops[6]!.encap).toBeUndefined();
    expect(steps(t.hops[6])).toEqual(['decapsulated', 'routed']);
  });

  it('decrements TTL once per forwarding host', () => {
    const delivered = t.hops[t.hops.length - 1]!;
    expect(delivered.packet.ttl).toBe(62);
    expect(stepOf(t, 'routed').filter((s) => s.forwarded)).toHaveLength(2);
  });

  it('predicts traceroute 10.244.1.1, 10.244.2.0, 10.244.2.2', () => {
    expect(t.traceroute).toEqual(['10.244.1.1', '10.244.2.0', '10.244.2.2']);
  });

  it('says the local table was derived from addresses', () => {
    const local = stepOf(t, 'routed').find((s) => s.table === 'local');
    expect(local?.detail).toMatch(/local table is not in the evidence/);
  });
});

describe('trace: Calico IPIP between two nodes (DOMAIN §3c)', () => {
  const t = trace(calicoIpipTwoNodes().build(), 'web', 'db');

  it('delivers through tunl0 with the outer packet addressed to the route gateway', () => {
    expect(t.verdict).toBe('delivered');
    expect(path(t)).toEqual([
      'node-a/cni-a1/eth0',
      'node-a/host/calia1b2c3d4e5f',
      'node-a/host/tunl0',
      'node-a/host/eth0',
      'node-b/host/eth0',
      'node-b/host/tunl0',
      'node-b/host/cali0f9e8d7c6b5',
      'node-b/cni-b1/eth0',
    ]);
    const enc = stepOf(t, 'encapsulated')[0]!;
    expect(enc.encap).toEqual({ type: 'ipip', outerSrc: '192.168.50.11', outerDst: '192.168.50.12', overhead: 20 });
    expect(enc.outer.protocol).toBe(4);
  });

  it('predicts traceroute: the first node address, the remote tunl0 address, the destination', () => {
    expect(t.traceroute).toEqual(['192.168.50.11', '10.244.9.0', '10.244.9.2']);
  });

  it('drops at a blackhole route for an unused address of the node block', () => {
    const r = trace(calicoIpipTwoNodes().build(), 'web', '10.244.7.99');
    expect(r.verdict).toBe('dropped');
    expect(r.dropReason).toBe('blackhole-route');
    expect(r.reason).toMatch(/blackhole 10\.244\.7\.64\/26 proto bird/);
  });
});

describe('trace: host routes to an uncaptured node (the pasted cni0 capture)', () => {
  const t = trace(hostGwSingleNode().build(), 'signin-test-a-8bcd5db69-9z2c5', '172.22.1.7');

  it('exits the network towards 10.30.180.55 without inventing the rest', () => {
    expect(t.verdict).toBe('exits-network');
    expect(t.exit).toEqual({ node: '10.30.180.56', interface: 'eth0', nextHop: '10.30.180.55', towards: '10.30.180.55', uncoveredNode: '10.30.180.55' });
    expect(t.reason).toMatch(/10\.30\.180\.55/);
    expect(t.reason).toMatch(/evidence does not cover/);
    expect(stepOf(t, 'routed').map((s) => s.route)).toContain('172.22.1.0/24 via 10.30.180.55 dev eth0');
  });

  it('warns that the routes were filtered and ip_forward is unknown', () => {
    expect(t.warnings.join('\n')).toMatch(/filter/);
    expect(t.warnings.join('\n')).toMatch(/ip_forward/);
  });

  it('predicts the bridge address then a star', () => {
    expect(t.traceroute).toEqual(['172.22.0.1', '?']);
  });

  it('names the address when no node is known for the next hop', () => {
    const b = hostGwSingleNode();
    b.nodes.splice(1, 1);
    const r = trace(b.build(), 'signin-test-a-8bcd5db69-9z2c5', '172.22.1.7');
    expect(r.exit?.towards).toBe('10.30.180.55');
    expect(r.exit?.uncoveredNode).toBeUndefined();
  });
});

describe('trace: VXLAN faults', () => {
  it('drops at the remote node when a stale FDB/neighbour entry names a MAC it no longer has, naming both MACs', () => {
    const t = trace(flannelTwoNodes({ node1SeesVtepMac: '5e:1f:de:ad:be:ef' }).build(), 'default/client', 'default/server');
    expect(t.verdict).toBe('dropped');
    expect(t.dropReason).toBe('not-addressed-here');
    expect(t.hops[t.hops.length - 1]!.node).toBe('node2');
    expect(t.reason).toContain('5e:1f:de:ad:be:ef');
    expect(t.reason).toContain(NODE2_VTEP_MAC);
  });

  it('drops on a VNI mismatch at the receiving node', () => {
    const t = trace(flannelTwoNodes({ vni2: 2 }).build(), 'default/client', 'default/server');
    expect(t.dropReason).toBe('vni-mismatch');
    expect(t.reason).toMatch(/VNI 1/);
  });

  it('drops fdb-missing when the FDB is known but lacks the MAC', () => {
    const b = flannelTwoNodes();
    b.ns('node1/host').fdb = [];
    const t = trace(b.build(), 'default/client', 'default/server');
    expect(t.dropReason).toBe('fdb-missing');
    expect(t.hops[t.hops.length - 1]!.interface).toBe('flannel.1');
  });

  it('answers insufficient information when the FDB was not captured', () => {
    const b = flannelTwoNodes();
    const ns = b.ns('node1/host');
    ns.fdb = [];
    ns.known = ns.known.filter((s) => s !== 'fdb');
    const t = trace(b.build(), 'default/client', 'default/server');
    expect(t.verdict).toBe('insufficient-information');
    expect(t.reason).toMatch(/bridge fdb/);
  });

  it('drops neighbor-unresolved when flannel.1 has no neighbour entry for the remote VTEP', () => {
    const b = flannelTwoNodes();
    b.ns('node1/host').neighbours = [];
    const t = trace(b.build(), 'default/client', 'default/server');
    expect(t.dropReason).toBe('neighbor-unresolved');
  });
});

describe('trace: MTU', () => {
  it('drops a packet larger than the pod eth0 MTU, naming the device and both numbers', () => {
    const t = trace(flannelTwoNodes().build(), 'default/client', 'default/server', { size: 1500 });
    expect(t.dropReason).toBe('mtu-exceeded');
    expect(t.reason).toMatch(/1500-byte packet exceeds the MTU 1450 of eth0/);
  });

  it('drops on the underlay when flannel.1 allows what the underlay cannot carry after VXLAN overhead', () => {
    const t = trace(flannelTwoNodes({ podMtu: 1500, flannelMtu: 1500 }).build(), 'default/client', 'default/server', { size: 1480 });
    expect(t.dropReason).toBe('mtu-exceeded');
    expect(t.reason).toMatch(/1530-byte packet exceeds the MTU 1500 of ens3 on node1/);
  });

  it('lets a packet exactly at the MTU through', () => {
    expect(trace(flannelTwoNodes().build(), 'default/client', 'default/server', { size: 1450 }).verdict).toBe('delivered');
  });
});

describe('trace: link state, forwarding and rp_filter', () => {
  it('drops link-down when the sending device is down', () => {
    const b = flannelTwoNodes();
    b.if('node1/host/flannel.1').adminUp = false;
    const t = trace(b.build(), 'default/client', 'default/server');
    expect(t.dropReason).toBe('link-down');
    expect(t.reason).toMatch(/flannel\.1/);
  });

  it('drops link-down when the receiving veth is down', () => {
    const b = flannelTwoNodes();
    b.if('node2/cni-bbbb/eth0').operState = 'LOWERLAYERDOWN';
    const t = trace(b.build(), 'default/client', 'default/server');
    expect(t.dropReason).toBe('link-down');
    expect(t.hops[t.hops.length - 1]!.interfaceId).toBe('node2/cni-bbbb/eth0');
  });

  it('drops ip-forward-disabled on the node that would forward, and traceroute stops before it', () => {
    const t = trace(flannelTwoNodes({ ipForward2: false }).build(), 'default/client', 'default/server');
    expect(t.dropReason).toBe('ip-forward-disabled');
    expect(t.reason).toMatch(/node2/);
    expect(t.traceroute).toEqual(['10.244.1.1', '*']);
  });

  it('drops rp-filter in strict mode when the route back leaves by another interface', () => {
    const b = flannelTwoNodes();
    const ns = b.ns('node2/host');
    // node2 would answer node1's pods by ens3, not flannel.1.
    ns.routes = ns.routes.filter((r) => r.dst !== '10.244.1.0/24');
    ns.sysctls['net.ipv4.conf.all.rp_filter'] = '1';
    const t = trace(b.build(), 'default/client', 'default/server');
    expect(t.dropReason).toBe('rp-filter');
    expect(t.reason).toMatch(/arrived on flannel\.1/);
  });

  it('passes rp_filter=2 (loose) with the same tables', () => {
    const b = flannelTwoNodes();
    const ns = b.ns('node2/host');
    ns.routes = ns.routes.filter((r) => r.dst !== '10.244.1.0/24');
    ns.sysctls['net.ipv4.conf.flannel/1.rp_filter'] = '2';
    expect(trace(b.build(), 'default/client', 'default/server').verdict).toBe('delivered');
  });

  it('drops ttl-exceeded when the TTL runs out at a forwarding host', () => {
    const t = trace(flannelTwoNodes().build(), 'default/client', 'default/server', { ttl: 1 });
    expect(t.dropReason).toBe('ttl-exceeded');
    expect(t.hops[t.hops.length - 1]!.node).toBe('node1');
  });
});

describe('trace: loops and dead ends', () => {
  it('reports a loop when two hosts route a prefix at each other', () => {
    const b = flannelTwoNodes();
    b.ns('node1/host').routes.push({ family: 4, table: 'main', type: 'unicast', dst: '172.30.0.0/16', gateway: '30.0.1.161', dev: 'ens3' });
    b.ns('node2/host').routes.push({ family: 4, table: 'main', type: 'unicast', dst: '172.30.0.0/16', gateway: '30.0.1.160', dev: 'ens3' });
    const t = trace(b.build(), 'default/client', '172.30.1.1');
    expect(t.verdict).toBe('loop');
    expect(t.reason).toMatch(/loop/);
  });

  it('drops no-route when no table covers the destination', () => {
    const b = flannelTwoNodes();
    b.ns('node1/host').routes = b.ns('node1/host').routes.filter((r) => r.dst !== '0.0.0.0/0');
    const t = trace(b.build(), 'default/client', '8.8.8.8');
    expect(t.dropReason).toBe('no-route');
  });

  it('answers insufficient information when a veth peer is unknown, naming the device', () => {
    const b = flannelTwoNodes();
    b.if('node1/cni-aaaa/eth0').peer = { state: 'unknown', evidence: 'link-netnsid 3 is not mapped' };
    const t = trace(b.build(), 'default/client', 'default/server');
    expect(t.verdict).toBe('insufficient-information');
    expect(t.reason).toMatch(/eth0/);
  });

  it('answers insufficient information when a route names a device the evidence lacks', () => {
    const b = flannelTwoNodes();
    b.ns('node1/host').routes.push({ family: 4, table: 'main', type: 'unicast', dst: '10.99.0.0/16', dev: 'wg0' });
    const t = trace(b.build(), 'default/client', '10.99.0.1');
    expect(t.verdict).toBe('insufficient-information');
    expect(t.reason).toMatch(/wg0/);
  });

  it('answers insufficient information when a captured node holds the next hop on a subnet the sender does not share', () => {
    const b = flannelTwoNodes();
    b.ns('node1/host').routes.push({ family: 4, table: 'main', type: 'unicast', dst: '10.88.0.0/16', gateway: '30.0.2.99', dev: 'ens3', flags: ['onlink'] });
    b.node('node3', ['30.0.2.99']).netns('node3', 'host', { routes: ['30.0.2.0/24 dev ens3 proto kernel scope link src 30.0.2.99'] });
    b.iface('node3', 'host', 'ens3', { addresses: ['30.0.2.99/24'] });
    const t = trace(b.build(), 'default/client', '10.88.0.1');
    expect(t.verdict).toBe('insufficient-information');
    expect(t.reason).toMatch(/30\.0\.2\.99 is on ens3 of captured node node3, but on no subnet ens3 shares/);
  });

  it('hands a frame to the node that owns the next hop on another interface when it shares the segment (arp_ignore=0)', () => {
    const b = flannelTwoNodes();
    b.ns('node1/host').routes.push({ family: 4, table: 'main', type: 'unicast', dst: '30.0.9.9/32', gateway: '30.0.1.161', dev: 'ens3' });
    b.iface('node2', 'host', 'eth9', { addresses: ['30.0.9.9/24'] });
    const t = trace(b.build(), 'node1', '30.0.9.9');
    expect(t.verdict).toBe('delivered');
    expect(t.hops.map((h) => h.interfaceId)).toEqual(['node1/host/ens3', 'node2/host/ens3']);
  });

  it('delivers to the host netns of the local node', () => {
    const t = trace(flannelTwoNodes().build(), 'default/client', '10.244.1.1');
    expect(t.verdict).toBe('delivered');
    expect(path(t)).toEqual(['node1/cni-aaaa/eth0', 'node1/host/veth1a', 'node1/host/cni0']);
    expect(t.traceroute).toEqual(['10.244.1.1']);
  });

  it('delivers a packet to the source itself without leaving the pod', () => {
    const t = trace(flannelTwoNodes().build(), 'default/client', '10.244.1.2');
    expect(t.verdict).toBe('delivered');
    expect(t.hops).toHaveLength(1);
  });
});

describe('trace: endpoints', () => {
  it('answers insufficient information for an unknown source, without hops', () => {
    const t = trace(flannelTwoNodes().build(), 'default/nope', 'default/server');
    expect(t.verdict).toBe('insufficient-information');
    expect(t.reason).toMatch(/no pod default\/nope/);
    expect(t.hops).toEqual([]);
  });

  it('lists the candidates of an ambiguous pod name', () => {
    const b = flannelTwoNodes();
    b.pod('other/server', 'node1', ['10.244.1.50']);
    const t = trace(b.build(), 'client', 'server');
    expect(t.verdict).toBe('insufficient-information');
    expect(t.reason).toContain('default/server');
    expect(t.reason).toContain('other/server');
  });

  it('refuses a source address no captured namespace holds', () => {
    const t = trace(flannelTwoNodes().build(), '10.244.3.3', 'default/server');
    expect(t.verdict).toBe('insufficient-information');
    expect(t.reason).toMatch(/not an address of any captured namespace/);
  });

  it('starts from a node host netns when given a node name, from the source the kernel selects', () => {
    // 10.244.2.0/24 via 10.244.2.0 dev flannel.1 onlink has no src: the primary address of flannel.1.
    const t = trace(flannelTwoNodes().build(), 'node1', 'default/server');
    expect(t.from).toMatchObject({ ip: '10.244.1.0', node: 'node1' });
    expect(t.verdict).toBe('delivered');
    expect(trace(flannelTwoNodes().build(), 'node1', '30.0.1.161').from.ip).toBe('30.0.1.160');
    expect(trace(flannelTwoNodes().build(), '30.0.1.160', 'default/server').from.ip).toBe('30.0.1.160');
  });
});

describe('trace: hand-built single netns', () => {
  it('drops with rule-action when an ip rule prohibits the lookup', () => {
    const b = new TopoBuilder().node('n', ['10.0.0.5']);
    b.netns('n', 'host', {
      routes: ['default via 10.0.0.1 dev eth0'],
      rules: [
        { family: 4, priority: 0, action: 'lookup', table: 'local' },
        { family: 4, priority: 10, dst: '10.50.0.0/16', action: 'prohibit' },
        { family: 4, priority: 32766, action: 'lookup', table: 'main' },
      ],
    });
    b.iface('n', 'host', 'eth0', { addresses: ['10.0.0.5/24'] });
    const t = trace(b.build(), '10.0.0.5', '10.50.1.1');
    expect(t.dropReason).toBe('rule-action');
    expect(t.reason).toMatch(/prohibit/);
  });
});

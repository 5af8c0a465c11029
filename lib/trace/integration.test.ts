import { describe, it, expect } from 'vitest';
import type { Address, Link, NetnsSnapshot, Snapshot } from '../snapshot/schema';
import { SNAPSHOT_API_VERSION } from '../snapshot/schema';
import { validateSnapshot } from '../snapshot/validate';
import { buildTopology } from '../topology/build';
import { trace } from './trace';
import { fdb, neigh, route } from './testTopology';
import labNode1 from '../../e2e/lab/captures/flannel-vxlan/node1.json';
import labNode2 from '../../e2e/lab/captures/flannel-vxlan/node2.json';
import labNode3 from '../../e2e/lab/captures/flannel-vxlan/node3.json';

const UP = ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'];

function link(name: string, ifindex: number, parts: Partial<Link> = {}): Link {
  return { name, ifindex, flags: name === 'lo' ? ['LOOPBACK', 'UP', 'LOWER_UP'] : UP, operState: name === 'lo' ? 'UNKNOWN' : 'UP', mtu: 1500, ...(name === 'lo' ? { kind: 'loopback' as const, mtu: 65536 } : {}), ...parts };
}

function addr(ifname: string, cidr: string, scope = 'global'): Address {
  const [local, len] = cidr.split('/') as [string, string];
  return { ifname, local, prefixlen: Number(len), family: 4, scope };
}

function snap(name: string, addresses: string[], namespaces: NetnsSnapshot[], kubernetes?: Snapshot['kubernetes']): Snapshot {
  const s: Snapshot = { apiVersion: SNAPSHOT_API_VERSION, kind: 'NodeSnapshot', node: { name, addresses }, collector: { name: 'test' }, namespaces, ...(kubernetes ? { kubernetes } : {}) };
  const v = validateSnapshot(s);
  if (!v.ok) throw new Error(`invalid test snapshot ${name}: ${JSON.stringify(v.issues)}`);
  return v.snapshot;
}

/** One flannel VXLAN node `n` (1 or 2) with one pod, as the collector would report it. */
function flannelNode(n: 1 | 2): Snapshot {
  const other = n === 1 ? 2 : 1;
  const vtep = (k: number) => `5e:1f:00:00:00:0${k}`;
  const host: NetnsSnapshot = {
    name: 'host',
    kind: 'host',
    links: [
      link('lo', 1),
      link('ens3', 2, { kind: 'device', mac: `02:00:00:00:00:0${n}` }),
      link('cni0', 3, { kind: 'bridge', mtu: 1450, mac: `0a:58:0a:f4:0${n}:01` }),
      link('flannel.1', 4, { kind: 'vxlan', mtu: 1450, mac: vtep(n), operState: 'UNKNOWN', vxlan: { id: 1, local: `30.0.1.16${n}`, dev: 'ens3', port: 8472, learning: false } }),
      link(`veth${n}a`, 5, { kind: 'veth', mtu: 1450, master: 'cni0', peer: { ifindex: 3, netnsId: 0 } }),
    ],
    addresses: [addr('lo', '127.0.0.1/8', 'host'), addr('ens3', `30.0.1.16${n}/24`), addr('cni0', `10.244.${n}.1/24`), addr('flannel.1', `10.244.${n}.0/32`)],
    routes: [
      route('default via 30.0.1.254 dev ens3 proto static metric 100'),
      route(`10.244.${n}.0/24 dev cni0 proto kernel scope link src 10.244.${n}.1`),
      route(`10.244.${other}.0/24 via 10.244.${other}.0 dev flannel.1 onlink`),
      route(`30.0.1.0/24 dev ens3 proto kernel scope link src 30.0.1.16${n}`),
    ],
    rules: [],
    neighbours: [neigh(`10.244.${other}.0 dev flannel.1 lladdr ${vtep(other)} PERMANENT`)],
    fdb: [fdb(`${vtep(other)} dev flannel.1 dst 30.0.1.16${other} self permanent`)],
    netnsIds: [{ nsid: 0, name: `cni-${n}` }],
    sysctls: { 'net.ipv4.ip_forward': '1', 'net.ipv4.conf.all.rp_filter': '1' },
  };
  const pod: NetnsSnapshot = {
    name: `cni-${n}`,
    kind: 'pod',
    pod: { namespace: 'default', name: `web-${n}` },
    links: [link('lo', 1), link('eth0', 3, { kind: 'veth', mtu: 1450, mac: `0a:58:0a:f4:0${n}:02`, peer: { ifindex: 5, netnsId: 0 } })],
    addresses: [addr('lo', '127.0.0.1/8', 'host'), addr('eth0', `10.244.${n}.2/24`)],
    routes: [route(`10.244.${n}.0/24 dev eth0 proto kernel scope link src 10.244.${n}.2`), route('10.244.0.0/16 via 10.244.' + n + '.1 dev eth0'), route(`default via 10.244.${n}.1 dev eth0`)],
  };
  return snap(`node${n}`, [`30.0.1.16${n}`], [host, pod], {
    pods: [{ namespace: 'default', name: `web-${n}`, ip: `10.244.${n}.2`, node: `node${n}` }],
  });
}

/** One Calico IPIP node: cali veth with proxy ARP, tunl0, /32 pod routes, bird routes. */
function calicoNode(n: 1 | 2): Snapshot {
  const other = n === 1 ? 2 : 1;
  const block = (k: number) => `10.244.${k === 1 ? 7 : 9}`;
  const cali = `cali${n}a2b3c4d5e6f`;
  const host: NetnsSnapshot = {
    name: 'host',
    kind: 'host',
    links: [
      link('lo', 1),
      link('eth0', 2, { kind: 'device', mac: `52:54:00:00:00:1${n}` }),
      link('tunl0', 3, { kind: 'ipip', mtu: 1480, flags: ['NOARP', 'UP', 'LOWER_UP'], operState: 'UNKNOWN', tunnel: { mode: 'ipip' } }),
      link(cali, 7, { kind: 'veth', mac: 'ee:ee:ee:ee:ee:ee', mtu: 1480, peer: { ifindex: 4, netnsId: 0 }, proxyArp: true }),
    ],
    addresses: [addr('lo', '127.0.0.1/8', 'host'), addr('eth0', `192.168.50.1${n}/24`), addr('tunl0', `${block(n)}.${n === 1 ? 64 : 0}/32`)],
    routes: [
      route('default via 192.168.50.1 dev eth0 proto static'),
      route(`blackhole ${block(n)}.${n === 1 ? 64 : 0}/26 proto bird`),
      route(`${block(n)}.${n === 1 ? 65 : 2} dev ${cali} scope link`),
      route(`${block(other)}.${other === 1 ? 64 : 0}/26 via 192.168.50.1${other} dev tunl0 proto bird onlink`),
      route(`192.168.50.0/24 dev eth0 proto kernel scope link src 192.168.50.1${n}`),
    ],
    netnsIds: [{ nsid: 0, name: `cni-${n}` }],
    sysctls: { 'net.ipv4.ip_forward': '1' },
  };
  const podIp = `${block(n)}.${n === 1 ? 65 : 2}`;
  const pod: NetnsSnapshot = {
    name: `cni-${n}`,
    kind: 'pod',
    pod: { namespace: 'default', name: n === 1 ? 'web' : 'db' },
    links: [link('lo', 1), link('eth0', 4, { kind: 'veth', mtu: 1480, mac: `6a:00:00:00:00:0${n}`, peer: { ifindex: 7, netnsId: 0 } })],
    addresses: [addr('lo', '127.0.0.1/8', 'host'), addr('eth0', `${podIp}/32`)],
    routes: [route('default via 169.254.1.1 dev eth0'), route('169.254.1.1 dev eth0 scope link')],
  };
  return snap(`node-${n}`, [`192.168.50.1${n}`], [host, pod], { pods: [{ namespace: 'default', name: n === 1 ? 'web' : 'db', ip: podIp, node: `node-${n}` }] });
}

describe('trace over buildTopology: two flannel VXLAN nodes', () => {
  const topo = buildTopology([flannelNode(1), flannelNode(2)]);
  const t = trace(topo, 'default/web-1', 'default/web-2');

  it('delivers across the VXLAN tunnel with the expected hops', () => {
    expect(t.verdict).toBe('delivered');
    expect(t.hops.map((h) => `${h.node}/${h.interface}`)).toEqual([
      'node1/eth0',
      'node1/veth1a',
      'node1/cni0',
      'node1/flannel.1',
      'node1/ens3',
      'node2/ens3',
      'node2/flannel.1',
      'node2/cni0',
      'node2/veth2a',
      'node2/eth0',
    ]);
    expect(t.hops[3]!.encap).toMatchObject({ type: 'vxlan', vni: 1, outerSrc: '30.0.1.161', outerDst: '30.0.1.162', dstPort: 8472 });
  });

  it('passes strict rp_filter because the route back leaves by flannel.1', () => {
    expect(t.dropReason).toBeUndefined();
  });

  it('predicts traceroute 10.244.1.1, 10.244.2.0, 10.244.2.2', () => {
    expect(t.traceroute).toEqual(['10.244.1.1', '10.244.2.0', '10.244.2.2']);
  });
});

describe('trace over buildTopology: host routes to a node that was not captured', () => {
  const host: NetnsSnapshot = {
    name: 'host',
    kind: 'host',
    links: [link('cni0', 7, { kind: 'bridge', mac: 'aa:8d:2f:44:14:b0' }), link('veth12acb4c1', 220, { kind: 'veth', master: 'cni0', mac: 'be:78:61:7f:a4:25', peer: { ifindex: 2, netnsId: 50 } })],
    addresses: [addr('cni0', '172.22.0.1/24')],
    routes: [
      route('default via 10.30.180.254 dev eth0 proto static metric 100'),
      route('10.30.180.0/24 dev eth0 proto kernel scope link src 10.30.180.56 metric 100'),
      route('172.22.0.0/24 dev cni0 proto kernel scope link src 172.22.0.1'),
      route('172.22.1.0/24 via 10.30.180.55 dev eth0'),
    ],
    filtered: ['routes'],
  };
  const pod: NetnsSnapshot = {
    name: 'signin-test-a-8bcd5db69-9z2c5',
    kind: 'pod',
    pod: { namespace: 'dev', name: 'signin-test-a-8bcd5db69-9z2c5' },
    links: [link('lo', 1), link('eth0', 2, { kind: 'veth', mac: 'c2:ce:72:1b:97:6e', peer: { ifindex: 220 } })],
    routes: [route('default via 172.22.0.1 dev eth0'), route('172.22.0.0/24 dev eth0 scope link src 172.22.0.253'), route('172.22.0.0/16 via 172.22.0.1 dev eth0')],
  };
  const topo = buildTopology([
    snap('10.30.180.56', [], [host, pod], { pods: [{ namespace: 'dev', name: 'signin-test-a-8bcd5db69-9z2c5', ip: '172.22.0.253', node: '10.30.180.56' }] }),
  ]);
  const t = trace(topo, 'dev/signin-test-a-8bcd5db69-9z2c5', '172.22.1.7');

  it('exits the network on eth0 towards 10.30.180.55', () => {
    expect(t.verdict).toBe('exits-network');
    expect(t.exit).toMatchObject({ node: '10.30.180.56', interface: 'eth0', nextHop: '10.30.180.55' });
    expect(t.reason).toContain('10.30.180.55');
    expect(t.hops.map((h) => h.interface)).toEqual(['eth0', 'veth12acb4c1', 'cni0', 'eth0']);
  });

  it('predicts 172.22.0.1 then a star', () => {
    expect(t.traceroute).toEqual(['172.22.0.1', '?']);
  });
});

describe('trace over buildTopology: two Calico IPIP nodes', () => {
  const topo = buildTopology([calicoNode(1), calicoNode(2)]);
  const t = trace(topo, 'web', 'db');

  it('delivers through tunl0 from the node address to the remote node address', () => {
    expect(t.verdict).toBe('delivered');
    expect(t.hops.map((h) => `${h.node}/${h.interface}`)).toEqual([
      'node-1/eth0',
      'node-1/cali1a2b3c4d5e6f',
      'node-1/tunl0',
      'node-1/eth0',
      'node-2/eth0',
      'node-2/tunl0',
      'node-2/cali2a2b3c4d5e6f',
      'node-2/eth0',
    ]);
    expect(t.hops[2]!.encap).toEqual({ type: 'ipip', outerSrc: '192.168.50.11', outerDst: '192.168.50.12', overhead: 20 });
  });

  it('predicts the first node address, the remote tunl0 address, the destination', () => {
    expect(t.traceroute).toEqual(['192.168.50.11', '10.244.9.0', '10.244.9.2']);
  });
});

describe('trace over the kernel lab capture set (e2e/lab/captures/flannel-vxlan)', () => {
  const snapshots = [labNode1, labNode2, labNode3].map((raw) => {
    const v = validateSnapshot(raw);
    if (!v.ok) throw new Error(`lab capture does not validate: ${JSON.stringify(v.issues.slice(0, 3))}`);
    return v.snapshot;
  });
  const topo = buildTopology(snapshots);

  // What the kernel answered in the lab (the capture README).
  it.each([
    ['web-node1-a', 'web-node2-a', ['10.244.1.1', '10.244.2.0', '10.244.2.2']],
    ['web-node1-a', 'web-node1-b', ['10.244.1.3']],
    ['web-node1-a', '192.168.50.12', ['10.244.1.1', '192.168.50.12']],
  ])('%s → %s is delivered with the traceroute the kernel printed', (from, to, hops) => {
    const t = trace(topo, from, to);
    expect(t.verdict).toBe('delivered');
    expect(t.traceroute).toEqual(hops);
  });
});

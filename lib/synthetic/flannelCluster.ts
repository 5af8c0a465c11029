/**
 * A deterministic synthetic flannel VXLAN cluster, shaped exactly as the
 * collector captures real nodes (DOMAIN §3a, §7): per node a host netns with
 * `lo`, `eth0`, `flannel.1`, `cni0` and one veth per pod, and one pod netns per
 * pod. Used by the benchmark and by tests that need many nodes; the same seed
 * always yields the same documents, byte for byte.
 */
import type { Address, FdbEntry, K8sPod, Link, Neighbour, NetnsId, NetnsSnapshot, Route, Snapshot } from '../snapshot/schema';
import { SNAPSHOT_API_VERSION } from '../snapshot/schema';
import { ipv4ToNumber, numberToIpv4 } from '../net/ip';

/** What to generate. */
export interface FlannelClusterOptions {
  /** Number of nodes, 1..32768. */
  nodes: number;
  /** Pods per node, 0..253 (a /24 per node, minus network, gateway and broadcast). */
  podsPerNode: number;
  /** Seed of every random choice (names, MACs, uids). */
  seed: number;
}

/** The addressing plan a generated cluster follows, so tests can reason about it. */
export interface FlannelClusterPlan {
  /** `10.244.0.0/16` up to 256 nodes, `10.128.0.0/9` above. */
  clusterCidr: string;
  /** Underlay subnet shared by every node's `eth0`. */
  underlayCidr: string;
  /** Default gateway of the underlay. */
  underlayGateway: string;
}

const UNDERLAY_BASE = ipv4ToNumber('10.0.0.0') ?? 0;
const UNDERLAY_FIRST_HOST = 10;
const SMALL_CLUSTER_BASE = ipv4ToNumber('10.244.0.0') ?? 0;
const LARGE_CLUSTER_BASE = ipv4ToNumber('10.128.0.0') ?? 0;
/** A flannel VXLAN setup on a 1500-byte underlay: VXLAN costs 50 bytes. */
const UNDERLAY_MTU = 1500;
const OVERLAY_MTU = 1450;
const COLLECTED_AT = Date.UTC(2025, 0, 15, 10, 0, 0);

const HOST_LO = 1;
const HOST_ETH0 = 2;
const HOST_FLANNEL = 3;
const HOST_CNI0 = 4;
const FIRST_HOST_VETH = 5;
/** Inside a pod: lo is 1, eth0 is 2 — the same in every pod, as on real nodes. */
const POD_ETH0 = 2;

const POD_NAMESPACES = ['default', 'dev', 'payments', 'search', 'monitoring'] as const;
const APPS = ['api', 'web', 'worker', 'cache', 'auth', 'billing', 'index', 'metrics'] as const;

/** The addressing plan for a cluster of `nodes` nodes. */
export function flannelClusterPlan(nodes: number): FlannelClusterPlan {
  return {
    clusterCidr: nodes <= 256 ? '10.244.0.0/16' : '10.128.0.0/9',
    underlayCidr: '10.0.0.0/16',
    underlayGateway: '10.0.0.1',
  };
}

/** Name of node `i` (0-based) as the generator names it. */
export function syntheticNodeName(i: number): string {
  return `node-${String(i).padStart(4, '0')}`;
}

/** Underlay (`eth0`) address of node `i`. */
export function syntheticNodeAddress(i: number): string {
  return numberToIpv4(UNDERLAY_BASE + UNDERLAY_FIRST_HOST + i);
}

/** Address of pod `k` (0-based) on node `i` in a cluster of `nodes` nodes. */
export function syntheticPodIp(nodes: number, i: number, k: number): string {
  return numberToIpv4(subnetBase(nodes, i) + 2 + k);
}

function subnetBase(nodes: number, i: number): number {
  return (nodes <= 256 ? SMALL_CLUSTER_BASE : LARGE_CLUSTER_BASE) + i * 256;
}

/** mulberry32: small, fast, and the same sequence on every platform. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hex(rand: () => number, digits: number): string {
  let s = '';
  for (let i = 0; i < digits; i++) s += Math.floor(rand() * 16).toString(16);
  return s;
}

/** A unicast, locally administered MAC, as the kernel gives veths and VXLAN devices. */
function mac(rand: () => number): string {
  const bytes: number[] = [];
  for (let i = 0; i < 6; i++) bytes.push(Math.floor(rand() * 256));
  bytes[0] = ((bytes[0] ?? 0) & 0xfc) | 0x02;
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

function uuid(rand: () => number): string {
  return `${hex(rand, 8)}-${hex(rand, 4)}-4${hex(rand, 3)}-${'89ab'[Math.floor(rand() * 4)] ?? '8'}${hex(rand, 3)}-${hex(rand, 12)}`;
}

/** Identity facts of one node, shared by its own snapshot and its peers' routes. */
interface NodeFacts {
  name: string;
  address: string;
  subnet: string;
  /** `flannel.1` address: the subnet's network address, as flannel assigns it. */
  vtepIp: string;
  vtepMac: string;
}

interface PodFacts {
  namespace: string;
  name: string;
  uid: string;
  netns: string;
  ip: string;
  mac: string;
  hostVeth: string;
  hostVethMac: string;
  hostIfindex: number;
}

/**
 * Generates `nodes` node snapshots of a flannel VXLAN cluster with
 * `podsPerNode` pods each. Every snapshot validates against format v1, and
 * every pod can reach every other pod through `flannel.1`.
 */
export function generateFlannelCluster(options: FlannelClusterOptions): Snapshot[] {
  return [...flannelClusterNodes(options)];
}

/**
 * The same snapshots as generateFlannelCluster, one node at a time, so a
 * 1,000-node benchmark can serialise each node and let it go instead of
 * holding every object at once.
 */
export function* flannelClusterNodes(options: FlannelClusterOptions): Generator<Snapshot, void, undefined> {
  const { nodes, podsPerNode, seed } = options;
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 32768) throw new RangeError(`nodes must be 1..32768, got ${nodes}`);
  if (!Number.isInteger(podsPerNode) || podsPerNode < 0 || podsPerNode > 253) {
    throw new RangeError(`podsPerNode must be 0..253, got ${podsPerNode}`);
  }
  const plan = flannelClusterPlan(nodes);
  const rand = prng(seed);
  const facts: NodeFacts[] = [];
  for (let i = 0; i < nodes; i++) {
    const base = subnetBase(nodes, i);
    facts.push({
      name: syntheticNodeName(i),
      address: syntheticNodeAddress(i),
      subnet: `${numberToIpv4(base)}/24`,
      vtepIp: numberToIpv4(base),
      vtepMac: mac(rand),
    });
  }
  for (let i = 0; i < nodes; i++) yield nodeSnapshot(i, facts, podsPerNode, plan, rand, seed);
}

function nodeSnapshot(
  i: number,
  facts: readonly NodeFacts[],
  podsPerNode: number,
  plan: FlannelClusterPlan,
  rand: () => number,
  seed: number,
): Snapshot {
  const self = facts[i];
  if (!self) throw new RangeError(`no node ${i}`);
  const base = subnetBase(facts.length, i);
  const gateway = numberToIpv4(base + 1);
  const broadcast = numberToIpv4(base + 255);
  const eth0Mac = mac(rand);
  const cni0Mac = mac(rand);

  const pods: PodFacts[] = [];
  for (let k = 0; k < podsPerNode; k++) {
    const app = APPS[Math.floor(rand() * APPS.length)] ?? 'app';
    pods.push({
      namespace: POD_NAMESPACES[Math.floor(rand() * POD_NAMESPACES.length)] ?? 'default',
      name: `${app}-${hex(rand, 9)}-${hex(rand, 5)}`,
      uid: uuid(rand),
      netns: `cni-${uuid(rand)}`,
      ip: numberToIpv4(base + 2 + k),
      mac: mac(rand),
      hostVeth: `veth${hex(rand, 8)}`,
      hostVethMac: mac(rand),
      hostIfindex: FIRST_HOST_VETH + k,
    });
  }

  const links: Link[] = [
    { ifindex: HOST_LO, name: 'lo', kind: 'loopback', mtu: 65536, mac: '00:00:00:00:00:00', flags: ['LOOPBACK', 'UP', 'LOWER_UP'], operState: 'UNKNOWN' },
    { ifindex: HOST_ETH0, name: 'eth0', kind: 'device', mtu: UNDERLAY_MTU, mac: eth0Mac, flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'], operState: 'UP' },
    {
      ifindex: HOST_FLANNEL,
      name: 'flannel.1',
      kind: 'vxlan',
      mtu: OVERLAY_MTU,
      mac: self.vtepMac,
      flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
      operState: 'UNKNOWN',
      vxlan: { id: 1, local: self.address, dev: 'eth0', port: 8472, learning: false, ttl: 0 },
    },
    { ifindex: HOST_CNI0, name: 'cni0', kind: 'bridge', mtu: OVERLAY_MTU, mac: cni0Mac, flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'], operState: 'UP' },
  ];
  pods.forEach((p, k) => {
    links.push({
      ifindex: p.hostIfindex,
      name: p.hostVeth,
      kind: 'veth',
      mtu: OVERLAY_MTU,
      mac: p.hostVethMac,
      flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
      operState: 'UP',
      master: 'cni0',
      peer: { ifindex: POD_ETH0, netnsId: k },
    });
  });

  const addresses: Address[] = [
    { ifname: 'lo', ifindex: HOST_LO, family: 4, local: '127.0.0.1', prefixlen: 8, scope: 'host' },
    { ifname: 'eth0', ifindex: HOST_ETH0, family: 4, local: self.address, prefixlen: 16, broadcast: '10.0.255.255', scope: 'global' },
    { ifname: 'flannel.1', ifindex: HOST_FLANNEL, family: 4, local: self.vtepIp, prefixlen: 32, scope: 'global' },
    { ifname: 'cni0', ifindex: HOST_CNI0, family: 4, local: gateway, prefixlen: 24, broadcast, scope: 'global' },
  ];

  const routes: Route[] = [
    { family: 4, table: 'main', type: 'unicast', dst: '0.0.0.0/0', gateway: plan.underlayGateway, dev: 'eth0', protocol: 'static', scope: 'global', metric: 100 },
    { family: 4, table: 'main', type: 'unicast', dst: plan.underlayCidr, dev: 'eth0', protocol: 'kernel', scope: 'link', prefsrc: self.address, metric: 100 },
    { family: 4, table: 'main', type: 'unicast', dst: self.subnet, dev: 'cni0', protocol: 'kernel', scope: 'link', prefsrc: gateway },
  ];
  const neighbours: Neighbour[] = [
    { dst: plan.underlayGateway, dev: 'eth0', lladdr: '00:00:5e:00:01:01', state: ['REACHABLE'], router: true },
  ];
  const fdb: FdbEntry[] = [];
  for (const peer of facts) {
    if (peer === self) continue;
    routes.push({ family: 4, table: 'main', type: 'unicast', dst: peer.subnet, gateway: peer.vtepIp, dev: 'flannel.1', scope: 'global', flags: ['onlink'] });
    neighbours.push({ dst: peer.vtepIp, dev: 'flannel.1', lladdr: peer.vtepMac, state: ['PERMANENT'] });
    fdb.push({ mac: peer.vtepMac, dev: 'flannel.1', dst: peer.address, flags: ['self'], state: 'permanent' });
  }
  for (const p of pods) {
    neighbours.push({ dst: p.ip, dev: 'cni0', lladdr: p.mac, state: ['REACHABLE'] });
    // Learned entry for the pod behind its port, and the port's own address.
    fdb.push({ mac: p.mac, dev: p.hostVeth, master: 'cni0', flags: ['master'] });
    fdb.push({ mac: p.hostVethMac, dev: p.hostVeth, master: 'cni0', vlan: 1, flags: ['master'], state: 'permanent' });
  }
  routes.push(...localTable([
    { dev: 'lo', ip: '127.0.0.1', net: '127.0.0.0', length: 8, broadcast: '127.255.255.255' },
    { dev: 'eth0', ip: self.address, net: '10.0.0.0', length: 16, broadcast: '10.0.255.255' },
    { dev: 'flannel.1', ip: self.vtepIp, net: self.vtepIp, length: 32 },
    { dev: 'cni0', ip: gateway, net: numberToIpv4(base), length: 24, broadcast },
  ]));

  const netnsIds: NetnsId[] = pods.map((p, k) => ({ nsid: k, name: p.netns }));

  const host: NetnsSnapshot = {
    name: 'host',
    kind: 'host',
    source: 'host',
    links,
    addresses,
    routes,
    rules: defaultRules(),
    neighbours,
    fdb,
    netnsIds,
    sysctls: {
      'net.ipv4.ip_forward': '1',
      'net.ipv4.conf.all.rp_filter': '0',
      'net.ipv4.conf.default.rp_filter': '2',
      'net.bridge.bridge-nf-call-iptables': '1',
    },
  };

  const podNamespaces: NetnsSnapshot[] = pods.map((p) => podNetns(p, gateway, broadcast, base, cni0Mac, plan));

  const k8sPods: K8sPod[] = pods.map((p) => ({
    namespace: p.namespace,
    name: p.name,
    uid: p.uid,
    ip: p.ip,
    ips: [p.ip],
    node: self.name,
    phase: 'Running',
    ready: true,
  }));

  return {
    apiVersion: SNAPSHOT_API_VERSION,
    kind: 'NodeSnapshot',
    node: { name: self.name, addresses: [self.address], podCidrs: [self.subnet] },
    collectedAt: new Date(COLLECTED_AT + i * 1000).toISOString(),
    collector: { name: 'synthetic', version: '1', source: `generateFlannelCluster seed=${seed}` },
    namespaces: [host, ...podNamespaces],
    kubernetes: {
      pods: k8sPods,
      nodes: [
        {
          name: self.name,
          addresses: [self.address],
          podCidrs: [self.subnet],
          annotations: {
            'flannel.alpha.coreos.com/backend-type': 'vxlan',
            'flannel.alpha.coreos.com/backend-data': JSON.stringify({ VNI: 1, VtepMAC: self.vtepMac }),
            'flannel.alpha.coreos.com/kube-subnet-manager': 'true',
            'flannel.alpha.coreos.com/public-ip': self.address,
          },
        },
      ],
    },
  };
}

function podNetns(
  p: PodFacts,
  gateway: string,
  broadcast: string,
  base: number,
  cni0Mac: string,
  plan: FlannelClusterPlan,
): NetnsSnapshot {
  return {
    name: p.netns,
    kind: 'pod',
    pod: { namespace: p.namespace, name: p.name, uid: p.uid },
    source: `/var/run/netns/${p.netns}`,
    links: [
      { ifindex: 1, name: 'lo', kind: 'loopback', mtu: 65536, mac: '00:00:00:00:00:00', flags: ['LOOPBACK', 'UP', 'LOWER_UP'], operState: 'UNKNOWN' },
      {
        ifindex: POD_ETH0,
        name: 'eth0',
        kind: 'veth',
        mtu: OVERLAY_MTU,
        mac: p.mac,
        flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
        operState: 'UP',
        // The host netns is id 0 as seen from every pod.
        peer: { ifindex: p.hostIfindex, netnsId: 0 },
      },
    ],
    addresses: [
      { ifname: 'lo', ifindex: 1, family: 4, local: '127.0.0.1', prefixlen: 8, scope: 'host' },
      { ifname: 'eth0', ifindex: POD_ETH0, family: 4, local: p.ip, prefixlen: 24, broadcast, scope: 'global' },
    ],
    routes: [
      { family: 4, table: 'main', type: 'unicast', dst: '0.0.0.0/0', gateway, dev: 'eth0', scope: 'global' },
      // flannel's CNI config adds the cluster route next to the default.
      { family: 4, table: 'main', type: 'unicast', dst: plan.clusterCidr, gateway, dev: 'eth0', scope: 'global' },
      { family: 4, table: 'main', type: 'unicast', dst: `${numberToIpv4(base)}/24`, dev: 'eth0', protocol: 'kernel', scope: 'link', prefsrc: p.ip },
      ...localTable([
        { dev: 'lo', ip: '127.0.0.1', net: '127.0.0.0', length: 8, broadcast: '127.255.255.255' },
        { dev: 'eth0', ip: p.ip, net: numberToIpv4(base), length: 24, broadcast },
      ]),
    ],
    rules: defaultRules(),
    neighbours: [{ dst: gateway, dev: 'eth0', lladdr: cni0Mac, state: ['REACHABLE'] }],
    fdb: [],
    netnsIds: [{ nsid: 0 }],
    sysctls: { 'net.ipv4.ip_forward': '0', 'net.ipv4.conf.all.rp_filter': '0' },
  };
}

interface LocalAddress {
  dev: string;
  ip: string;
  net: string;
  length: number;
  broadcast?: string;
}

/** Table `local` as the kernel fills it for each address (`ip route show table local`). */
function localTable(addrs: readonly LocalAddress[]): Route[] {
  const out: Route[] = [];
  for (const a of addrs) {
    if (a.dev === 'lo') {
      out.push({ family: 4, table: 'local', type: 'local', dst: `${a.net}/${a.length}`, dev: 'lo', protocol: 'kernel', scope: 'host', prefsrc: a.ip });
    }
    out.push({ family: 4, table: 'local', type: 'local', dst: `${a.ip}/32`, dev: a.dev, protocol: 'kernel', scope: 'host', prefsrc: a.ip });
    if (a.broadcast) {
      out.push({ family: 4, table: 'local', type: 'broadcast', dst: `${a.broadcast}/32`, dev: a.dev, protocol: 'kernel', scope: 'link', prefsrc: a.ip });
    }
  }
  return out;
}

function defaultRules(): NonNullable<NetnsSnapshot['rules']> {
  return [
    { family: 4, priority: 0, src: 'all', action: 'lookup', table: 'local' },
    { family: 4, priority: 32766, src: 'all', action: 'lookup', table: 'main' },
    { family: 4, priority: 32767, src: 'all', action: 'lookup', table: 'default' },
  ];
}

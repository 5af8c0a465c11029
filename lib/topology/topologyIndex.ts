/**
 * Fast lookups over a Topology, built once per topology object.
 *
 * The trace walks a cluster of up to thousands of nodes and must answer in a
 * few milliseconds, so every "who owns this address / which netns is this
 * interface in" question is a Map lookup here instead of a scan. The index is
 * memoised in a WeakMap keyed by the topology object: topologies are treated
 * as immutable once built.
 */
import { canonicalIp, ipv4ToNumber, numberToIpv4 } from '../net/ip';
import type { TopoInterface, TopoNetns, TopoNode, TopoPod, Topology } from './types';
import { isPlainV4 } from './addr';

/** Linux's VXLAN UDP port when `dstport` was not given (flannel uses it too). */
export const LINUX_VXLAN_DEFAULT_PORT = 8472;

/** Read-only lookups over one topology. */
export interface TopologyIndex {
  readonly topology: Topology;
  node(id: string): TopoNode | undefined;
  netns(id: string): TopoNetns | undefined;
  iface(id: string): TopoInterface | undefined;
  /** The netns id an interface belongs to. */
  netnsOf(iface: TopoInterface): string;
  /** Interfaces of a netns, in the netns's listed order. */
  interfacesOf(netnsId: string): readonly TopoInterface[];
  ifaceByName(netnsId: string, name: string): TopoInterface | undefined;
  ifaceByIfindex(netnsId: string, ifindex: number): TopoInterface | undefined;
  /** Interfaces holding `ip` anywhere in the cluster (several when addresses are reused, e.g. docker0). */
  ownersOf(ip: string): readonly TopoInterface[];
  /** The node whose underlay addresses (or whose host netns interfaces) hold `ip`. */
  nodeByUnderlayAddress(ip: string): TopoNode | undefined;
  /** The host netns of a node. */
  hostNetnsOf(nodeId: string): TopoNetns | undefined;
  podById(id: string): TopoPod | undefined;
  podsByName(name: string): readonly TopoPod[];
  podsByIp(ip: string): readonly TopoPod[];
  /** The pod living in a netns, when known. */
  podOfNetns(netnsId: string): TopoPod | undefined;
  /** Ports (enslaved interfaces) of a bridge, by the bridge's interface id. */
  bridgePorts(bridgeId: string): readonly TopoInterface[];
  /** VXLAN devices of a node listening on a UDP port with a VNI. */
  vxlanDevices(nodeId: string, port: number, vni: number): readonly TopoInterface[];
  /** Every VXLAN device of a node's host netns (any port, any VNI). */
  vxlanDevicesOfNode(nodeId: string): readonly TopoInterface[];
  /** The veth peer of an interface, when the topology names it. */
  peerOf(iface: TopoInterface): TopoInterface | undefined;
}

const cache = new WeakMap<Topology, TopologyIndex>();

/**
 * `canonicalIp` with a fast path for dotted-quad IPv4 (the common case on
 * every lookup of a trace); other forms go through ipaddr.js.
 */
export function fastCanonicalIp(ip: string): string {
  // Nearly every address: already a canonical dotted quad, told by one scan of its characters.
  if (isPlainV4(ip)) return ip;
  const n = ipv4ToNumber(ip);
  if (n === null) return canonicalIp(ip);
  // Already canonical unless an octet has a leading zero: return it without allocating.
  return LEADING_ZERO.test(ip) ? numberToIpv4(n) : ip;
}

const LEADING_ZERO = /(^|\.)0\d/;

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

const EMPTY: readonly never[] = Object.freeze([]);

/** Builds (or returns the memoised) index of a topology. */
export function indexTopology(t: Topology): TopologyIndex {
  const hit = cache.get(t);
  if (hit) return hit;
  const built = buildIndex(t);
  cache.set(t, built);
  return built;
}

/**
 * One netns's interfaces. Lookups by name and ifindex scan while the list is
 * short (a pod netns holds two or three interfaces, a cluster a hundred
 * thousand of them) and get Maps, built on first use, when it is long: a
 * composite `netns + name` key per interface would be a string built and
 * hashed for each of several hundred thousand interfaces.
 */
class NsInterfaces {
  readonly list: TopoInterface[] = [];
  private names: Map<string, TopoInterface> | undefined;
  private indexes: Map<number, TopoInterface> | undefined;

  constructor(readonly id: string) {}

  byName(name: string): TopoInterface | undefined {
    const list = this.list;
    if (list.length <= SCAN_LIMIT) {
      // The last interface of a name wins, as a Map filled in list order would have it.
      for (let k = list.length - 1; k >= 0; k--) if (list[k]!.name === name) return list[k];
      return undefined;
    }
    if (this.names === undefined) {
      this.names = new Map();
      for (const i of list) this.names.set(i.name, i);
    }
    return this.names.get(name);
  }

  byIfindex(ifindex: number): TopoInterface | undefined {
    const list = this.list;
    if (list.length <= SCAN_LIMIT) {
      for (let k = list.length - 1; k >= 0; k--) if (list[k]!.ifindex === ifindex) return list[k];
      return undefined;
    }
    if (this.indexes === undefined) {
      this.indexes = new Map();
      for (const i of list) if (i.ifindex !== undefined) this.indexes.set(i.ifindex, i);
    }
    return this.indexes.get(ifindex);
  }
}

/** Lists up to this long are scanned rather than indexed. */
const SCAN_LIMIT = 8;

function buildIndex(t: Topology): TopologyIndex {
  const nodes = new Map<string, TopoNode>();
  for (const n of t.nodes) nodes.set(n.id, n);
  const netnses = new Map<string, TopoNetns>();
  for (const ns of t.namespaces) netnses.set(ns.id, ns);
  const ifaces = new Map<string, TopoInterface>();
  for (const i of t.interfaces) ifaces.set(i.id, i);

  // The netns lists its interfaces; an interface's own `netns` field is a
  // fallback for topologies that did not list every interface. Keyed by the
  // interface object: its identity hash is cheaper than hashing its id again.
  const recs = new Map<string, NsInterfaces>();
  const recOf = new Map<TopoInterface, NsInterfaces>();
  for (const ns of t.namespaces) {
    let rec = recs.get(ns.id);
    if (rec === undefined) {
      rec = new NsInterfaces(ns.id);
      recs.set(ns.id, rec);
    }
    for (const id of ns.interfaces) {
      const i = ifaces.get(id);
      if (!i || recOf.has(i)) continue;
      recOf.set(i, rec);
      rec.list.push(i);
    }
  }
  if (recOf.size < ifaces.size) {
    for (const i of t.interfaces) {
      // Objects sharing an id count as one interface, the first listed.
      const same = ifaces.get(i.id);
      if (recOf.has(i) || (same !== undefined && recOf.has(same))) continue;
      const nsId = i.netns.includes('/') ? i.netns : `${i.node}/${i.netns}`;
      let rec = recs.get(nsId);
      if (rec === undefined) {
        rec = new NsInterfaces(nsId);
        recs.set(nsId, rec);
      }
      recOf.set(i, rec);
      if (same !== undefined) recOf.set(same, rec);
      rec.list.push(i);
    }
  }
  const netnsIdOf = (i: TopoInterface): string | undefined => {
    const rec = recOf.get(i);
    if (rec !== undefined) return rec.id;
    const same = ifaces.get(i.id);
    return same !== undefined ? recOf.get(same)?.id : undefined;
  };
  const owners = new Map<string, TopoInterface[]>();
  const ports = new Map<string, TopoInterface[]>();
  const vxlans = new Map<string, TopoInterface[]>();
  const vxlansByNode = new Map<string, TopoInterface[]>();
  for (const rec of recs.values()) {
    for (const i of rec.list) {
      for (const a of i.addresses) push(owners, fastCanonicalIp(a.ip), i);
      if (i.master !== undefined) {
        const masterId = i.master.includes('/') ? i.master : `${rec.id}/${i.master}`;
        push(ports, masterId, i);
      }
    }
  }
  for (const i of t.interfaces) {
    if (i.vxlan === undefined) continue;
    const port = i.vxlan.port ?? LINUX_VXLAN_DEFAULT_PORT;
    push(vxlans, `${i.node}\u0000${port}\u0000${i.vxlan.id}`, i);
    push(vxlansByNode, i.node, i);
  }

  const hostNetns = new Map<string, TopoNetns>();
  for (const ns of t.namespaces) {
    if (ns.kind === 'host' && !hostNetns.has(ns.node)) hostNetns.set(ns.node, ns);
  }
  for (const n of t.nodes) {
    if (n.hostNetns === undefined) continue;
    const ns = netnses.get(n.hostNetns);
    if (ns) hostNetns.set(n.id, ns);
  }

  const underlay = new Map<string, TopoNode>();
  for (const n of t.nodes) for (const a of n.addresses) underlay.set(fastCanonicalIp(a), n);
  // A host netns's own addresses also identify the node (eth0's address may
  // be known only from the interface, not from Kubernetes).
  for (const [nodeId, ns] of hostNetns) {
    const n = nodes.get(nodeId);
    if (!n) continue;
    for (const i of recs.get(ns.id)?.list ?? []) {
      for (const a of i.addresses) {
        const k = fastCanonicalIp(a.ip);
        if (!underlay.has(k) && i.role === 'underlay') underlay.set(k, n);
      }
    }
  }

  const pods = new Map<string, TopoPod>();
  const podsName = new Map<string, TopoPod[]>();
  const podsIp = new Map<string, TopoPod[]>();
  const podNetns = new Map<string, TopoPod>();
  for (const p of t.pods) {
    pods.set(p.id, p);
    push(podsName, p.name, p);
    for (const ip of p.ips) push(podsIp, fastCanonicalIp(ip), p);
    if (p.netns !== undefined && !p.hostNetwork && !podNetns.has(p.netns)) podNetns.set(p.netns, p);
  }
  for (const ns of t.namespaces) {
    if (ns.pod === undefined || podNetns.has(ns.id)) continue;
    const p = pods.get(`${ns.pod.namespace}/${ns.pod.name}`);
    podNetns.set(ns.id, p ?? { id: `${ns.pod.namespace}/${ns.pod.name}`, namespace: ns.pod.namespace, name: ns.pod.name, ips: [], netns: ns.id, node: ns.node });
  }

  const index: TopologyIndex = {
    topology: t,
    node: (id) => nodes.get(id),
    netns: (id) => netnses.get(id),
    iface: (id) => ifaces.get(id),
    netnsOf: (i) => netnsIdOf(i) ?? `${i.node}/${i.netns}`,
    interfacesOf: (nsId) => recs.get(nsId)?.list ?? EMPTY,
    ifaceByName: (nsId, name) => recs.get(nsId)?.byName(name),
    ifaceByIfindex: (nsId, ifindex) => recs.get(nsId)?.byIfindex(ifindex),
    ownersOf: (ip) => owners.get(fastCanonicalIp(ip)) ?? EMPTY,
    nodeByUnderlayAddress: (ip) => underlay.get(fastCanonicalIp(ip)),
    hostNetnsOf: (nodeId) => hostNetns.get(nodeId),
    podById: (id) => pods.get(id),
    podsByName: (name) => podsName.get(name) ?? EMPTY,
    podsByIp: (ip) => podsIp.get(fastCanonicalIp(ip)) ?? EMPTY,
    podOfNetns: (nsId) => podNetns.get(nsId),
    bridgePorts: (bridgeId) => ports.get(bridgeId) ?? EMPTY,
    vxlanDevices: (nodeId, port, vni) => vxlans.get(`${nodeId}\u0000${port}\u0000${vni}`) ?? EMPTY,
    vxlanDevicesOfNode: (nodeId) => vxlansByNode.get(nodeId) ?? EMPTY,
    peerOf: (i) => (i.peer?.id !== undefined ? ifaces.get(i.peer.id) : undefined),
  };
  return index;
}

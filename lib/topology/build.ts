/**
 * buildTopology: node snapshots → the cluster's network as domain shapes
 * (DOMAIN §1–§3, §7). Pure and deterministic — nodes sorted by name, every
 * list built in node order — and it never throws on a valid snapshot: what
 * the evidence does not settle becomes a warning, an `unknown`, or a stage
 * marked `inferred`.
 *
 * Stages, each in its own file: which snapshot speaks for a node (nodes.ts),
 * Kubernetes facts (k8s.ts), namespaces and interfaces (interfaces.ts), roles
 * (roles.ts), veth pairs (veth.ts), pods (pods.ts), tunnels (tunnels.ts),
 * routed next hops (hostRoutes.ts), shared subnets (segments.ts), MTU (mtu.ts).
 */
import type { Snapshot } from '../snapshot/schema';
import type { InterfaceAddress, TopoInterface, TopoNetns, TopoNode, Topology } from './types';
import { Cluster, Warnings } from './cluster';
import type { NodeWork, NsWork } from './cluster';
import { latestPerNode } from './nodes';
import { mergeK8sFacts, pushUnique } from './k8s';
import { buildNetns, mergeDuplicateNetns } from './interfaces';
import { assignRoles, isCalicoEbpfDevice, isCiliumDevice } from './roles';
import { pairVeths } from './veth';
import { buildPods } from './pods';
import { buildTunnelEdges } from './tunnels';
import { buildHostRouteEdges } from './hostRoutes';
import { buildSegmentEdges } from './segments';
import { checkPodMtus } from './mtu';
import { BridgePortEdge } from './lazyEdge';
import { buildServices, servicesEmpty } from './services';
import { canon, flat5, isGlobalAddress } from './addr';
import { formatPrefix, ipFamily, parsePrefix } from '../net/ip';

/** Tuning of buildTopology that never changes what the topology says. */
export interface BuildOptions {
  /** Captured nodes from which FDB VXLAN edges format id and evidence on first read (default LAZY_EVIDENCE_FROM_NODES). */
  lazyEvidenceFromNodes?: number;
  /**
   * Called as each stage ends, with its name (benchmarks time the stages
   * with it); unset, it costs one undefined check per stage.
   */
  onStage?: (stage: BuildStage) => void;
}

/** The stages of buildTopology, in order, as onStage names them. */
export type BuildStage = 'facts' | 'namespaces' | 'veths' | 'pods' | 'tunnels' | 'routes' | 'finish';

/** Builds the cluster topology from node snapshots (one per node; duplicates keep the latest). */
export function buildTopology(snapshots: readonly Snapshot[], options: BuildOptions = {}): Topology {
  const stage = options.onStage;
  const warnings = new Warnings();
  const chosen = latestPerNode(snapshots, warnings);
  const cluster = new Cluster(mergeK8sFacts(chosen, warnings), warnings, options.lazyEvidenceFromNodes);
  cluster.lazyPortEdges = chosen.length >= cluster.lazyEvidenceFromNodes;
  stage?.('facts');

  for (const snap of chosen) captureNode(cluster, snap);
  for (const name of cluster.k8s.nodes.keys()) cluster.ensureNode(name);
  for (const node of cluster.nodes.values()) for (const a of node.topo.addresses) cluster.indexAddress(a, node.name);
  stage?.('namespaces');

  for (const node of cluster.nodes.values()) {
    if (node.namespaces.length === 0) continue;
    pairVeths(node, cluster);
    for (let i = 0; i < node.namespaces.length; i++) bridgePorts(node.namespaces[i] as NsWork, cluster);
  }
  stage?.('veths');
  const pods = buildPods(cluster);
  stage?.('pods');
  const activeTunnels = buildTunnelEdges(cluster);
  stage?.('tunnels');
  buildHostRouteEdges(cluster);
  buildSegmentEdges(cluster);
  checkPodMtus(cluster, activeTunnels);
  stage?.('routes');

  const ordered = [...cluster.nodes.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  // Counted first, then filled: pushed, a list of 334,000 interfaces is regrown a dozen times at
  // 1,000 nodes, each copy a fresh large-object allocation whose pages the kernel faults in.
  let nsCount = 0;
  let ifaceCount = 0;
  for (let k = 0; k < ordered.length; k++) {
    const list = (ordered[k] as NodeWork).namespaces;
    nsCount += list.length;
    for (let n = 0; n < list.length; n++) ifaceCount += (list[n] as NsWork).list.length;
  }
  const nodes = new Array<TopoNode>(ordered.length);
  const namespaces = new Array<TopoNetns>(nsCount);
  const interfaces = new Array<TopoInterface>(ifaceCount);
  let nsAt = 0;
  let ifaceAt = 0;
  // Indexed loops: a hundred thousand namespaces, in a function that runs once.
  for (let k = 0; k < ordered.length; k++) {
    const node = ordered[k] as NodeWork;
    nodes[k] = node.topo;
    for (let n = 0; n < node.namespaces.length; n++) {
      const ns = node.namespaces[n] as NsWork;
      namespaces[nsAt++] = ns.topo;
      for (let i = 0; i < ns.list.length; i++) interfaces[ifaceAt++] = ns.list[i] as TopoInterface;
    }
  }
  const topology: Topology = { nodes, namespaces, interfaces, pods, edges: cluster.edges.finish(), warnings: warnings.list };
  const services = buildServices(chosen);
  if (!servicesEmpty(services)) topology.services = services;
  stage?.('finish');
  return topology;
}

const NO_ADDRESSES: readonly string[] = [];

/** Turns one node's snapshot into its namespaces, interfaces and node facts. */
function captureNode(cluster: Cluster, snap: Snapshot): void {
  const node = cluster.ensureNode(snap.node.name);
  node.snapshot = snap;
  const topo = node.topo;
  topo.captured = true;
  if (snap.collectedAt !== undefined) topo.collectedAt = snap.collectedAt;
  topo.source = snap.collector.source !== undefined ? `${snap.collector.name}: ${snap.collector.source}` : snap.collector.name;

  const list = mergeDuplicateNetns(node.name, snap.namespaces, cluster);
  const built = list.map((ns) => buildNetns(node, ns, cluster));
  for (let i = 0; i < built.length; i++) {
    const ns = built[i] as NsWork;
    if (!ns.isHost) continue;
    if (node.host === undefined) node.host = ns;
    else {
      cluster.warnings.add(`${node.name} has more than one host namespace; ${node.host.topo.name} is used`, node.name, ns.topo.id);
      ns.isHost = false;
    }
  }
  // The host netns first: readers and the UI look for it there.
  node.namespaces = node.host ? [node.host, ...built.filter((ns) => ns !== node.host)] : built;
  const declared = (snap.node.addresses ?? []).map(canon);
  for (let i = 0; i < node.namespaces.length; i++) {
    const ns = node.namespaces[i] as NsWork;
    node.nsByName.set(ns.topo.name, ns);
    assignRoles(ns, ns.isHost ? declared : NO_ADDRESSES);
  }

  const host = node.host;
  const addresses: string[] = [...new Set(declared)];
  if (host !== undefined) {
    topo.hostNetns = host.topo.id;
    if (host.topo.ipForward !== undefined) topo.ipForward = host.topo.ipForward;
    // Indexed: a host's hundred interfaces on each of a thousand nodes, where for-of's iterator results were not optimised away.
    for (let i = 0; i < host.list.length; i++) {
      const iface = host.list[i] as TopoInterface;
      if (iface.role === 'loopback') continue;
      const own = iface.addresses;
      for (let k = 0; k < own.length; k++) {
        const a = own[k] as InterfaceAddress;
        if (!node.hostAddrOwner.has(a.ip)) node.hostAddrOwner.set(a.ip, iface);
      }
      if (iface.role === 'underlay') {
        topo.underlay.push(iface.id);
        for (const a of iface.addresses) if (isGlobalAddress(a)) pushUnique(addresses, a.ip);
      } else if (iface.role === 'vtep' || iface.role === 'ip-tunnel') {
        topo.tunnels.push(iface.id);
      }
    }
    const cilium = host.list.filter((i) => isCiliumDevice(i.name)).map((i) => i.name);
    const calico = cilium.length > 0 ? [] : host.list.filter((i) => isCalicoEbpfDevice(i.name)).map((i) => i.name);
    const devices = cilium.length > 0 ? cilium : calico;
    if (devices.length > 0) {
      topo.datapath = 'ebpf';
      topo.ebpf = cilium.length > 0 ? 'cilium' : 'calico';
      const who = cilium.length > 0 ? 'Cilium' : "Calico's eBPF dataplane";
      cluster.warnings.add(
        `${node.name} runs ${who} (${devices.slice(0, 3).join(', ')}${devices.length > 3 ? ', …' : ''}): eBPF forwards pod traffic without the routing table, so a route-based trace is not faithful on this node`,
        node.name,
      );
    }
  }
  for (const a of topo.addresses) pushUnique(addresses, a);
  // Kubelets started with --hostname-override=<InternalIP> name nodes by address (`10.30.180.56`).
  if (ipFamily(node.name) !== null) pushUnique(addresses, canon(node.name));
  topo.addresses = addresses;

  const podCidrs: string[] = [];
  for (const c of snap.node.podCidrs ?? []) pushUnique(podCidrs, c);
  for (const c of topo.podCidrs) pushUnique(podCidrs, c);
  if (podCidrs.length === 0 && host !== undefined) for (const c of impliedPodCidrs(host)) pushUnique(podCidrs, c);
  topo.podCidrs = podCidrs;
}

/**
 * PodCIDRs the host netns implies when nothing states them: the subnet of the
 * pod bridge's address (flannel and the bridge plugin put the node's /24
 * there), and Calico's `blackhole … proto bird` routes for its own blocks.
 */
function impliedPodCidrs(host: NsWork): string[] {
  const out: string[] = [];
  for (const iface of host.list) {
    if (iface.role !== 'bridge' || !/^(cni0|cbr0|docker0)$/.test(iface.name)) continue;
    for (const a of iface.addresses) {
      if (a.family !== 4 || !isGlobalAddress(a)) continue;
      const p = parsePrefix(`${a.ip}/${a.prefixlen}`, 4);
      if (p !== null) out.push(formatPrefix(p));
    }
  }
  for (const route of host.topo.routes) {
    if (route.type === 'blackhole' && route.protocol === 'bird') out.push(route.dst);
  }
  return out;
}

/** `bridge-port` edges: each port → the bridge it is enslaved to. */
function bridgePorts(ns: NsWork, cluster: Cluster): void {
  const prefix = ns.topo.id.length + 1;
  for (const iface of ns.list) {
    if (iface.master === undefined) continue;
    const master = ns.get(iface.master.slice(prefix));
    if (master === undefined || master.role !== 'bridge') continue;
    const viaLink = ns.wire(iface.name)?.master === master.name;
    if (cluster.lazyPortEdges) cluster.edges.list.push(new BridgePortEdge(iface.id, master.id, iface.name, master.name, !viaLink));
    else cluster.edges.unique('bridge-port', iface.id, master.id, false, flat5(iface.name, ' ', viaLink ? 'master' : 'bridge fdb: master', ' ', master.name));
  }
}

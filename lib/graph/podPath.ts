/**
 * A pod's way out of its node: eth0 → host veth → bridge → host routing →
 * tunnel device → underlay NIC (or straight to a NIC for host-gw/BGP).
 *
 * Computed here from the topology with the trace engine's own route lookup
 * (lib/trace lookupRoute), not by asking the trace API: the graph needs the
 * path of every pod of an expanded node at once and must highlight it the
 * moment a pod is clicked, and the egress half of a trace depends only on the
 * pod's node. The destination is an address on another node (its first pod,
 * else its podCIDR's first address; `1.1.1.1` when the cluster has one node),
 * so the lookup follows the cross-node route the way a real packet would —
 * the full hop-by-hop trace stays one click away ("Trace to…").
 */
import { ipFamily, parsePrefix, numberToIpv4 } from '../net/ip';
import type { TopologyIndex } from '../topology/topologyIndex';
import type { TopoEdge, TopoInterface, TopoNetns, TopoPod, Topology } from '../topology/types';
import { lookupRoute } from '../trace/routeLookup';
import { formatRoute } from '../trace/format';

/** One stage of the egress path, by topology ids. */
export interface EgressStep {
  /** Interface id, or the pod id for the `pod` stage. */
  id: string;
  stage: 'pod' | 'veth' | 'bridge' | 'route' | 'tunnel' | 'nic';
  text: string;
  /** Topology edge crossed to reach this stage, when the topology has one. */
  edge?: string;
}

/** The egress path of one pod. */
export interface EgressPath {
  steps: EgressStep[];
  /** Why the path ends before a tunnel or NIC, or what is odd about it. */
  note: string | null;
  /** The destination the routing stages were asked about. */
  dst: string | null;
}

/** Edges by unordered endpoint pair, so a path finds the edge it crosses in O(1). */
export type EdgeLookup = Map<string, TopoEdge>;

function pairKey(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

/** Indexes edges by their two endpoints (first edge per pair wins). */
export function edgeLookup(edges: readonly TopoEdge[]): EdgeLookup {
  const m: EdgeLookup = new Map();
  for (const e of edges) {
    const k = pairKey(e.source, e.target);
    if (!m.has(k)) m.set(k, e);
  }
  return m;
}

function firstHostOf(cidr: string): string | null {
  const fam = ipFamily(cidr.split('/')[0] ?? '');
  if (fam !== 4) return null;
  const p = parsePrefix(cidr, 4);
  if (!p || typeof p.value !== 'number') return null;
  return numberToIpv4(p.length >= 31 ? p.value : p.value + 1);
}

/**
 * For every node, an IPv4 address that lives on another node: the first pod
 * of the next node in name order, else that node's first podCIDR address.
 */
export function outsideDestinations(t: Topology): Map<string, string> {
  const firstPodIp = new Map<string, string>();
  for (const p of t.pods) {
    if (p.node === undefined || p.hostNetwork || firstPodIp.has(p.node)) continue;
    const ip = p.ips.find((x) => ipFamily(x) === 4);
    if (ip) firstPodIp.set(p.node, ip);
  }
  const names = t.nodes.map((n) => n.id).sort();
  const byId = new Map(t.nodes.map((n) => [n.id, n] as const));
  const addressOf = (id: string): string | null => {
    const fromPod = firstPodIp.get(id);
    if (fromPod) return fromPod;
    const node = byId.get(id);
    for (const c of node?.podCidrs ?? []) {
      const a = firstHostOf(c);
      if (a) return a;
    }
    return null;
  };
  const out = new Map<string, string>();
  // Walk the ring once so each node gets the nearest following node with an address.
  const addr = names.map(addressOf);
  for (let i = 0; i < names.length; i++) {
    let found: string | null = null;
    // Usually the very next node has one; the scan is long only in clusters of bare nodes.
    for (let k = 1; k < names.length && found === null; k++) found = addr[(i + k) % names.length] ?? null;
    out.set(names[i]!, found ?? '1.1.1.1');
  }
  return out;
}

function isTunnel(i: TopoInterface): boolean {
  return i.role === 'vtep' || i.role === 'ip-tunnel';
}

function podEth0(idx: TopologyIndex, ns: TopoNetns, devName: string | undefined): TopoInterface | undefined {
  if (devName !== undefined) {
    const byName = idx.ifaceByName(ns.id, devName);
    if (byName) return byName;
  }
  return idx.interfacesOf(ns.id).find((i) => i.role === 'pod-veth') ?? idx.interfacesOf(ns.id).find((i) => i.kind !== 'loopback' && i.name !== 'lo');
}

/**
 * The egress path of `pod` towards `dst` (an address outside its node).
 * Stops early, with a note, where the evidence does: an uncaptured netns, an
 * unknown veth peer, a missing route, a rule that drops.
 */
export function podEgressPath(idx: TopologyIndex, edges: EdgeLookup, pod: TopoPod, dst: string): EgressPath {
  const steps: EgressStep[] = [];
  const done = (note: string | null): EgressPath => ({ steps, note, dst });
  const cross = (a: string, b: string): { edge?: string } => {
    const e = edges.get(pairKey(a, b));
    return e ? { edge: e.id } : {};
  };

  if (pod.hostNetwork) return done('hostNetwork pod: it uses the node’s own interfaces and routes, no veth');
  if (pod.netns === undefined) return done('the pod’s network namespace was not captured');
  const ns = idx.netns(pod.netns);
  if (!ns) return done('the pod’s network namespace was not captured');

  const inPod = lookupRoute(idx, ns, { dst });
  if (inPod.kind !== 'route') {
    steps.push({ id: pod.id, stage: 'pod', text: `${pod.name}: no route to ${dst} in the pod` });
    return done(inPod.kind === 'no-route' ? `no route to ${dst} in the pod’s netns` : `pod rule ${inPod.action}s ${dst}`);
  }
  const eth0 = podEth0(idx, ns, inPod.dev);
  steps.push({ id: pod.id, stage: 'pod', text: `${pod.name} ${eth0?.name ?? 'eth0'}: ${formatRoute(inPod.route)}` });
  if (!eth0) return done('the pod has no interface the route names');

  const hostVeth = idx.peerOf(eth0);
  if (!hostVeth || eth0.peer?.state === 'unknown') {
    return done(`veth peer of ${eth0.name} unknown: ${eth0.peer?.evidence ?? 'the capture does not say'}`);
  }
  const pairing = eth0.peer?.state === 'inferred' ? ' (pairing inferred)' : '';
  steps.push({ id: hostVeth.id, stage: 'veth', text: `${hostVeth.name}: host end of the pod’s veth${pairing}`, ...cross(eth0.id, hostVeth.id) });

  let ingress = hostVeth;
  if (hostVeth.master !== undefined) {
    const bridge = idx.iface(hostVeth.master);
    if (bridge) {
      steps.push({ id: bridge.id, stage: 'bridge', text: `${bridge.name}: frame to the bridge’s MAC goes up to the host stack`, ...cross(hostVeth.id, bridge.id) });
      ingress = bridge;
    }
  }

  const host = idx.netns(ingress.netns) ?? (pod.node !== undefined ? idx.hostNetnsOf(pod.node) : undefined);
  if (!host) return done('the host namespace was not captured');
  const src = pod.ips.find((x) => ipFamily(x) === 4);
  const inHost = lookupRoute(idx, host, { dst, iif: ingress.name, ...(src ? { src } : {}) });
  if (inHost.kind !== 'route') {
    return done(inHost.kind === 'no-route' ? `no host route to ${dst}` : `host rule ${inHost.action}s traffic to ${dst}`);
  }
  const out = inHost.dev !== undefined ? idx.ifaceByName(host.id, inHost.dev) : undefined;
  const routeText = `route ${formatRoute(inHost.route)}`;
  if (!out) return done(`${routeText}: its device is not in the capture`);
  const forwardOff = host.ipForward === false ? 'net.ipv4.ip_forward=0 on this node: the host drops forwarded pod traffic' : null;

  if (isTunnel(out)) {
    steps.push({ id: out.id, stage: 'route', text: routeText, ...cross(ingress.id, out.id) });
    const vni = out.vxlan ? ` (VNI ${out.vxlan.id})` : '';
    steps.push({ id: out.id, stage: 'tunnel', text: `${out.name}: encapsulates${vni}` });
    const under = underlayOf(idx, edges, out);
    if (under) {
      steps.push({ id: under.id, stage: 'nic', text: `${under.name}: carries the outer packet`, ...cross(out.id, under.id) });
      return done(forwardOff);
    }
    return done(forwardOff ?? `the underlay NIC of ${out.name} is not known`);
  }
  steps.push({ id: out.id, stage: 'route', text: routeText, ...cross(ingress.id, out.id) });
  steps.push({ id: out.id, stage: 'nic', text: `${out.name}: leaves the node` });
  return done(forwardOff);
}

function underlayOf(idx: TopologyIndex, edges: EdgeLookup, tunnel: TopoInterface): TopoInterface | undefined {
  const dev = tunnel.vxlan?.dev ?? tunnel.tunnel?.dev;
  if (dev !== undefined) {
    const byName = idx.ifaceByName(tunnel.netns, dev);
    if (byName) return byName;
  }
  for (const i of idx.interfacesOf(tunnel.netns)) {
    const e = edges.get(pairKey(tunnel.id, i.id));
    if (e && e.kind === 'underlay') return i;
  }
  return undefined;
}

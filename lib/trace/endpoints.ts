/**
 * Endpoint resolution: what the user typed (an IP, `namespace/name`, a pod
 * name unique across the cluster, a node name, or a captured netns as
 * `NODE/NETNS` or a unique netns name) → an address, and for the
 * source the captured namespace the packet starts in. Ambiguous or unknown
 * inputs are answered with the candidates, never guessed.
 */
import { canonicalIp, ipFamily, isIp } from '../net/ip';
import type { TopoNetns, TopoPod } from '../topology/types';
import type { TopologyIndex } from '../topology/topologyIndex';
import type { TraceEndpoint } from './types';

/** A resolved endpoint; `netns` is where the address lives when that namespace was captured. */
export type EndpointResolution =
  | { ok: true; endpoint: TraceEndpoint; netns?: TopoNetns }
  | { ok: false; endpoint: TraceEndpoint; reason: string };

function podLabel(p: TopoPod): string {
  return `${p.id}${p.node ? ` (node ${p.node})` : ''}`;
}

function podIp(idx: TopologyIndex, p: TopoPod): string | undefined {
  const v4 = p.ips.find((ip) => ipFamily(ip) === 4);
  if (v4 ?? p.ips[0]) return canonicalIp((v4 ?? p.ips[0])!);
  if (p.netns === undefined) return undefined;
  return netnsIp(idx, p.netns);
}

/** The first global IPv4 address of a namespace's own interfaces (not lo). */
function netnsIp(idx: TopologyIndex, netnsId: string): string | undefined {
  for (const i of idx.interfacesOf(netnsId)) {
    if (i.kind === 'loopback' || i.name === 'lo') continue;
    const a = i.addresses.find((x) => x.family === 4 && x.scope !== 'link' && x.scope !== 'host');
    if (a) return canonicalIp(a.ip);
  }
  return undefined;
}

/**
 * A captured namespace named by the user: `NODE/NETNS` (its id, as inspect prints it) or a
 * netns name unique in the evidence (`cni-…`, `nsenter-4242`) — pods pasted without kubectl
 * facts are only known this way.
 */
function fromNetns(idx: TopologyIndex, input: string, ns: TopoNetns): EndpointResolution {
  const ip = ns.kind === 'host' ? idx.node(ns.node)?.addresses[0] : netnsIp(idx, ns.id);
  const pod = idx.podOfNetns(ns.id);
  const endpoint: TraceEndpoint = { input, ip: ip === undefined ? '' : canonicalIp(ip), node: ns.node, ...(pod ? { pod: pod.id } : {}) };
  if (ip === undefined) return { ok: false, endpoint, reason: `netns ${ns.id} has no IPv4 address in the evidence` };
  return { ok: true, endpoint, netns: ns };
}

function netnsByName(idx: TopologyIndex, name: string): TopoNetns[] {
  return idx.topology.namespaces.filter((n) => n.kind !== 'host' && n.name === name);
}

function podNetns(idx: TopologyIndex, p: TopoPod): TopoNetns | undefined {
  if (p.netns !== undefined) return idx.netns(p.netns);
  if (p.hostNetwork && p.node !== undefined) return idx.hostNetnsOf(p.node);
  return undefined;
}

/** Netns ids holding `ip`, pods' own namespaces first. */
function owningNetns(idx: TopologyIndex, ip: string): TopoNetns[] {
  const seen = new Set<string>();
  const out: TopoNetns[] = [];
  for (const o of idx.ownersOf(ip)) {
    const id = idx.netnsOf(o);
    if (seen.has(id)) continue;
    seen.add(id);
    const ns = idx.netns(id);
    if (ns) out.push(ns);
  }
  return out;
}

function labelPodOfIp(idx: TopologyIndex, ip: string, ns: TopoNetns | undefined): TopoPod | undefined {
  if (ns) {
    const p = idx.podOfNetns(ns.id);
    if (p) return p;
  }
  const pods = idx.podsByIp(ip).filter((p) => !p.hostNetwork);
  return pods.length === 1 ? pods[0] : undefined;
}

function fromIp(idx: TopologyIndex, input: string, role: 'from' | 'to'): EndpointResolution {
  const ip = canonicalIp(input);
  const owners = owningNetns(idx, ip);
  let ns: TopoNetns | undefined;
  if (owners.length === 1) ns = owners[0];
  else if (owners.length > 1) {
    // Several namespaces hold the address (docker0's 172.17.0.1 on every node): a pod that claims it decides.
    const claimed = idx.podsByIp(ip).filter((p) => !p.hostNetwork && p.netns !== undefined && owners.some((o) => o.id === p.netns));
    if (claimed.length === 1) ns = idx.netns(claimed[0]!.netns!);
    else {
      const endpoint: TraceEndpoint = { input, ip };
      if (role === 'from') return { ok: false, endpoint, reason: `${ip} is held by several captured namespaces (${owners.map((o) => o.id).join(', ')}); name the pod instead` };
    }
  }
  const pod = labelPodOfIp(idx, ip, ns);
  const endpoint: TraceEndpoint = { input, ip, ...(pod ? { pod: pod.id } : {}), ...(ns ? { node: ns.node } : pod?.node ? { node: pod.node } : {}) };
  if (role === 'from' && !ns) {
    return { ok: false, endpoint, reason: `source ${ip} is not an address of any captured namespace${pod ? ` (pod ${podLabel(pod)} was not captured)` : ''}` };
  }
  return { ok: true, endpoint, netns: ns };
}

function fromPod(idx: TopologyIndex, input: string, p: TopoPod, role: 'from' | 'to'): EndpointResolution {
  const ip = podIp(idx, p);
  const base: TraceEndpoint = { input, ip: ip ?? '', pod: p.id, ...(p.node ? { node: p.node } : {}) };
  if (ip === undefined) return { ok: false, endpoint: base, reason: `pod ${podLabel(p)} has no known IP address in the evidence` };
  let ns = podNetns(idx, p);
  if (!ns) {
    const owners = owningNetns(idx, ip).filter((o) => p.node === undefined || o.node === p.node);
    if (owners.length === 1) ns = owners[0];
  }
  if (role === 'from' && !ns) {
    return { ok: false, endpoint: base, reason: `pod ${podLabel(p)} (${ip}) was not captured: its network namespace is not in the evidence` };
  }
  return { ok: true, endpoint: { ...base, ...(ns ? { node: ns.node } : {}) }, netns: ns };
}

/**
 * Resolves one end of a trace. The source must live in a captured namespace;
 * the destination may be any address.
 */
export function resolveEndpoint(idx: TopologyIndex, input: string, role: 'from' | 'to'): EndpointResolution {
  const text = input.trim();
  if (text.length === 0) return { ok: false, endpoint: { input, ip: '' }, reason: `empty ${role === 'from' ? 'source' : 'destination'}` };
  if (isIp(text)) return fromIp(idx, text, role);
  if (text.includes('/')) {
    const p = idx.podById(text);
    if (p) return fromPod(idx, input, p, role);
    const ns = idx.netns(text);
    if (ns) return fromNetns(idx, input, ns);
    const name = text.slice(text.indexOf('/') + 1);
    const elsewhere = idx.podsByName(name);
    const hint = elsewhere.length > 0 ? `; pods named ${name}: ${elsewhere.map(podLabel).join(', ')}` : '';
    return { ok: false, endpoint: { input, ip: '' }, reason: `no pod ${text} in the evidence${hint}` };
  }
  const pods = idx.podsByName(text);
  if (pods.length === 1) return fromPod(idx, input, pods[0]!, role);
  if (pods.length > 1) {
    return { ok: false, endpoint: { input, ip: '' }, reason: `pod name ${text} is ambiguous: ${pods.map(podLabel).join(', ')}; use namespace/name` };
  }
  const node = idx.node(text);
  if (node) {
    const ns = idx.hostNetnsOf(node.id);
    const ip = node.addresses[0];
    if (ip === undefined) return { ok: false, endpoint: { input, ip: '', node: node.id }, reason: `node ${node.name} has no known address` };
    if (role === 'from' && !ns) return { ok: false, endpoint: { input, ip, node: node.id }, reason: `node ${node.name} was not captured` };
    return { ok: true, endpoint: { input, ip: canonicalIp(ip), node: node.id }, netns: ns };
  }
  const named = netnsByName(idx, text);
  if (named.length === 1) return fromNetns(idx, input, named[0]!);
  if (named.length > 1) {
    return { ok: false, endpoint: { input, ip: '' }, reason: `netns ${text} is on several nodes: ${named.map((n) => n.id).join(', ')}; use NODE/NETNS` };
  }
  const close = idx.topology.pods.filter((p) => p.name.startsWith(text)).slice(0, 5);
  const hint = close.length > 0 ? `; pods starting with ${text}: ${close.map(podLabel).join(', ')}` : '';
  return { ok: false, endpoint: { input, ip: '' }, reason: `${text} is neither an IP address, a pod nor a node in the evidence${hint}` };
}

/**
 * Pods: the captured ones (a netns with a pod reference, or whose addresses
 * are a Kubernetes pod's IPs) and the ones only the Kubernetes API lists.
 * hostNetwork pods share their node's host netns and have no veth.
 */
import type { PodRef } from '../snapshot/schema';
import type { InterfaceAddress, TopoInterface, TopoPod } from './types';
import type { Cluster, NsWork } from './cluster';
import type { K8sPodFacts } from './k8s';
import { pushUnique } from './k8s';
import { flat3, isGlobalAddress } from './addr';

/**
 * Builds every pod, links pods and namespaces both ways, and creates
 * uncaptured nodes pods name. Order: captured pods in node order, then pods
 * only Kubernetes lists, in snapshot order — deterministic without a sort.
 */
export function buildPods(cluster: Cluster): TopoPod[] {
  /** Every pod, in the order it is first met. */
  const out: TopoPod[] = [];
  /** Captured pods Kubernetes does not list, by id; the ones it lists hang off their facts (K8sPodFacts.pod). */
  const unlisted = new Map<string, TopoPod>();
  /** A non-host netns without a pod reference: only then can an IP name its pod. */
  let unnamed = false;

  for (const node of cluster.nodes.values()) {
    for (let n = 0; n < node.namespaces.length; n++) {
      const ns = node.namespaces[n] as NsWork;
      const ref = ns.snap.pod;
      if (ns.isHost) continue;
      if (ref === undefined) {
        unnamed = true;
        continue;
      }
      // Flat, not a template's rope: the id is hashed as a Map key at once, which would flatten a rope anyway.
      const key = flat3(ref.namespace, '/', ref.name);
      const facts = cluster.k8s.pods.get(key);
      // Kubernetes' own id string when it lists the pod: the same text, kept once.
      const id = facts !== undefined ? facts.id : key;
      const existing = facts !== undefined ? facts.pod : unlisted.get(id);
      if (existing !== undefined) {
        cluster.warnings.add(`pod ${id} is captured twice (${existing.netns ?? '?'} and ${ns.topo.id}); the first is kept`, node.name, id);
        continue;
      }
      const uid = ref.uid ?? facts?.uid;
      const ips = sameIps(netnsIps(ns), facts);
      // The usual pod (a uid, a phase from Kubernetes) in one literal, keys in the order the steps below would add them.
      const pod: TopoPod =
        uid !== undefined && facts?.phase !== undefined && facts.hostNetwork === undefined
          ? { id, namespace: ref.namespace, name: ref.name, node: node.name, ips, netns: ns.topo.id, uid, phase: facts.phase }
          : ref.uid !== undefined
            ? { id, namespace: ref.namespace, name: ref.name, node: node.name, ips, netns: ns.topo.id, uid: ref.uid }
            : { id, namespace: ref.namespace, name: ref.name, node: node.name, ips, netns: ns.topo.id };
      if (facts !== undefined) facts.pod = pod;
      else unlisted.set(id, pod);
      out.push(pod);
    }
  }

  const byIp = new Map<string, K8sPodFacts>();
  for (const facts of cluster.k8s.pods.values()) {
    let pod = facts.pod;
    if (pod === undefined) {
      pod = { id: facts.id, namespace: facts.namespace, name: facts.name, ips: [...facts.allIps] };
      facts.pod = pod;
      out.push(pod);
    } else {
      for (const ip of facts.allIps) pushUnique(pod.ips, ip);
      if (pod.node !== undefined && facts.node !== undefined && pod.node !== facts.node) {
        cluster.warnings.add(`pod ${pod.id} was captured on ${pod.node} but Kubernetes places it on ${facts.node}`, pod.node, pod.id);
      }
    }
    if (facts.uid !== undefined && pod.uid === undefined) pod.uid = facts.uid;
    if (facts.phase !== undefined) pod.phase = facts.phase;
    if (facts.hostNetwork !== undefined) pod.hostNetwork = facts.hostNetwork;
    if (pod.node === undefined && facts.node !== undefined) pod.node = facts.node;
    if (pod.node !== undefined && (facts.hostNetwork === true || !cluster.nodes.has(pod.node))) {
      const node = cluster.ensureNode(pod.node);
      if (facts.hostNetwork === true && node.host !== undefined) pod.netns = node.host.topo.id;
    }
    // A hostNetwork pod's IP is its node's: it must not claim a pod netns.
    if (facts.hostNetwork !== true && unnamed) for (const ip of facts.allIps) byIp.set(ip, facts);
  }

  // A pod netns captured without a name (`ip netns exec cni-…`) is the pod whose IP it holds.
  if (byIp.size > 0) {
    for (const node of cluster.nodes.values()) {
      for (const ns of node.namespaces) {
        if (ns.isHost || ns.topo.pod !== undefined) continue;
        for (const ip of netnsIps(ns)) {
          const facts = byIp.get(ip);
          if (facts === undefined || (facts.node !== undefined && facts.node !== node.name)) continue;
          const pod = facts.pod;
          if (pod === undefined || pod.netns !== undefined) continue;
          pod.netns = ns.topo.id;
          pod.node = node.name;
          const ref: PodRef = { namespace: pod.namespace, name: pod.name };
          if (pod.uid !== undefined) ref.uid = pod.uid;
          ns.topo.pod = ref;
          if (ns.topo.kind === 'other') ns.topo.kind = 'pod';
          break;
        }
      }
    }
  }

  return out;
}

/**
 * The netns's IPs, or Kubernetes' list of the pod's IPs when it says the same (the usual pod):
 * that list already exists, so a hundred thousand pods keep one array each rather than two. The
 * facts are the builder's own and die with it, so the pod may grow the list later (pushUnique below).
 */
function sameIps(ips: string[], facts: K8sPodFacts | undefined): string[] {
  const known = facts?.allIps;
  if (known === undefined || known.length !== ips.length) return ips;
  for (let i = 0; i < ips.length; i++) if (ips[i] !== known[i]) return ips;
  return known;
}

/** Global addresses held in a pod netns: what Kubernetes calls the pod's IPs. */
function netnsIps(ns: NsWork): string[] {
  let ips: string[] | undefined;
  for (let i = 0; i < ns.list.length; i++) {
    const iface = ns.list[i] as TopoInterface;
    if (iface.role === 'loopback') continue;
    for (let k = 0; k < iface.addresses.length; k++) {
      const a = iface.addresses[k] as InterfaceAddress;
      if (!isGlobalAddress(a)) continue;
      // A pod's one address gets a one-slot array, not push's seventeen.
      if (ips === undefined) ips = [a.ip];
      else pushUnique(ips, a.ip);
    }
  }
  return ips ?? [];
}

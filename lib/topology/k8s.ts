/**
 * Kubernetes facts gathered from every snapshot: nodes (addresses, podCIDRs,
 * flannel annotations) and pods. Snapshots may each carry the whole cluster's
 * view or only their own part; facts are merged by name, later snapshots
 * filling in what earlier ones lacked.
 */
import type { K8sPod, Snapshot } from '../snapshot/schema';
import type { Warnings } from './cluster';
import type { TopoPod } from './types';
import { canon, flat3, isLinkLocalIp } from './addr';
import { ipFamily } from '../net/ip';

/** What the Kubernetes API says about one node. */
export interface K8sNodeFacts {
  name: string;
  addresses: string[];
  podCidrs: string[];
  annotations: Record<string, string>;
  /** Parsed flannel VXLAN annotations, when the node carries them. */
  flannel?: FlannelBackend;
}

/** flannel's VXLAN backend facts for one node (`backend-data` + `public-ip` annotations). */
export interface FlannelBackend {
  vni?: number;
  vtepMac?: string;
  publicIp?: string;
}

/** A pod as the Kubernetes API describes it, with its namespace settled. */
export interface K8sPodFacts {
  /** `namespace/name`; `?` stands for a namespace the evidence does not give. */
  id: string;
  namespace: string;
  name: string;
  uid: string | undefined;
  node: string | undefined;
  hostNetwork: boolean | undefined;
  phase: string | undefined;
  /** `ip` and `ips`, canonical and deduplicated. */
  allIps: string[];
  /** The topology's pod for these facts, once buildPods made it: found without a lookup among a hundred thousand ids. */
  pod: TopoPod | undefined;
}

/** Everything the Kubernetes API said, merged over all snapshots. */
export interface K8sFacts {
  nodes: Map<string, K8sNodeFacts>;
  pods: Map<string, K8sPodFacts>;
}

export const FLANNEL_BACKEND_DATA = 'flannel.alpha.coreos.com/backend-data';
export const FLANNEL_PUBLIC_IP = 'flannel.alpha.coreos.com/public-ip';

/** Merges the Kubernetes sections of all snapshots. */
export function mergeK8sFacts(snapshots: readonly Snapshot[], warnings: Warnings): K8sFacts {
  const nodes = new Map<string, K8sNodeFacts>();
  const pods = new Map<string, K8sPodFacts>();
  const noNamespace: string[] = [];
  for (const snap of snapshots) {
    for (const n of snap.kubernetes?.nodes ?? []) {
      let facts = nodes.get(n.name);
      if (facts === undefined) {
        facts = { name: n.name, addresses: [], podCidrs: [], annotations: {} };
        nodes.set(n.name, facts);
      }
      for (const a of n.addresses ?? []) pushUnique(facts.addresses, canon(a));
      for (const c of n.podCidrs ?? []) pushUnique(facts.podCidrs, c);
      if (n.annotations) Object.assign(facts.annotations, n.annotations);
    }
    for (const p of snap.kubernetes?.pods ?? []) {
      const namespace = p.namespace ?? '?';
      const id = flat3(namespace, '/', p.name);
      const existing = pods.get(id);
      if (existing === undefined) {
        if (p.namespace === undefined) noNamespace.push(p.name);
        pods.set(id, {
          id,
          namespace,
          name: p.name,
          uid: p.uid,
          node: p.node,
          hostNetwork: p.hostNetwork,
          phase: p.phase,
          allIps: podIps(p, []),
          pod: undefined,
        });
      } else {
        // The same pod in several snapshots: later facts fill in and override.
        existing.uid = p.uid ?? existing.uid;
        existing.node = p.node ?? existing.node;
        existing.hostNetwork = p.hostNetwork ?? existing.hostNetwork;
        existing.phase = p.phase ?? existing.phase;
        podIps(p, existing.allIps);
      }
    }
  }
  if (noNamespace.length > 0) {
    warnings.add(
      `${noNamespace.length} pod(s) without a namespace in the evidence, shown as ?/NAME: ${listSome(noNamespace)}`,
      undefined,
      noNamespace.length === 1 ? `?/${noNamespace[0]}` : undefined,
    );
  }
  for (const facts of nodes.values()) {
    const flannel = parseFlannel(facts, warnings);
    if (flannel !== undefined) {
      facts.flannel = flannel;
      if (flannel.publicIp !== undefined) pushUnique(facts.addresses, flannel.publicIp);
    }
    // Kubelets started with --hostname-override=<InternalIP> name nodes by address (`10.30.180.56`).
    if (ipFamily(facts.name) !== null && !isLinkLocalIp(facts.name)) pushUnique(facts.addresses, canon(facts.name));
  }
  return { nodes, pods };
}

function parseFlannel(facts: K8sNodeFacts, warnings: Warnings): FlannelBackend | undefined {
  const data = facts.annotations[FLANNEL_BACKEND_DATA];
  const publicIpText = facts.annotations[FLANNEL_PUBLIC_IP];
  if (data === undefined && publicIpText === undefined) return undefined;
  const backend: FlannelBackend = {};
  if (publicIpText !== undefined) {
    if (ipFamily(publicIpText.trim()) !== null) backend.publicIp = canon(publicIpText.trim());
    else warnings.add(`node ${facts.name}: ${FLANNEL_PUBLIC_IP} "${publicIpText}" is not an address`, facts.name);
  }
  if (data !== undefined) {
    try {
      const parsed: unknown = JSON.parse(data);
      if (parsed !== null && typeof parsed === 'object') {
        const o = parsed as Record<string, unknown>;
        if (typeof o.VNI === 'number') backend.vni = o.VNI;
        if (typeof o.VtepMAC === 'string') backend.vtepMac = o.VtepMAC.toLowerCase();
      }
    } catch {
      warnings.add(`node ${facts.name}: ${FLANNEL_BACKEND_DATA} is not JSON`, facts.name);
    }
  }
  return backend;
}

function podIps(p: K8sPod, into: string[]): string[] {
  // A new pod's list is returned as an exact copy: push leaves seventeen slots per pod, a hundred thousand pods long.
  const fresh = into.length === 0;
  if (p.ip !== undefined) pushUnique(into, canon(p.ip));
  if (p.ips !== undefined) for (let i = 0; i < p.ips.length; i++) pushUnique(into, canon(p.ips[i] as string));
  return fresh ? into.slice() : into;
}

/** Appends `v` unless present (lists here are short: a node's few addresses). */
export function pushUnique<T>(list: T[], v: T): void {
  if (!list.includes(v)) list.push(v);
}

/** `a, b, c and 7 more`: names in a warning without flooding it. */
export function listSome(names: readonly string[], max = 5): string {
  const shown = names.slice(0, max).join(', ');
  return names.length > max ? `${shown} and ${names.length - max} more` : shown;
}

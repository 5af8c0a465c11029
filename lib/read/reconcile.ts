/**
 * Reconciles what several inputs read separately say about one cluster.
 * People paste one file per node and run kubectl elsewhere (a laptop, the
 * control plane), so facts that only make sense together arrive apart:
 * the prompt says `ip-172-31-5-10` while Kubernetes calls the node
 * `ip-172-31-5-10.eu-west-1.compute.internal`, and the `cni-…` netns holding
 * a pod's IP is in one file while the pod list is in another.
 */
import type { K8sNode, K8sPod, Snapshot } from '../snapshot/schema';
import type { ReadResult } from './types';

/** One input's reading, and the node name the user forced for it (`NODE=FILE`), if any. */
export interface ReadingToReconcile {
  result: ReadResult;
  nodeName?: string;
}

function clusterFacts(snapshots: readonly Snapshot[]): { pods: K8sPod[]; nodes: K8sNode[] } {
  const pods: K8sPod[] = [];
  const nodes: K8sNode[] = [];
  for (const s of snapshots) {
    pods.push(...(s.kubernetes?.pods ?? []));
    nodes.push(...(s.kubernetes?.nodes ?? []));
  }
  return { pods, nodes };
}

/**
 * The Kubernetes name of a captured node whose own evidence names it
 * differently: the FQDN its short host name begins, else the one node whose
 * addresses include the captured node's. Null when none or several fit.
 */
function kubernetesName(s: Snapshot, k8sNames: ReadonlySet<string>, nodes: readonly K8sNode[]): string | null {
  const name = s.node.name;
  if (k8sNames.has(name)) return null;
  const byPrefix = [...k8sNames].filter((n) => n.startsWith(`${name}.`));
  if (byPrefix.length === 1) return byPrefix[0] as string;
  const own = new Set(s.node.addresses ?? []);
  if (own.size === 0) return null;
  const byAddress = new Set(nodes.filter((n) => (n.addresses ?? []).some((a) => own.has(a))).map((n) => n.name));
  return byAddress.size === 1 ? ([...byAddress][0] as string) : null;
}

/**
 * Renames captured nodes to their Kubernetes names and files named netns
 * holding a pod's IP under that pod, using the Kubernetes facts of every
 * reading. Mutates the readings (snapshots and warnings). Never throws.
 */
export function reconcileReadings(readings: readonly ReadingToReconcile[]): void {
  const all = readings.flatMap((r) => r.result.snapshots);
  const { pods, nodes } = clusterFacts(all);
  const k8sNames = new Set<string>([...nodes.map((n) => n.name), ...pods.map((p) => p.node).filter((n): n is string => n !== undefined)]);
  const taken = new Set(all.map((s) => s.node.name));
  for (const reading of readings) {
    for (const s of reading.result.snapshots) {
      if (reading.nodeName === undefined && s.namespaces.length > 0) {
        const k8s = kubernetesName(s, k8sNames, nodes);
        if (k8s !== null && !taken.has(k8s)) {
          reading.result.warnings.push({ message: `node ${s.node.name} is Kubernetes node ${k8s} (${k8s.startsWith(`${s.node.name}.`) ? 'its short host name' : 'the same address'}); read under the Kubernetes name` });
          taken.delete(s.node.name);
          taken.add(k8s);
          s.node.name = k8s;
        }
      }
      identifyPods(s, pods, reading.result);
    }
  }
}

function identifyPods(s: Snapshot, pods: readonly K8sPod[], result: ReadResult): void {
  for (const ns of s.namespaces) {
    if (ns.kind !== 'other') continue;
    const ips = new Set((ns.addresses ?? []).filter((a) => a.scope !== 'host').map((a) => a.local));
    if (ips.size === 0) continue;
    const matches = pods.filter(
      (p) => !p.hostNetwork && [p.ip, ...(p.ips ?? [])].some((ip) => ip !== undefined && ips.has(ip)) && (p.node === undefined || p.node === s.node.name),
    );
    // Two pods with one IP means the list is stale (a pod replaced); naming either would be a guess.
    const unique = new Map(matches.map((p) => [`${p.namespace ?? ''}/${p.name}`, p]));
    if (unique.size !== 1) continue;
    const pod = [...unique.values()][0] as K8sPod;
    ns.kind = 'pod';
    ns.pod = { namespace: pod.namespace ?? 'default', name: pod.name };
    if (pod.uid !== undefined) ns.pod.uid = pod.uid;
    result.warnings.push({ message: `netns ${ns.name} on ${s.node.name} holds the IP of pod ${ns.pod.namespace}/${pod.name} (from kubectl output read elsewhere in the evidence)` });
  }
}

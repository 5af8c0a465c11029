/**
 * Turns facts read from many commands into node snapshots. Commands that ran
 * in one place (the host, one pod, one named netns) merge into one
 * NetnsSnapshot: links by name (so `ip addr` and `ip -d link` of a device
 * enrich one Link), addresses, routes and entries de-duplicated. A section
 * exists only when a command that reports it ran; it is `filtered` unless
 * an unfiltered, unselective listing of it ran.
 */
import {
  SNAPSHOT_API_VERSION,
  type Address,
  type FdbEntry,
  type K8sEndpoints,
  type K8sNode,
  type K8sPod,
  type K8sService,
  type KubeProxyRules,
  type Link,
  type Neighbour,
  type NetnsId,
  type NetnsSnapshot,
  type PodRef,
  type Route,
  type Rule,
  type Section,
  type Snapshot,
} from '../snapshot/schema';
import { validateSnapshot } from '../snapshot/validate';
import type { ReadOptions, ReadWarning } from './types';

/** Everything read about one network namespace, before it becomes a NetnsSnapshot. */
export interface NetnsEvidence {
  name: string;
  kind: 'host' | 'pod' | 'other';
  pod?: PodRef;
  source?: string;
  links: Map<string, Link>;
  addresses: Address[];
  routes: Route[];
  rules: Rule[];
  neighbours: Neighbour[];
  fdb: FdbEntry[];
  netnsIds: NetnsId[];
  sysctls: Record<string, string>;
  /** Sections some command reported. */
  observed: Set<Section>;
  /** Sections a full, unfiltered listing reported. */
  complete: Set<Section>;
}

/** Everything read about one node: its namespaces and the kubectl facts seen from it. */
export interface NodeEvidence {
  /** The host an `ssh` session named; undefined for the transcript's own node. */
  sshHost?: string;
  netns: Map<string, NetnsEvidence>;
  pods: K8sPod[];
  nodes: K8sNode[];
  /** Host names in prompts of commands that ran in this node's host netns. */
  promptHosts: Set<string>;
  /** Nodes `kubectl describe node` described. */
  describedNodes: Set<string>;
  /** Pods whose netns a command ran in (`kubectl exec`). */
  capturedPods: Array<{ namespace: string; name: string }>;
  /** This node's podCIDRs as the node itself states them (flannel's subnet.env). */
  podCidrs: string[];
  /** Services and endpoints kubectl listed from this node. */
  services: K8sService[];
  endpoints: K8sEndpoints[];
  /** `--service-cluster-ip-range` of the API server. */
  serviceCidrs: string[];
  /** kube-proxy's rules in this node's host netns (iptables-save). */
  kubeProxy?: KubeProxyRules;
}

/** A fresh, empty node. */
export function newNodeEvidence(sshHost?: string): NodeEvidence {
  const n: NodeEvidence = {
    netns: new Map(),
    pods: [],
    nodes: [],
    promptHosts: new Set(),
    describedNodes: new Set(),
    capturedPods: [],
    podCidrs: [],
    services: [],
    endpoints: [],
    serviceCidrs: [],
  };
  if (sshHost !== undefined) n.sshHost = sshHost;
  return n;
}

/** The evidence of netns `name`, created on first use. */
export function netnsEvidence(
  node: NodeEvidence,
  name: string,
  init: { kind: 'host' | 'pod' | 'other'; pod?: PodRef; source?: string },
): NetnsEvidence {
  const existing = node.netns.get(name);
  if (existing) {
    // `ip netns list` only says the netns exists; a command run inside it says more about where the name came from.
    if (existing.source === 'ip netns list' && init.source !== undefined) existing.source = init.source;
    return existing;
  }
  const ns: NetnsEvidence = {
    name,
    kind: init.kind,
    links: new Map(),
    addresses: [],
    routes: [],
    rules: [],
    neighbours: [],
    fdb: [],
    netnsIds: [],
    sysctls: {},
    observed: new Set(),
    complete: new Set(),
  };
  if (init.pod) ns.pod = init.pod;
  if (init.source !== undefined) ns.source = init.source;
  node.netns.set(name, ns);
  return ns;
}

/** Records that a command reported `section`, completely or not. */
export function markSection(ns: NetnsEvidence, section: Section, complete: boolean): void {
  ns.observed.add(section);
  if (complete) ns.complete.add(section);
}

/**
 * Merges what one command says about a link into what is known. Later
 * evidence fills gaps and overrides scalars it states; the veth peer is
 * merged field by field (`@if220` then `link-netnsid 50`).
 */
export function mergeLink(ns: NetnsEvidence, link: Link): Link {
  const prev = ns.links.get(link.name);
  if (!prev) {
    const copy: Link = { ...link };
    if (link.peer) copy.peer = { ...link.peer };
    ns.links.set(link.name, copy);
    return copy;
  }
  for (const [k, v] of Object.entries(link) as Array<[keyof Link, unknown]>) {
    if (v === undefined || k === 'peer') continue;
    // A `-d` kind outranks the veth guess of a plain listing that comes later.
    if (k === 'kind' && prev.kind !== undefined && prev.kind !== 'veth' && v === 'veth') continue;
    (prev as Record<string, unknown>)[k] = v;
  }
  if (link.peer) prev.peer = { ...(prev.peer ?? {}), ...stripUndefined(link.peer) };
  return prev;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function addUnique<T>(list: T[], items: T[], key: (t: T) => string): void {
  const index = new Map(list.map((t, i) => [key(t), i]));
  for (const item of items) {
    const k = key(item);
    const at = index.get(k);
    if (at !== undefined) list[at] = item;
    else {
      index.set(k, list.length);
      list.push(item);
    }
  }
}

/**
 * Adds addresses; a later record of the same address on the same device
 * overrides what it states and keeps what it omits (`ip -br a` prints no
 * scope or broadcast after `ip a` did).
 */
export function addAddresses(ns: NetnsEvidence, items: Address[]): void {
  const key = (a: Address): string => `${a.ifname}|${a.local}|${a.prefixlen}`;
  const prev = new Map(ns.addresses.map((a) => [key(a), a]));
  addUnique(ns.addresses, items.map((a) => {
    const p = prev.get(key(a));
    return p ? { ...p, ...stripUndefined(a) } : a;
  }), key);
}

/** Adds routes; the kernel's identity of a route is its table, type, prefix, metric and (for IPv6) device. */
export function addRoutes(ns: NetnsEvidence, items: Route[]): void {
  addUnique(ns.routes, items, (r) => `${r.table}|${r.type}|${r.dst}|${r.metric ?? ''}|${r.dev ?? ''}|${r.gateway ?? ''}`);
}

/** Adds policy rules. */
export function addRules(ns: NetnsEvidence, items: Rule[]): void {
  addUnique(ns.rules, items, (r) => JSON.stringify([r.family, r.priority, r.src, r.dst, r.iif, r.oif, r.fwmark, r.action, r.table, r.not]));
}

/** Adds neighbour entries, one per address and device. */
export function addNeighbours(ns: NetnsEvidence, items: Neighbour[]): void {
  addUnique(ns.neighbours, items, (n) => `${n.dst}|${n.dev}`);
}

/** Adds FDB entries. */
export function addFdb(ns: NetnsEvidence, items: FdbEntry[]): void {
  addUnique(ns.fdb, items, (e) => `${e.mac}|${e.dev}|${e.dst ?? ''}|${e.vlan ?? ''}|${e.master ?? ''}`);
}

/** Adds netns ids as seen from this namespace. */
export function addNetnsIds(ns: NetnsEvidence, items: NetnsId[]): void {
  const byId = new Map(ns.netnsIds.map((n) => [n.nsid, n]));
  for (const item of items) byId.set(item.nsid, { ...(byId.get(item.nsid) ?? {}), ...item });
  ns.netnsIds = [...byId.values()];
}

/** Adds pods, merging what several kubectl outputs say about one pod. */
export function addPods(node: NodeEvidence, items: K8sPod[]): void {
  for (const pod of items) {
    const same = node.pods.find(
      (p) => p.name === pod.name && (p.namespace === undefined || pod.namespace === undefined || p.namespace === pod.namespace),
    );
    if (same) Object.assign(same, stripUndefined(pod));
    else node.pods.push({ ...pod });
  }
}

/** Adds nodes, merging annotations and addresses of the same node. */
export function addK8sNodes(node: NodeEvidence, items: K8sNode[]): void {
  for (const n of items) {
    const same = node.nodes.find((x) => x.name === n.name);
    if (!same) {
      node.nodes.push({ ...n });
      continue;
    }
    if (n.addresses) same.addresses = [...new Set([...(same.addresses ?? []), ...n.addresses])];
    if (n.podCidrs) same.podCidrs = [...new Set([...(same.podCidrs ?? []), ...n.podCidrs])];
    if (n.annotations) same.annotations = { ...(same.annotations ?? {}), ...n.annotations };
  }
}

/** Adds Services, the later listing of one Service replacing the earlier. */
export function addServices(node: NodeEvidence, items: K8sService[]): void {
  for (const svc of items) {
    const i = node.services.findIndex((x) => x.name === svc.name && x.namespace === svc.namespace);
    if (i >= 0) node.services[i] = svc;
    else node.services.push(svc);
  }
}

/** Adds endpoints, the later listing of one Service replacing the earlier. */
export function addEndpoints(node: NodeEvidence, items: K8sEndpoints[]): void {
  for (const ep of items) {
    const i = node.endpoints.findIndex((x) => x.name === ep.name && x.namespace === ep.namespace);
    if (i >= 0) node.endpoints[i] = ep;
    else node.endpoints.push(ep);
  }
}

/** Adds kube-proxy rules; a second iptables-save on the node appends (it may show the other table). */
export function addKubeProxyRules(node: NodeEvidence, rules: KubeProxyRules): void {
  const prev = node.kubeProxy;
  if (!prev) {
    node.kubeProxy = { ...rules };
    return;
  }
  const merge = (a: string[] | undefined, b: string[] | undefined): string[] | undefined => {
    if (!a) return b;
    if (!b) return a;
    const seen = new Set(a);
    return [...a, ...b.filter((r) => !seen.has(r))];
  };
  const nat = merge(prev.nat, rules.nat);
  const filter = merge(prev.filter, rules.filter);
  if (nat) prev.nat = nat;
  if (filter) prev.filter = filter;
  if (rules.mode) prev.mode = rules.mode;
  if (rules.filtered && !prev.filtered) prev.filtered = true;
}

const SECTION_ORDER: Section[] = ['links', 'addresses', 'routes', 'rules', 'neighbours', 'fdb', 'netnsIds', 'sysctls'];

function toNetnsSnapshot(ns: NetnsEvidence): NetnsSnapshot {
  const out: NetnsSnapshot = { name: ns.name, kind: ns.kind };
  if (ns.pod) out.pod = ns.pod;
  if (ns.source !== undefined) out.source = ns.source.slice(0, 4096);
  if (ns.observed.has('links')) {
    out.links = [...ns.links.values()].map((l) => {
      const link: Link = { ...l };
      // `iflink` equals the device's own ifindex on a physical NIC: that is no peer.
      if (link.peer && link.peer.ifindex !== undefined && link.peer.ifindex === link.ifindex && link.peer.netnsId === undefined) {
        delete link.peer.ifindex;
      }
      if (link.peer && Object.keys(link.peer).length === 0) delete link.peer;
      return link;
    });
  }
  if (ns.observed.has('addresses')) out.addresses = ns.addresses;
  if (ns.observed.has('routes')) out.routes = ns.routes;
  if (ns.observed.has('rules')) out.rules = ns.rules;
  if (ns.observed.has('neighbours')) out.neighbours = ns.neighbours;
  if (ns.observed.has('fdb')) out.fdb = ns.fdb;
  if (ns.observed.has('netnsIds')) out.netnsIds = ns.netnsIds;
  if (ns.observed.has('sysctls')) out.sysctls = ns.sysctls;
  const filtered = SECTION_ORDER.filter((s) => ns.observed.has(s) && !ns.complete.has(s));
  if (filtered.length > 0) out.filtered = filtered;
  return out;
}

function podOf(node: NodeEvidence, ref: { namespace?: string; name: string }): K8sPod | undefined {
  return node.pods.find((p) => p.name === ref.name && (p.namespace === undefined || ref.namespace === undefined || p.namespace === ref.namespace));
}

/** Picks the node's name from the evidence, in the order of how directly it names the node. */
function nodeName(node: NodeEvidence, opts: ReadOptions, warnings: ReadWarning[]): string {
  if (node.sshHost !== undefined) return node.sshHost;
  if (opts.nodeName !== undefined && opts.nodeName.trim() !== '') return opts.nodeName.trim();
  // Pods entered with kubectl exec, and named netns that turned out to hold a pod's IP.
  const captured = [
    ...node.capturedPods,
    ...[...node.netns.values()].filter((ns) => ns.pod !== undefined && ns.source !== 'kubectl exec').map((ns) => ns.pod as PodRef),
  ];
  const podNodes = new Set(captured.map((c) => podOf(node, c)?.node).filter((n): n is string => n !== undefined));
  if (podNodes.size === 1) return [...podNodes][0] as string;
  if (podNodes.size > 1) {
    warnings.push({ message: `the captured pods run on different nodes (${[...podNodes].join(', ')}); the node name comes from elsewhere` });
  }
  if (node.promptHosts.size === 1) return [...node.promptHosts][0] as string;
  if (node.promptHosts.size > 1) {
    warnings.push({ message: `prompts name several hosts (${[...node.promptHosts].join(', ')}); the transcript is read as one node` });
  }
  if (node.describedNodes.size === 1) return [...node.describedNodes][0] as string;
  if (opts.fileName !== undefined) {
    const base = opts.fileName.split(/[\\/]/).pop() ?? '';
    const stem = base.replace(/\.[^.]*$/, '');
    if (stem !== '') return stem;
  }
  return 'node';
}

function safeName(s: string): string {
  const t = s.replace(/\//g, '-').slice(0, 256);
  return t === '' ? 'node' : t;
}

/** Underlay addresses the host netns shows: those of the default-route device and the `src` of its kernel routes. */
function nodeAddresses(host: NetnsEvidence | undefined): string[] {
  if (!host) return [];
  const defaultDevs = new Set(
    host.routes
      .filter((r) => (r.dst === '0.0.0.0/0' || r.dst === '::/0' || r.dst === 'default') && (r.table === 'main' || r.table === '254'))
      .flatMap((r) => [r.dev, ...(r.nexthops ?? []).map((h) => h.dev)])
      .filter((d): d is string => d !== undefined),
  );
  const out: string[] = [];
  for (const a of host.addresses) {
    if (defaultDevs.has(a.ifname) && a.scope !== 'link' && a.scope !== 'host') out.push(a.local);
  }
  for (const r of host.routes) {
    if (r.prefsrc !== undefined && r.dev !== undefined && defaultDevs.has(r.dev) && r.protocol === 'kernel') out.push(r.prefsrc);
  }
  return [...new Set(out)];
}

/**
 * Calico's own IPAM blocks: bird (BGP mode) or Felix (VXLAN mode, `proto 80`) installs a blackhole route for each block
 * the node owns. Calico ignores the Kubernetes PodCIDR, so when `kubectl
 * describe node` gave one, these blocks must stand beside it or the node's
 * real pod addresses would be attributed to nobody.
 */
function calicoBlocks(host: NetnsEvidence | undefined): string[] {
  if (!host) return [];
  return host.routes
    .filter((r) => r.type === 'blackhole' && (r.protocol === 'bird' || r.protocol === '80') && (r.table === 'main' || r.table === '254'))
    .map((r) => r.dst);
}

/**
 * Upgrades a named netns (`ip netns exec cni-…`) to a pod netns when one of
 * its addresses is a pod IP kubectl reported.
 */
function identifyPods(node: NodeEvidence, warnings: ReadWarning[]): void {
  for (const ns of node.netns.values()) {
    if (ns.kind !== 'other') continue;
    const ips = new Set(ns.addresses.map((a) => a.local));
    const matches = node.pods.filter((p) => !p.hostNetwork && [p.ip, ...(p.ips ?? [])].some((ip) => ip !== undefined && ips.has(ip)));
    if (matches.length !== 1) continue;
    const pod = matches[0] as K8sPod;
    ns.kind = 'pod';
    ns.pod = { namespace: pod.namespace ?? 'default', name: pod.name };
    if (pod.uid !== undefined) ns.pod.uid = pod.uid;
    if (pod.namespace === undefined) {
      warnings.push({ message: `netns ${ns.name} holds pod ${pod.name}'s IP; its namespace was not shown, assumed "default"` });
    }
  }
}

/** How `assemble` did. */
export interface AssembleResult {
  snapshots: Snapshot[];
  warnings: ReadWarning[];
}

/**
 * Builds one snapshot per node. Every snapshot is checked against the
 * schema; an item the schema rejects is dropped with a warning rather than
 * failing the whole read.
 */
export function assemble(nodes: NodeEvidence[], opts: ReadOptions = {}): AssembleResult {
  const warnings: ReadWarning[] = [];
  const snapshots: Snapshot[] = [];
  for (const node of nodes) {
    identifyPods(node, warnings);
    const name = safeName(nodeName(node, opts, warnings));
    const host = node.netns.get('host');
    const namespaces = [...node.netns.values()]
      .sort((a, b) => (a.kind === 'host' ? -1 : 0) - (b.kind === 'host' ? -1 : 0))
      .map(toNetnsSnapshot);
    const k8sNode = node.nodes.find((n) => n.name === name);
    const addresses = [...new Set([...nodeAddresses(host), ...(k8sNode?.addresses ?? [])])];
    const snapshot: Snapshot = {
      apiVersion: SNAPSHOT_API_VERSION,
      kind: 'NodeSnapshot',
      node: { name },
      collector: { name: 'transcript' },
      namespaces,
    };
    if (addresses.length > 0) snapshot.node.addresses = addresses.slice(0, 64);
    const podCidrs = [...new Set([...node.podCidrs, ...(k8sNode?.podCidrs ?? []), ...calicoBlocks(host)])];
    if (podCidrs.length > 0) snapshot.node.podCidrs = podCidrs.slice(0, 64);
    if (opts.fileName !== undefined) snapshot.collector.source = opts.fileName.slice(0, 4096);
    if (opts.collectedAt !== undefined) snapshot.collectedAt = opts.collectedAt;
    if (hasKubernetesFacts(node)) {
      snapshot.kubernetes = {};
      if (node.pods.length > 0) snapshot.kubernetes.pods = node.pods;
      if (node.nodes.length > 0) snapshot.kubernetes.nodes = node.nodes;
      if (node.services.length > 0) snapshot.kubernetes.services = node.services;
      if (node.endpoints.length > 0) snapshot.kubernetes.endpoints = node.endpoints;
      if (node.serviceCidrs.length > 0) snapshot.kubernetes.serviceCidrs = node.serviceCidrs.slice(0, 16);
      if (node.kubeProxy) snapshot.kubernetes.kubeProxy = node.kubeProxy;
    }
    const checked = enforceSchema(snapshot, warnings);
    if (checked) snapshots.push(checked);
  }
  return { snapshots, warnings };
}

/**
 * Validates a snapshot and, when the schema rejects items (an odd value a
 * parser let through), removes exactly those items and says so. Returns
 * null only when the document stays invalid after that.
 */
export function enforceSchema(snapshot: Snapshot, warnings: ReadWarning[]): Snapshot | null {
  let doc: unknown = structuredClone(snapshot);
  for (let round = 0; round < 6; round++) {
    const v = validateSnapshot(doc);
    if (v.ok) return v.snapshot;
    if (round === 0 && (snapshot.collectedAt !== undefined)) {
      // A bad collectedAt from the caller must not cost the evidence.
      const bad = v.issues.some((i) => i.path === 'collectedAt');
      if (bad) {
        delete (doc as Record<string, unknown>).collectedAt;
        warnings.push({ message: `collectedAt ${JSON.stringify(snapshot.collectedAt)} is not an ISO 8601 time; dropped` });
        continue;
      }
    }
    let removed = false;
    // Remove deepest array elements first, highest index first, so paths stay valid.
    const targets = v.issues
      .map((i) => ({ issue: i, path: parsePath(i.path) }))
      .map((t) => ({ ...t, cut: lastArrayIndex(t.path) }))
      .filter((t) => t.cut >= 0)
      .sort((a, b) => (b.path[b.cut] as number) - (a.path[a.cut] as number));
    const done = new Set<string>();
    for (const t of targets) {
      const parentPath = t.path.slice(0, t.cut);
      const key = JSON.stringify(t.path.slice(0, t.cut + 1));
      if (done.has(key)) continue;
      done.add(key);
      const parent = getAt(doc, parentPath);
      if (Array.isArray(parent)) {
        parent.splice(t.path[t.cut] as number, 1);
        removed = true;
        warnings.push({ message: `dropped ${t.issue.path.replace(/\.[^.[\]]+$/, '')}: ${t.issue.message}` });
      }
    }
    if (!removed) {
      warnings.push({ message: `the snapshot failed validation: ${v.issues.map((i) => `${i.path}: ${i.message}`).join('; ').slice(0, 500)}` });
      return null;
    }
  }
  const last = validateSnapshot(doc);
  return last.ok ? last.snapshot : null;
}

function parsePath(path: string): Array<string | number> {
  const out: Array<string | number> = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (m[2] !== undefined) out.push(Number(m[2]));
    else if (m[1] !== undefined) out.push(m[1]);
  }
  return out;
}

function lastArrayIndex(path: Array<string | number>): number {
  for (let i = path.length - 1; i >= 0; i--) if (typeof path[i] === 'number') return i;
  return -1;
}

function getAt(doc: unknown, path: Array<string | number>): unknown {
  let cur: unknown = doc;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[p];
  }
  return cur;
}

/** Whether a node's evidence holds any Kubernetes fact (pods, nodes, Services and their rules). */
export function hasKubernetesFacts(n: NodeEvidence): boolean {
  return n.pods.length > 0 || n.nodes.length > 0 || n.services.length > 0 || n.endpoints.length > 0 || n.serviceCidrs.length > 0 || n.kubeProxy !== undefined;
}

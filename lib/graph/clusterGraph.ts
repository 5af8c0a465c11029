/**
 * Topology → ClusterGraph: the cut of a cluster the browser draws.
 *
 * A 1,000-node cluster with 110 pods per node has ~335k interfaces and, with
 * flannel's full VXLAN mesh, ~500k tunnel edges: far too much for a browser.
 * So above `collapseAbove` nodes every node arrives collapsed (one box with
 * counts and marks) unless named in `expand`; edges between collapsed nodes
 * are merged to one per node pair and kind, and when even those exceed
 * `edgeBudget` they are left out and counted (`summary.omittedEdges`, and
 * `peerLinks` on each node) — drawing half a mesh would mislead more than
 * drawing none. Edges touching an expanded node are always drawn.
 */
import { indexTopology, type TopologyIndex } from '../topology/topologyIndex';
import type { TopoEdge, TopoEdgeKind, TopoInterface, TopoNetns, TopoPod, Topology } from '../topology/types';
import { formatFdb, formatNeighbour, formatRoute } from '../trace/format';
import { edgeLookup, outsideDestinations, podEgressPath } from './podPath';
import { searchTopology } from './search';
import {
  elementId,
  type ClusterGraph,
  type GraphDevice,
  type GraphEdge,
  type GraphNetns,
  type GraphNode,
  type GraphPod,
  type GraphTunnel,
  type LinkState,
  type PathStep,
} from './types';

/** What to cut. */
export interface ClusterGraphOptions {
  /** Node ids to show in full detail (ignored names are dropped). */
  expand: readonly string[];
  /** A search (pod name, IP, interface name, MAC); its matches' nodes are expanded too. */
  focus?: string;
  /** Clusters with more nodes than this start collapsed. */
  collapseAbove?: number;
  /** Most merged edges drawn between collapsed nodes. */
  edgeBudget?: number;
}

/** Clusters up to this many nodes are drawn in full. */
export const DEFAULT_COLLAPSE_ABOVE = 30;
/** Merged collapsed-to-collapsed edges beyond this are counted, not drawn. */
export const DEFAULT_EDGE_BUDGET = 2000;

/** Most nodes a search expands by itself. */
export const FOCUS_EXPAND_LIMIT = 3;

/** Edge kinds that join two nodes. */
const INTER_NODE: ReadonlySet<TopoEdgeKind> = new Set(['vxlan', 'ipip', 'host-route', 'l2-segment']);

function nodeOfId(id: string): string {
  const slash = id.indexOf('/');
  return slash < 0 ? id : id.slice(0, slash);
}

/** Up, down or unknown, the way `ip link` flags and state read. */
export function linkState(i: TopoInterface): LinkState {
  if (i.adminUp === false) return 'down';
  const op = i.operState?.toUpperCase();
  if (op === 'DOWN' || op === 'LOWERLAYERDOWN' || op === 'NOTPRESENT') return 'down';
  if (i.adminUp === true && i.lowerUp === false) return 'down';
  if (i.adminUp === true || op === 'UP' || op === 'UNKNOWN') return 'up';
  return 'unknown';
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function edgeLabel(e: Pick<TopoEdge, 'kind' | 'vni' | 'outerSrc' | 'outerDst' | 'evidence'>): string {
  const outer = e.outerSrc !== undefined || e.outerDst !== undefined ? `${e.outerSrc ?? '?'} → ${e.outerDst ?? '?'}` : '';
  switch (e.kind) {
    case 'vxlan':
      return [e.vni !== undefined ? `VNI ${e.vni}` : 'VXLAN', outer].filter(Boolean).join(' · ');
    case 'ipip':
      return ['IPIP', outer].filter(Boolean).join(' · ');
    case 'host-route': {
      const via = e.evidence[0]?.match(/via (\S+)/)?.[1];
      return via ? `via ${via}` : 'routed';
    }
    case 'l2-segment':
      return 'same subnet';
    case 'veth':
    case 'bridge-port':
    case 'underlay':
      return '';
    default: {
      const never: never = e.kind;
      return String(never);
    }
  }
}

interface NodeTally {
  deviceCount: number;
  podCount: number;
  namespaces: Set<string>;
  downDevices: number;
  unknownPeers: number;
  inferredPeers: number;
  mtuMismatches: number;
  peerLinks: number;
  warnings: string[];
}

function tally(): NodeTally {
  return { deviceCount: 0, podCount: 0, namespaces: new Set(), downDevices: 0, unknownPeers: 0, inferredPeers: 0, mtuMismatches: 0, peerLinks: 0, warnings: [] };
}

// A topology is never mutated once built (the server caches it per revision),
// so cuts of it can be memoised by identity: the dashboard of every viewer
// polls the same few cuts.
const memo = new WeakMap<Topology, Map<string, ClusterGraph>>();
const MEMO_PER_TOPOLOGY = 16;

/**
 * The graph of `t` cut as `opts` asks. The result is shared between calls
 * with the same topology object and options: treat it as read-only.
 */
export function clusterGraph(t: Topology, opts: ClusterGraphOptions): ClusterGraph {
  const key = JSON.stringify([[...opts.expand].sort(), opts.focus?.trim() ?? '', opts.collapseAbove ?? null, opts.edgeBudget ?? null]);
  let cuts = memo.get(t);
  if (!cuts) {
    cuts = new Map();
    memo.set(t, cuts);
  }
  const hit = cuts.get(key);
  if (hit) return hit;
  const built = cutGraph(t, opts);
  if (cuts.size >= MEMO_PER_TOPOLOGY) {
    const oldest = cuts.keys().next();
    if (!oldest.done) cuts.delete(oldest.value);
  }
  cuts.set(key, built);
  return built;
}

function cutGraph(t: Topology, opts: ClusterGraphOptions): ClusterGraph {
  const collapseAbove = opts.collapseAbove ?? DEFAULT_COLLAPSE_ABOVE;
  const edgeBudget = opts.edgeBudget ?? DEFAULT_EDGE_BUDGET;
  const ifaceById = new Map<string, TopoInterface>();
  for (const i of t.interfaces) ifaceById.set(i.id, i);
  const nodeIds = new Set(t.nodes.map((n) => n.id));
  const collapsedByDefault = t.nodes.length > collapseAbove;

  const matches = opts.focus !== undefined && opts.focus.trim() !== '' ? searchTopology(t, opts.focus) : [];
  const expanded = new Set<string>();
  if (!collapsedByDefault) for (const id of nodeIds) expanded.add(id);
  for (const id of opts.expand) if (nodeIds.has(id)) expanded.add(id);
  // Only the best few matches' nodes: a loose query ("api") would otherwise
  // expand half the cluster. The others stay in `matches` for the UI to open.
  const focusNodes = new Set<string>();
  for (const m of matches) {
    const n = m.node?.slice('node:'.length);
    if (n === undefined || !nodeIds.has(n)) continue;
    if (focusNodes.size >= FOCUS_EXPAND_LIMIT && !focusNodes.has(n)) continue;
    focusNodes.add(n);
    expanded.add(n);
  }

  const netnsKind = new Map<string, TopoNetns['kind']>();
  for (const ns of t.namespaces) netnsKind.set(ns.id, ns.kind);
  const podByNetns = new Map<string, TopoPod>();
  for (const p of t.pods) if (p.netns !== undefined && !p.hostNetwork && netnsKind.get(p.netns) !== 'host') podByNetns.set(p.netns, p);

  const tallies = new Map<string, NodeTally>();
  const tallyOf = (node: string): NodeTally => {
    let v = tallies.get(node);
    if (!v) {
      v = tally();
      tallies.set(node, v);
    }
    return v;
  };
  for (const n of t.nodes) tallyOf(n.id);

  for (const i of t.interfaces) {
    const nt = tallyOf(i.node);
    const inPod = podByNetns.has(i.netns) || netnsKind.get(i.netns) === 'pod';
    if (!inPod && i.kind !== 'loopback') nt.deviceCount++;
    if (i.kind !== 'loopback' && linkState(i) === 'down') nt.downDevices++;
    if (i.peer?.state === 'unknown') nt.unknownPeers++;
    else if (i.peer?.state === 'inferred') nt.inferredPeers++;
  }
  const namespaces = new Set<string>();
  for (const p of t.pods) {
    namespaces.add(p.namespace);
    if (p.node === undefined) continue;
    const nt = tallyOf(p.node);
    nt.podCount++;
    nt.namespaces.add(p.namespace);
  }
  const clusterWarnings: string[] = [];
  for (const w of t.warnings) {
    if (w.node !== undefined) tallyOf(w.node).warnings.push(w.message);
    else clusterWarnings.push(w.message);
  }

  // Which element stands for a topology endpoint in this cut.
  const repr = (id: string): string | null => {
    const node = nodeOfId(id);
    if (!expanded.has(node)) return nodeIds.has(node) ? elementId.node(node) : null;
    const i = ifaceById.get(id);
    if (!i) return nodeIds.has(id) ? elementId.node(id) : null;
    const pod = podByNetns.get(i.netns);
    if (pod) return elementId.pod(pod.id);
    if (i.kind === 'loopback') return null;
    return elementId.device(i.id);
  };

  const mtuBad = new Set<string>();
  const downIds = new Set<string>();
  const edges: GraphEdge[] = [];
  const merged = new Map<string, GraphEdge>();
  const merge = (e: TopoEdge, a: string, b: string, down: boolean): void => {
    const [x, y] = a < b ? [a, b] : [b, a];
    const key = elementId.aggregate(e.kind, x, y);
    const prev = merged.get(key);
    if (prev) {
      prev.count++;
      prev.inferred = prev.inferred && e.inferred;
      prev.mtuMismatch = prev.mtuMismatch || e.mtuMismatch === true;
      prev.down = prev.down || down;
      if (prev.evidence.length < 6) prev.evidence.push(...e.evidence.slice(0, 6 - prev.evidence.length));
      if (prev.vni !== (e.vni ?? null)) prev.vni = null;
      prev.label = prev.vni !== null ? `VNI ${prev.vni} ×${prev.count}` : `${e.kind} ×${prev.count}`;
      return;
    }
    merged.set(key, {
      id: key,
      kind: e.kind,
      source: x,
      target: y,
      label: edgeLabel(e),
      inferred: e.inferred,
      evidence: e.evidence.slice(0, 6),
      vni: e.vni ?? null,
      outerSrc: e.outerSrc ?? null,
      outerDst: e.outerDst ?? null,
      dstPort: e.dstPort ?? null,
      mtuMismatch: e.mtuMismatch === true,
      down,
      count: 1,
      aggregated: true,
    });
  };
  // Collapsed-to-collapsed edges are only counted on the first pass (as
  // numeric pair keys: a full mesh of 1,000 nodes is 500k of them) and built
  // afterwards if they fit the budget.
  const nodeNumber = new Map<string, number>();
  for (const id of nodeIds) nodeNumber.set(id, nodeNumber.size);
  const collapsedPairs = new Set<number>();
  const deferred: TopoEdge[] = [];
  let omittedEdges = 0;
  for (const e of t.edges) {
    const sn = nodeOfId(e.source);
    const tn = nodeOfId(e.target);
    if (sn !== tn && INTER_NODE.has(e.kind)) {
      tallyOf(sn).peerLinks++;
      tallyOf(tn).peerLinks++;
    }
    if (e.mtuMismatch) {
      mtuBad.add(e.source);
      mtuBad.add(e.target);
      tallyOf(sn).mtuMismatches++;
      if (tn !== sn) tallyOf(tn).mtuMismatches++;
    }
    const sx = expanded.has(sn);
    const tx = expanded.has(tn);
    // Inside one collapsed node: drawn as part of its box.
    if (sn === tn && !sx) continue;
    if (!sx && !tx) {
      if (collapsedPairs.size > edgeBudget) {
        omittedEdges++;
        continue;
      }
      const p = nodeNumber.get(sn);
      const q = nodeNumber.get(tn);
      if (p === undefined || q === undefined) continue;
      collapsedPairs.add(p < q ? p * nodeIds.size + q : q * nodeIds.size + p);
      deferred.push(e);
      continue;
    }
    const a = repr(e.source);
    const b = repr(e.target);
    if (a === null || b === null || a === b) continue;
    const down = isDown(ifaceById, e.source, downIds) || isDown(ifaceById, e.target, downIds);
    if (!sx || !tx) {
      merge(e, a, b, down);
      continue;
    }
    edges.push({
      id: elementId.edge(e.id),
      kind: e.kind,
      source: a,
      target: b,
      label: edgeLabel(e),
      inferred: e.inferred,
      evidence: e.evidence,
      vni: e.vni ?? null,
      outerSrc: e.outerSrc ?? null,
      outerDst: e.outerDst ?? null,
      dstPort: e.dstPort ?? null,
      mtuMismatch: e.mtuMismatch === true,
      down,
      count: 1,
      aggregated: false,
    });
  }
  // Pairs can differ by kind too, so the pair count is a lower bound of the merged edges.
  if (collapsedPairs.size > edgeBudget) {
    omittedEdges += deferred.length;
  } else {
    for (const e of deferred) {
      const a = elementId.node(nodeOfId(e.source));
      const b = elementId.node(nodeOfId(e.target));
      merge(e, a, b, isDown(ifaceById, e.source, downIds) || isDown(ifaceById, e.target, downIds));
    }
  }
  edges.push(...merged.values());
  edges.sort((p, q) => cmp(p.id, q.id));

  const nodes: GraphNode[] = t.nodes
    .map((n): GraphNode => {
      const nt = tallyOf(n.id);
      const tunnels: GraphTunnel[] = n.tunnels
        .map((id) => ifaceById.get(id))
        .filter((i): i is TopoInterface => i !== undefined)
        .map((i) => ({
          name: i.name,
          kind: i.kind ?? i.role,
          vni: i.vxlan?.id ?? null,
          local: i.vxlan?.local ?? i.tunnel?.local ?? null,
          dev: i.vxlan?.dev ?? i.tunnel?.dev ?? null,
          port: i.vxlan?.port ?? null,
          mtu: i.mtu ?? null,
        }));
      return {
        id: elementId.node(n.id),
        name: n.name,
        expanded: expanded.has(n.id),
        captured: n.captured,
        collectedAt: n.collectedAt ?? null,
        source: n.source ?? null,
        addresses: n.addresses,
        podCidrs: n.podCidrs,
        ipForward: n.ipForward ?? null,
        datapath: n.datapath,
        podCount: nt.podCount,
        deviceCount: nt.deviceCount,
        podNamespaces: [...nt.namespaces].sort(),
        tunnels,
        underlay: n.underlay.map((id) => ifaceById.get(id)?.name ?? id.slice(id.lastIndexOf('/') + 1)),
        warnings: nt.warnings,
        peerLinks: nt.peerLinks,
        downDevices: nt.downDevices,
        mtuMismatches: nt.mtuMismatches,
        unknownPeers: nt.unknownPeers,
        inferredPeers: nt.inferredPeers,
      };
    })
    .sort((a, b) => cmp(a.name, b.name));

  const devices: GraphDevice[] = [];
  const netns: GraphNetns[] = [];
  const pods: GraphPod[] = [];
  const toDevice = (i: TopoInterface): GraphDevice => {
    const pod = podByNetns.get(i.netns);
    const master = i.master !== undefined ? ifaceById.get(i.master) : undefined;
    return {
      id: pod ? elementId.pod(pod.id) : elementId.device(i.id),
      topoId: i.id,
      node: elementId.node(i.node),
      netns: i.netns,
      name: i.name,
      role: i.role,
      kind: i.kind ?? 'other',
      mtu: i.mtu ?? null,
      mac: i.mac ?? null,
      state: linkState(i),
      operState: i.operState ?? null,
      addresses: i.addresses.map((a) => `${a.ip}/${a.prefixlen}${a.inferred ? ' (inferred)' : ''}`),
      master: master ? elementId.device(master.id) : i.master !== undefined ? elementId.device(i.master) : null,
      masterName: master?.name ?? (i.master !== undefined ? i.master.slice(i.master.lastIndexOf('/') + 1) : null),
      peer: i.peer ? { id: i.peer.id !== undefined ? repr(i.peer.id) : null, state: i.peer.state, evidence: i.peer.evidence } : null,
      vxlan: i.vxlan
        ? { id: i.vxlan.id, local: i.vxlan.local ?? null, dev: i.vxlan.dev ?? null, port: i.vxlan.port ?? null, learning: i.vxlan.learning ?? null }
        : null,
      tunnel: i.tunnel ? { mode: i.tunnel.mode, local: i.tunnel.local ?? null, remote: i.tunnel.remote ?? null, dev: i.tunnel.dev ?? null } : null,
      inferred: i.inferred === true,
      mtuMismatch: mtuBad.has(i.id),
      pod: pod ? elementId.pod(pod.id) : null,
    };
  };

  if (expanded.size > 0) {
    // The trace engine's index (route tables, peers) is only needed for pod paths.
    const idx = indexTopology(t);
    const lookup = edgeLookup(t.edges.filter((e) => nodeOfId(e.source) === nodeOfId(e.target) && expanded.has(nodeOfId(e.source))));
    const destinations = outsideDestinations(t);
    for (const ns of t.namespaces) {
      if (!expanded.has(ns.node)) continue;
      const pod = podByNetns.get(ns.id);
      netns.push({
        id: ns.id,
        node: elementId.node(ns.node),
        name: ns.name,
        kind: ns.kind,
        pod: pod ? elementId.pod(pod.id) : null,
        routes: ns.routes.map(formatRoute),
        neighbours: ns.neighbours.map((n) => ({ dev: n.dev, text: formatNeighbour(n) })),
        fdb: ns.fdb.map((f) => ({ dev: f.dev, text: formatFdb(f) })),
        ipForward: ns.ipForward ?? null,
        known: [...ns.known],
      });
      if (pod) continue;
      for (const id of ns.interfaces) {
        const i = ifaceById.get(id);
        if (!i || i.kind === 'loopback' || i.name === 'lo') continue;
        devices.push(toDevice(i));
      }
    }
    for (const p of t.pods) {
      const onNode = p.node !== undefined ? expanded.has(p.node) : !collapsedByDefault;
      if (!onNode) continue;
      pods.push(toPod(idx, p, toDevice, repr, lookup, destinations.get(p.node ?? '') ?? '1.1.1.1'));
    }
  }
  devices.sort((a, b) => cmp(a.id, b.id));
  pods.sort((a, b) => cmp(a.id, b.id));

  return {
    summary: {
      nodes: t.nodes.length,
      capturedNodes: t.nodes.filter((n) => n.captured).length,
      pods: t.pods.length,
      interfaces: t.interfaces.length,
      expanded: [...expanded].sort(),
      collapsedByDefault,
      omittedEdges,
      edgeBudget,
    },
    nodes,
    devices,
    pods,
    netns,
    edges,
    namespaces: [...namespaces].sort(),
    warnings: clusterWarnings,
    matches,
  };
}

function isDown(ifaceById: ReadonlyMap<string, TopoInterface>, id: string, cache: Set<string>): boolean {
  if (cache.has(id)) return true;
  const i = ifaceById.get(id);
  if (i && i.kind !== 'loopback' && linkState(i) === 'down') {
    cache.add(id);
    return true;
  }
  return false;
}

function toPod(
  idx: TopologyIndex,
  p: TopoPod,
  toDevice: (i: TopoInterface) => GraphDevice,
  repr: (id: string) => string | null,
  lookup: ReturnType<typeof edgeLookup>,
  dst: string,
): GraphPod {
  const own = p.netns !== undefined && !p.hostNetwork ? idx.interfacesOf(p.netns).filter((i) => i.kind !== 'loopback' && i.name !== 'lo') : [];
  const eth0 = own.find((i) => i.role === 'pod-veth') ?? own[0];
  const egress = podEgressPath(idx, lookup, p, dst);
  const path: string[] = [];
  const steps: PathStep[] = [];
  const seen = new Set<string>();
  const push = (id: string | null): void => {
    if (id !== null && !seen.has(id)) {
      seen.add(id);
      path.push(id);
    }
  };
  // Edges and devices in crossing order, so the highlight reads as one line.
  for (const st of egress.steps) {
    if (st.edge !== undefined) push(elementId.edge(st.edge));
    const el = st.stage === 'pod' ? elementId.pod(p.id) : repr(st.id);
    push(el);
    if (el !== null) steps.push({ id: el, stage: st.stage, text: st.text });
  }
  const hostVeth = eth0 && eth0.peer?.id !== undefined ? repr(eth0.peer.id) : null;
  return {
    id: elementId.pod(p.id),
    topoId: p.id,
    name: p.name,
    namespace: p.namespace,
    node: p.node !== undefined ? elementId.node(p.node) : null,
    ips: p.ips,
    netns: p.netns ?? null,
    hostNetwork: p.hostNetwork === true,
    phase: p.phase ?? null,
    captured: p.netns !== undefined,
    interfaces: own.map(toDevice),
    hostVeth,
    peerState: eth0?.peer?.state ?? null,
    path,
    pathSteps: steps,
    pathNote: egress.note,
  };
}

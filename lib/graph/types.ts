/**
 * The cluster graph: what the dashboard draws, cut from a Topology to the
 * size a browser can hold. Large clusters arrive with every node collapsed
 * (a box with counts); expanded nodes carry their devices, pods and the
 * evidence the details panel shows. Pure data, JSON-safe: the route handler
 * sends it as is, lib/graph/elements.ts turns it into cytoscape elements.
 *
 * Element ids are prefixed by what they are (`node:`, `if:`, `pod:`, `e:`,
 * `agg:`) because topology ids of different things can coincide (a pod
 * `default/web` and a netns `default/web` of node `default`).
 */
import type { InterfaceRole, TopoEdgeKind } from '../topology/types';

/** A device's link state at a glance. */
export type LinkState =
  /** Administratively up with carrier (or a virtual device that reports UNKNOWN while working). */
  | 'up'
  /** Administratively down, `state DOWN` or no carrier. */
  | 'down'
  /** The capture lost the flags and the state. */
  | 'unknown';

/** How a veth end's peer is known (from the topology's PeerRef). */
export type PeerState = 'paired' | 'inferred' | 'unknown';

/** A tunnel device of a node, summarised for the collapsed box and the details panel. */
export interface GraphTunnel {
  name: string;
  kind: string;
  vni: number | null;
  local: string | null;
  /** Underlay device the tunnel names (`dev ens3`). */
  dev: string | null;
  port: number | null;
  mtu: number | null;
}

/** One Kubernetes node: a collapsed box or the compound parent of its devices and pods. */
export interface GraphNode {
  id: string;
  name: string;
  expanded: boolean;
  captured: boolean;
  collectedAt: string | null;
  source: string | null;
  addresses: string[];
  podCidrs: string[];
  /** `net.ipv4.ip_forward`; null when not captured. */
  ipForward: boolean | null;
  datapath: 'route-based' | 'ebpf';
  podCount: number;
  /** Interfaces of the host and other non-pod namespaces, loopback excluded. */
  deviceCount: number;
  /** Kubernetes namespaces of its pods, sorted. */
  podNamespaces: string[];
  tunnels: GraphTunnel[];
  /** Underlay NIC names. */
  underlay: string[];
  warnings: string[];
  /** Node-to-node relations (tunnels, host routes, shared segments) the topology has for it. */
  peerLinks: number;
  downDevices: number;
  mtuMismatches: number;
  unknownPeers: number;
  inferredPeers: number;
}

/** A veth's other end, by element id when it is drawn. */
export interface GraphPeer {
  /** Element id of the peer (a device or the pod holding it); null when unknown or not drawn. */
  id: string | null;
  state: PeerState;
  evidence: string;
}

/** One network device of an expanded node (host side) or of a pod (inside GraphPod). */
export interface GraphDevice {
  id: string;
  /** The topology's interface id (`n/ns/ifname`). */
  topoId: string;
  node: string;
  /** Topology netns id. */
  netns: string;
  name: string;
  role: InterfaceRole;
  kind: string;
  mtu: number | null;
  mac: string | null;
  state: LinkState;
  /** `operState` as captured (`UP`, `DOWN`, `UNKNOWN`…), null when lost. */
  operState: string | null;
  /** `ip/len` strings; inferred ones end with ` (inferred)`. */
  addresses: string[];
  /** Element id of the bridge it is a port of. */
  master: string | null;
  masterName: string | null;
  peer: GraphPeer | null;
  vxlan: { id: number; local: string | null; dev: string | null; port: number | null; learning: boolean | null } | null;
  tunnel: { mode: string; local: string | null; remote: string | null; dev: string | null } | null;
  /** Known to exist without being listed. */
  inferred: boolean;
  /** An edge touching it has an MTU mismatch. */
  mtuMismatch: boolean;
  /** Element id of the pod whose netns holds it, for pod-side devices. */
  pod: string | null;
}

/** One pod of an expanded node. */
export interface GraphPod {
  id: string;
  /** `namespace/name`. */
  topoId: string;
  name: string;
  namespace: string;
  /** Node element id; null when Kubernetes did not say. */
  node: string | null;
  ips: string[];
  netns: string | null;
  hostNetwork: boolean;
  phase: string | null;
  /** True when its netns was captured. */
  captured: boolean;
  /** Its own interfaces (eth0…), loopback excluded: drawn as part of the pod. */
  interfaces: GraphDevice[];
  /** Element id of the host-side veth of its eth0. */
  hostVeth: string | null;
  peerState: PeerState | null;
  /** The way out of the node (see podPath.ts): element ids, nodes and edges, in order. */
  path: string[];
  /** Each step of `path` in words, aligned with the node ids of `path`. */
  pathSteps: PathStep[];
  /** Why the path stops where it does, when it does not reach a tunnel or NIC. */
  pathNote: string | null;
}

/** One stage of a pod's way out of its node. */
export interface PathStep {
  /** Element id of the device (or pod) of this stage. */
  id: string;
  stage: 'pod' | 'veth' | 'bridge' | 'route' | 'tunnel' | 'nic';
  text: string;
}

/** A netns of an expanded node, with what the details panel prints. */
export interface GraphNetns {
  id: string;
  node: string;
  name: string;
  kind: 'host' | 'pod' | 'other';
  /** Pod element id. */
  pod: string | null;
  /** As `ip route show table all` prints them. */
  routes: string[];
  neighbours: Array<{ dev: string; text: string }>;
  fdb: Array<{ dev: string; text: string }>;
  ipForward: boolean | null;
  /** Sections present in the evidence; others are unknown, not empty. */
  known: string[];
}

/** One drawn edge: a topology edge, or several merged between collapsed nodes. */
export interface GraphEdge {
  id: string;
  kind: TopoEdgeKind;
  source: string;
  target: string;
  label: string;
  inferred: boolean;
  evidence: string[];
  vni: number | null;
  outerSrc: string | null;
  outerDst: string | null;
  dstPort: number | null;
  mtuMismatch: boolean;
  /** Either end is a down device. */
  down: boolean;
  /** Number of topology edges it stands for (1 unless aggregated). */
  count: number;
  aggregated: boolean;
}

/** A search hit: what matched and the element to select. */
export interface GraphMatch {
  kind: 'pod' | 'device' | 'node';
  /** Element id to select (a pod-side interface selects its pod). */
  elementId: string;
  /** Node element id, whose expansion shows the match. */
  node: string | null;
  label: string;
  /** What matched: `name`, `ip`, `mac`. */
  field: 'name' | 'ip' | 'mac';
}

/** Counts over the whole cluster, and what this cut left out. */
export interface GraphSummary {
  nodes: number;
  capturedNodes: number;
  pods: number;
  interfaces: number;
  /** Node names shown expanded. */
  expanded: string[];
  /** True when nodes are collapsed unless asked for (cluster above the threshold). */
  collapsedByDefault: boolean;
  /** Node-to-node edges between collapsed nodes left out because there were more than the budget. */
  omittedEdges: number;
  edgeBudget: number;
}

/** What `/api/v1/clusters/{c}/graph` carries and the dashboard draws. */
export interface ClusterGraph {
  summary: GraphSummary;
  nodes: GraphNode[];
  devices: GraphDevice[];
  pods: GraphPod[];
  netns: GraphNetns[];
  edges: GraphEdge[];
  /** Kubernetes namespaces of every pod of the cluster, sorted. */
  namespaces: string[];
  /** Topology warnings not tied to a node. */
  warnings: string[];
  /** Search results for `focus`, best first. */
  matches: GraphMatch[];
}

/** `GET /api/v1/clusters/{cluster}/graph?at&expand&focus` */
export interface GraphResponse {
  cluster: string;
  revision: number;
  latestRevision: number;
  /** Set when retention removed evidence this revision used. */
  notice?: string;
  graph: ClusterGraph;
}

/** Element id helpers: one place decides the prefixes. */
export const elementId = {
  node: (node: string) => `node:${node}`,
  device: (topoId: string) => `if:${topoId}`,
  pod: (topoId: string) => `pod:${topoId}`,
  edge: (topoId: string) => `e:${topoId}`,
  aggregate: (kind: string, a: string, b: string) => `agg:${kind}:${a}~${b}`,
} as const;

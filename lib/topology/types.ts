/**
 * Domain shapes of a cluster's network, built from node snapshots.
 *
 * Every id is a path: node `n`, netns `n/ns`, interface `n/ns/ifname`.
 * None of the parts can contain `/` (Kubernetes node names are DNS
 * subdomains, netns names are file names, Linux rejects `/` in ifnames), so
 * ids are unambiguous and readable in URLs and logs.
 *
 * What the evidence does not say stays `undefined`/`null` (unknown), and what
 * podnet inferred rather than read is marked `inferred`.
 */
import type { ServicesIndex } from './services';
import type {
  FdbEntry,
  LinkKind,
  Neighbour,
  PodRef,
  Route,
  Rule,
  Section,
  TunnelInfo,
  VxlanInfo,
} from '../snapshot/schema';

/** The part an interface plays in pod networking. */
export type InterfaceRole =
  /** The pod side of a veth (usually `eth0` in a pod netns). */
  | 'pod-veth'
  /** The host side of a pod's veth (`vethXXXX`, `caliXXXX`, `lxcXXXX`). */
  | 'host-veth'
  /** A Linux bridge (`cni0`, `docker0`, `cbr0`). */
  | 'bridge'
  /** A VXLAN tunnel endpoint (`flannel.1`, `vxlan.calico`). */
  | 'vtep'
  /** An IP-in-IP (or other L3) tunnel (`tunl0`). */
  | 'ip-tunnel'
  /** A NIC that carries node-to-node traffic. */
  | 'underlay'
  | 'loopback'
  | 'other';

/** One address on an interface. */
export interface InterfaceAddress {
  ip: string;
  prefixlen: number;
  family: 4 | 6;
  scope?: string;
  peer?: string;
  /** Learned indirectly (e.g. from a route's `src`), not from `ip addr`. */
  inferred?: boolean;
}

/** How an interface's veth peer is known. */
export interface PeerRef {
  /** The peer's interface id, when found in the evidence. */
  id?: string;
  /** `paired`: the evidence names both ends; `inferred`: podnet matched them by elimination; `unknown`: the peer is not in the evidence. */
  state: 'paired' | 'inferred' | 'unknown';
  /** What the pairing rests on, e.g. `pod eth0@if220 names host ifindex 220`. */
  evidence: string;
}

/** One network device in one namespace on one node. */
export interface TopoInterface {
  id: string;
  node: string;
  /** Id of the netns holding it (`n/ns`), as built by buildTopology. */
  netns: string;
  name: string;
  ifindex?: number;
  kind?: LinkKind;
  role: InterfaceRole;
  mtu?: number;
  mac?: string;
  /** Administrative state (flag `UP`); `undefined` when the flags were lost. */
  adminUp?: boolean;
  /** `state UP|DOWN|UNKNOWN|LOWERLAYERDOWN`. */
  operState?: string;
  /** Carrier (flag `LOWER_UP`). */
  lowerUp?: boolean;
  addresses: InterfaceAddress[];
  /** Id of the bridge this interface is a port of. */
  master?: string;
  /** For veths. */
  peer?: PeerRef;
  vxlan?: VxlanInfo;
  tunnel?: TunnelInfo;
  proxyArp?: boolean;
  /** True when this interface was not listed but is known to exist (e.g. named by a route or `brctl`). */
  inferred?: boolean;
}

/** One network namespace. */
export interface TopoNetns {
  id: string;
  node: string;
  name: string;
  kind: 'host' | 'pod' | 'other';
  pod?: PodRef;
  /** Interface ids in this namespace, in kernel (ifindex) order; a listed interface without an ifindex keeps its place after the one listed before it, stubs come last. */
  interfaces: string[];
  routes: Route[];
  rules: Rule[];
  neighbours: Neighbour[];
  fdb: FdbEntry[];
  sysctls: Record<string, string>;
  /** Sections present in the evidence; the rest is unknown, not empty. */
  known: Section[];
  /** Sections read through a filter (`| grep`) and possibly incomplete. */
  filtered: Section[];
  /** `net.ipv4.ip_forward`, when known. */
  ipForward?: boolean;
}

/** One pod, captured or only known from Kubernetes facts. */
export interface TopoPod {
  /** `namespace/name`. */
  id: string;
  namespace: string;
  name: string;
  uid?: string;
  node?: string;
  ips: string[];
  /** The pod's netns id when its namespace was captured; hostNetwork pods point at the host netns. */
  netns?: string;
  hostNetwork?: boolean;
  phase?: string;
}

/** A Kubernetes node of the cluster (captured, or only named by the evidence). */
export interface TopoNode {
  id: string;
  name: string;
  /** Underlay addresses. */
  addresses: string[];
  podCidrs: string[];
  /** True when a snapshot of this node was read; false for nodes only referred to. */
  captured: boolean;
  collectedAt?: string;
  /** Which reader/collector produced the snapshot. */
  source?: string;
  hostNetns?: string;
  ipForward?: boolean;
  /** VXLAN devices and IP tunnels of the host netns. */
  tunnels: string[];
  underlay: string[];
  /** `route-based` unless eBPF datapaths (Cilium, Calico's eBPF dataplane) make a route-based trace unfaithful. */
  datapath: 'route-based' | 'ebpf';
  /** Which eBPF dataplane, when `datapath` is `ebpf`: `cilium` (cilium_host, lxc…) or `calico` (bpfin.cali/bpfout.cali). */
  ebpf?: 'cilium' | 'calico';
}

/** A relationship the graph draws. */
export type TopoEdgeKind =
  /** Two ends of a veth pair. */
  | 'veth'
  /** An interface enslaved to a bridge. */
  | 'bridge-port'
  /** Two VTEPs that encapsulate towards each other. */
  | 'vxlan'
  /** An IP tunnel towards a remote node. */
  | 'ipip'
  /** A plain routed next hop across the underlay (host-gw, BGP without overlay). */
  | 'host-route'
  /** A tunnel device and the underlay NIC that carries it. */
  | 'underlay'
  /** Two underlay NICs on a shared subnet. */
  | 'l2-segment';

/** One edge of the cluster graph. */
export interface TopoEdge {
  id: string;
  kind: TopoEdgeKind;
  source: string;
  target: string;
  /** True when podnet deduced it rather than read it. */
  inferred: boolean;
  /** The evidence, in words (`fdb 0a:.. dst 30.0.1.161`, `route 10.244.2.0/24 via ...`). */
  evidence: string[];
  /** For tunnels. */
  vni?: number;
  outerSrc?: string;
  outerDst?: string;
  dstPort?: number;
  /** Different MTUs on both ends, or a tunnel MTU above underlay minus overhead. */
  mtuMismatch?: boolean;
}

/** Something the builder noticed. */
export interface TopoWarning {
  node?: string;
  subject?: string;
  message: string;
}

/** Everything read from a set of node snapshots. */
export interface Topology {
  nodes: TopoNode[];
  namespaces: TopoNetns[];
  interfaces: TopoInterface[];
  pods: TopoPod[];
  edges: TopoEdge[];
  warnings: TopoWarning[];
  /** kube-proxy rules and Service facts, when the evidence has any (a trace to a ClusterIP forks through them). */
  services?: ServicesIndex;
}

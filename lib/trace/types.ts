/**
 * The trace model, in Batfish's vocabulary: a trace is a disposition plus
 * hops; a hop is one device in one netns on one node, holding typed steps.
 * Step outcomes and the trace's disposition are separate enums. This is the
 * shape the CLI's `--json`, the API and the UI all serve.
 */

import type { ServiceEndpointRule, ServicesIndex } from '../topology/services';

/** What became of the packet as a whole. */
export type Disposition =
  /** Reached a namespace that owns the destination address. */
  | 'delivered'
  /** Dropped; `reason` says where and why. */
  | 'dropped'
  /** Left the covered evidence towards a node or network that was not captured; `exit` names it. */
  | 'exits-network'
  /** The evidence lacks something the next step needs; `reason` names it. */
  | 'insufficient-information'
  /** The packet came back to a place it had already been. */
  | 'loop';

/** Dispositions a user would call success. */
export const SUCCESS_DISPOSITIONS: ReadonlySet<Disposition> = new Set<Disposition>(['delivered', 'exits-network']);

/** Why a packet was dropped. */
export type DropReason =
  | 'no-route'
  | 'blackhole-route'
  | 'unreachable-route'
  | 'prohibit-route'
  | 'rule-action'
  | 'ip-forward-disabled'
  | 'link-down'
  | 'mtu-exceeded'
  | 'neighbor-unresolved'
  | 'fdb-missing'
  | 'vni-mismatch'
  | 'no-vtep'
  | 'rp-filter'
  | 'ttl-exceeded'
  | 'not-addressed-here'
  /** A Service without ready endpoints: kube-proxy rejects the packet (ICMP port unreachable). */
  | 'service-no-endpoints';

/** What one step of a hop did. */
export type StepOutcome = 'ok' | 'dropped' | 'unknown';

/** IPv4/IPv6 header fields the trace tracks. */
export interface PacketHeaders {
  src: string;
  dst: string;
  /** 1 = ICMP, 4 = IP-in-IP, 17 = UDP. */
  protocol: number;
  ttl: number;
  /** Total IP packet length in bytes. */
  length: number;
  srcMac?: string;
  dstMac?: string;
  srcPort?: number;
  dstPort?: number;
}

/** Encapsulation applied at a hop. */
export interface Encapsulation {
  type: 'vxlan' | 'ipip';
  vni?: number;
  outerSrc: string;
  outerDst: string;
  /** UDP destination port (VXLAN). */
  dstPort?: number;
  /** Bytes added in front of the inner packet. */
  overhead: number;
}

interface StepBase {
  outcome: StepOutcome;
  /** One line a person reads: what happened here and why. */
  detail: string;
}

/** A typed step of a hop. */
export type Step =
  | (StepBase & { action: 'originated'; packet: PacketHeaders })
  | (StepBase & { action: 'received'; interface: string; packet: PacketHeaders })
  | (StepBase & { action: 'veth-crossed'; peer: string; evidence: string })
  | (StepBase & {
      action: 'routed';
      /** The matched route as `ip route` prints it. */
      route: string;
      table: string;
      /** `ip rule` that chose the table, when not the default lookup. */
      rule?: string;
      nextHop?: string;
      outInterface?: string;
      /** TTL decremented here (a forwarding hop). */
      forwarded: boolean;
    })
  | (StepBase & { action: 'neighbor-resolved'; ip: string; mac: string; entry: string })
  | (StepBase & { action: 'bridged'; bridge: string; outPort?: string; entry?: string; toHost: boolean })
  | (StepBase & { action: 'fdb-resolved'; mac: string; remote: string; entry: string })
  | (StepBase & { action: 'encapsulated'; encap: Encapsulation; inner: PacketHeaders; outer: PacketHeaders })
  | (StepBase & { action: 'decapsulated'; encap: Encapsulation; inner: PacketHeaders })
  | (StepBase & { action: 'transmitted'; interface: string; mtu?: number })
  | (StepBase & { action: 'delivered'; address: string })
  | (StepBase & { action: 'exited'; nextHop?: string; towards: string })
  | (StepBase & {
      action: 'dnat';
      /** `namespace/name:port-name` as kube-proxy's rule comment says. */
      service: string;
      /** The netfilter hook: PREROUTING for a packet arriving from a pod, OUTPUT for one the host sends. */
      hook: 'PREROUTING' | 'OUTPUT';
      /** `10.96.0.10:53` (the ClusterIP or node address and port the packet was sent to). */
      original: string;
      /** The KUBE-SERVICES (or KUBE-NODEPORTS) rule that matched, as iptables-save prints it. */
      rule: string;
      /** Every ready endpoint the rules may pick, with its share of new connections. */
      endpoints: ServiceEndpoint[];
      /** Within one fork: the endpoint this path continues to (`10.244.1.3:53`). */
      translated?: string;
      /** Set when kube-proxy's KUBE-MARK-MASQ rule matched: the source is masqueraded at POSTROUTING. */
      masquerade?: string;
    })
  | (StepBase & { action: 'dropped'; reason: DropReason })
  | (StepBase & { action: 'insufficient-information'; missing: string });

/** Every step action, for exhaustive switches. */
export type StepAction = Step['action'];

/** One device in one netns on one node. */
export interface Hop {
  node: string;
  /** Netns name (`host` for the node's own). */
  netns: string;
  /** `namespace/name`, or null for the host netns (and unnamed namespaces). */
  pod: string | null;
  /** Interface name. */
  interface: string;
  /** Interface id (`node/netns/ifname`). */
  interfaceId: string;
  steps: Step[];
  /** The packet as it is at this hop (the outer packet on underlay hops). */
  packet: PacketHeaders;
  /** Set on hops that carry an encapsulated packet: the hop that encapsulates and the underlay hops after it. */
  encap?: Encapsulation;
}

/** Where a packet left the covered evidence. */
export interface TraceExit {
  /** The node it left from and the interface it left by. */
  node: string;
  interface: string;
  nextHop?: string;
  /** What the packet heads to: a node name when the evidence names one, else an address or network. */
  towards: string;
  /** Set when the destination is a known node that was not captured. */
  uncoveredNode?: string;
}

/** A resolved endpoint. */
export interface TraceEndpoint {
  /** As the user gave it. */
  input: string;
  ip: string;
  pod?: string;
  node?: string;
}

/** An endpoint of a Service as kube-proxy's rules list it, with the pod and node that own its address. */
export interface ServiceEndpoint extends ServiceEndpointRule {
  pod?: string;
  node?: string;
}

/** How a packet's way ended, and what it passed: a whole trace and each of a Service's forks. */
export interface TraceOutcome {
  verdict: Disposition;
  /** Why the trace ended as it did, in words. */
  reason: string;
  dropReason?: DropReason;
  exit?: TraceExit;
  hops: Hop[];
  /** Addresses `traceroute` would print, in order (`*` for a hop that does not answer; a last `?` where the evidence ends). */
  traceroute: string[];
  warnings: string[];
}

/**
 * One path of a trace to a Service: the packet DNATed to one endpoint, followed to its end. Its `hops`
 * are the whole path from the source, the DNAT hop included; its `traceroute` is what
 * `traceroute -T -p PORT` (or `-U -p PORT`) would print when its probes are DNATed to this endpoint: one
 * line per forwarding hop and the endpoint, each showing the Service address, as the DNAT node's
 * conntrack rewrites the source of every ICMP error about the probe.
 */
export interface TraceFork extends TraceOutcome {
  endpoint: ServiceEndpoint;
}

/** The Service a traced destination turned out to be. */
export interface TraceService {
  /** `namespace/name:port-name`. */
  name: string;
  /** `10.96.0.10:53/udp`. */
  address: string;
  rule: string;
}

/** A whole trace. */
export interface Trace extends TraceOutcome {
  from: TraceEndpoint;
  to: TraceEndpoint;
  /** Total IP packet size in bytes. */
  size: number;
  /** Set when kube-proxy rewrote the destination (a ClusterIP or NodePort). */
  service?: TraceService;
  /** One sub-trace per ready endpoint of the Service; the verdict above summarises them and `hops` end at the DNAT. */
  forks?: TraceFork[];
}

/** Options of a trace. */
export interface TraceOptions {
  /** Total IP packet size in bytes (default 84, an ICMP echo of 56 data bytes). */
  size?: number;
  /** Initial TTL (default 64). */
  ttl?: number;
  /** 1 ICMP (default), 6 TCP, 17 UDP; a Service destination defaults to its first port's protocol. */
  protocol?: number;
  /** Destination port (TCP/UDP); also given as `--to IP:PORT`. */
  dstPort?: number;
  /** Service facts (lib/topology/services.ts buildServices); default: the topology's own `services`, when it carries them. */
  services?: ServicesIndex;
}

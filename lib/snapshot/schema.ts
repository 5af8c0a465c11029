/**
 * Snapshot format v1: one JSON document = one node at one time.
 *
 * This is the wire shape the collector pushes, the upload accepts and every
 * reader produces. It stays close to what iproute2 reports (names, ifindexes,
 * `ip route` fields) so that nothing is lost between the kernel and podnet;
 * the topology builder turns it into domain shapes.
 *
 * Absence is meaningful: a section that is `undefined` was not observed (a
 * transcript that never ran `ip neigh`), while an empty array was observed to
 * be empty. Sections read through `grep`/`head` are listed in `filtered`.
 */
import { z } from 'zod';
import { ROUTE_TYPES } from './routeTypes';

export const SNAPSHOT_API_VERSION = 'podnet.dev/v1';

/** Bounds that keep one document from exhausting the server (issue: security defaults). */
export const LIMITS = {
  name: 256,
  string: 4096,
  namespaces: 5000,
  linksPerNetns: 20000,
  addressesPerNetns: 20000,
  routesPerNetns: 200000,
  rulesPerNetns: 10000,
  neighboursPerNetns: 200000,
  fdbPerNetns: 200000,
  pods: 100000,
  nodes: 20000,
} as const;

const name = z.string().min(1).max(LIMITS.name);
const str = z.string().max(LIMITS.string);
const ifindex = z.number().int().min(0).max(2 ** 31);
const mac = z
  .string()
  .max(64)
  .regex(/^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2})*$/, 'expected a MAC address like aa:bb:cc:dd:ee:ff');
/** An IPv4 or IPv6 address without prefix. Checked loosely here, strictly by the readers. */
const ip = z.string().min(2).max(64).regex(/^[0-9a-fA-F:.]+(%[\w.-]+)?$/, 'expected an IP address');
/** `A.B.C.D/N`, `x::/N`, or `default`. */
const prefix = z
  .string()
  .min(1)
  .max(64)
  .regex(/^(default|[0-9a-fA-F:.]+(\/\d{1,3})?)$/, 'expected a prefix like 10.0.0.0/24 or "default"');

export const LinkKindSchema = z.enum([
  'loopback',
  'device',
  'veth',
  'bridge',
  'vxlan',
  'ipip',
  'geneve',
  'wireguard',
  'dummy',
  'bond',
  'vlan',
  'macvlan',
  'ipvlan',
  'tun',
  'gre',
  'other',
]);
/** What kind of device a link is (`ip -d link` `info_kind`, or `device` for a physical NIC). */
export type LinkKind = z.infer<typeof LinkKindSchema>;

export const VethPeerSchema = z.object({
  /** Peer's ifindex in the peer's own namespace (`link_index`, `@ifN`, `peer_ifindex`, `iflink`). */
  ifindex: ifindex.optional(),
  /** Peer's netns id as seen from this namespace (`link_netnsid`, `link-netnsid N`). */
  netnsId: z.number().int().min(-1).optional(),
  /** Peer's netns name when iproute2 printed one (`link-netns NAME`). */
  netnsName: name.optional(),
});
export type VethPeer = z.infer<typeof VethPeerSchema>;

export const VxlanInfoSchema = z.object({
  id: z.number().int().min(0).max(16777215),
  local: ip.optional(),
  remote: ip.optional(),
  group: ip.optional(),
  /** Underlay device name (`dev ens3`). */
  dev: name.optional(),
  port: z.number().int().min(0).max(65535).optional(),
  learning: z.boolean().optional(),
  /** `proxy`: the VTEP answers ARP from its own neighbour table (old flannel). */
  proxy: z.boolean().optional(),
  /** `l2miss`: an FDB miss is reported to user space (flanneld ≤ 0.8 adds the entry). */
  l2miss: z.boolean().optional(),
  /** `l3miss`: a neighbour miss is reported to user space, which adds the entry on demand. */
  l3miss: z.boolean().optional(),
  ttl: z.number().int().optional(),
});
export type VxlanInfo = z.infer<typeof VxlanInfoSchema>;

export const TunnelInfoSchema = z.object({
  /** ipip, gre, sit... */
  mode: name,
  local: ip.optional(),
  remote: ip.optional(),
  dev: name.optional(),
  ttl: z.number().int().optional(),
});
export type TunnelInfo = z.infer<typeof TunnelInfoSchema>;

export const LinkSchema = z.object({
  ifindex: ifindex.optional(),
  name,
  kind: LinkKindSchema.optional(),
  /** Raw `info_kind` when it is not one of the known kinds. */
  infoKind: name.optional(),
  mtu: z.number().int().min(0).max(1_000_000).optional(),
  mac: mac.optional(),
  /** `<BROADCAST,MULTICAST,UP,LOWER_UP>`; absent when the capture lost them (pasted from a web page). */
  flags: z.array(name).max(64).optional(),
  /** `state UP|DOWN|UNKNOWN|LOWERLAYERDOWN`. */
  operState: name.optional(),
  /** Bridge (or bond) this link is enslaved to. */
  master: name.optional(),
  peer: VethPeerSchema.optional(),
  vxlan: VxlanInfoSchema.optional(),
  tunnel: TunnelInfoSchema.optional(),
  /** Bridge port / bridge details we keep verbatim (e.g. `proxy_arp`). */
  proxyArp: z.boolean().optional(),
});
export type Link = z.infer<typeof LinkSchema>;

export const AddressSchema = z.object({
  ifname: name,
  ifindex: ifindex.optional(),
  family: z.union([z.literal(4), z.literal(6)]),
  local: ip,
  prefixlen: z.number().int().min(0).max(128),
  /** Point-to-point peer (`peer 1.2.3.4/32`). */
  peer: ip.optional(),
  broadcast: ip.optional(),
  scope: name.optional(),
  /** Address label (`eth0:1`). */
  label: name.optional(),
  secondary: z.boolean().optional(),
});
export type Address = z.infer<typeof AddressSchema>;

export const RouteTypeSchema = z.enum(ROUTE_TYPES);
/** `ip route` route type. */
export type RouteType = z.infer<typeof RouteTypeSchema>;

export const NextHopSchema = z.object({
  gateway: ip.optional(),
  dev: name.optional(),
  weight: z.number().int().min(0).optional(),
  flags: z.array(name).max(16).optional(),
});
export type NextHop = z.infer<typeof NextHopSchema>;

export const RouteSchema = z.object({
  family: z.union([z.literal(4), z.literal(6)]),
  /** `main`, `local`, `default` or a number as a string. */
  table: name,
  type: RouteTypeSchema,
  /** Always a prefix with length (`0.0.0.0/0` for `default`). */
  dst: prefix,
  gateway: ip.optional(),
  dev: name.optional(),
  protocol: name.optional(),
  scope: name.optional(),
  prefsrc: ip.optional(),
  metric: z.number().int().min(0).optional(),
  /** `onlink`, `linkdown`, `dead`, ... */
  flags: z.array(name).max(16).optional(),
  /** ECMP next hops (`nexthop via ... dev ... weight N`). */
  nexthops: z.array(NextHopSchema).max(256).optional(),
  mtu: z.number().int().min(0).optional(),
});
export type Route = z.infer<typeof RouteSchema>;

export const RuleSchema = z.object({
  family: z.union([z.literal(4), z.literal(6)]),
  priority: z.number().int().min(0),
  /** Selector `from`: a prefix, or `all`. */
  src: z.union([prefix, z.literal('all')]).optional(),
  dst: prefix.optional(),
  iif: name.optional(),
  oif: name.optional(),
  fwmark: str.optional(),
  not: z.boolean().optional(),
  /** `lookup` (with table), `blackhole`, `unreachable`, `prohibit`, `goto`, `nop`. */
  action: z.enum(['lookup', 'blackhole', 'unreachable', 'prohibit', 'goto', 'nop']),
  table: name.optional(),
  goto: z.number().int().optional(),
});
export type Rule = z.infer<typeof RuleSchema>;

export const NeighbourSchema = z.object({
  dst: ip,
  dev: name,
  lladdr: mac.optional(),
  /** `REACHABLE`, `STALE`, `PERMANENT`, `FAILED`, `INCOMPLETE`, `NOARP`... */
  state: z.array(name).max(8).optional(),
  router: z.boolean().optional(),
});
export type Neighbour = z.infer<typeof NeighbourSchema>;

export const FdbEntrySchema = z.object({
  mac,
  dev: name,
  master: name.optional(),
  /** VXLAN remote (`dst 30.0.1.161`). */
  dst: ip.optional(),
  vlan: z.number().int().optional(),
  vni: z.number().int().optional(),
  port: z.number().int().optional(),
  /** `self`, `master`, `permanent`, `static`, `extern_learn`, `offload`, `sticky`. */
  flags: z.array(name).max(16).optional(),
  /** `permanent`, `static`, or absent (learned). */
  state: name.optional(),
});
export type FdbEntry = z.infer<typeof FdbEntrySchema>;

export const NetnsIdSchema = z.object({
  nsid: z.number().int().min(-1),
  /** Name of that namespace when known (`(iproute2 netns name: cni-...)`). */
  name: name.optional(),
  /** Peer-relative id, when `ip netns list-id` printed `current-nsid`. */
  currentNsid: z.number().int().optional(),
});
export type NetnsId = z.infer<typeof NetnsIdSchema>;

export const PodRefSchema = z.object({
  namespace: name,
  name,
  uid: name.optional(),
});
export type PodRef = z.infer<typeof PodRefSchema>;

export const SectionSchema = z.enum(['links', 'addresses', 'routes', 'rules', 'neighbours', 'fdb', 'netnsIds', 'sysctls']);
/** One section of a namespace's evidence. */
export type Section = z.infer<typeof SectionSchema>;

export const NetnsSnapshotSchema = z.object({
  /** `host` for the node's own namespace; the netns name (`cni-…`) otherwise. */
  name,
  kind: z.enum(['host', 'pod', 'other']),
  /** The pod this namespace belongs to, when known. */
  pod: PodRefSchema.optional(),
  /** Where the name came from: `/var/run/netns/cni-…`, `kubectl exec`, `ip netns exec`. */
  source: str.optional(),
  links: z.array(LinkSchema).max(LIMITS.linksPerNetns).optional(),
  addresses: z.array(AddressSchema).max(LIMITS.addressesPerNetns).optional(),
  routes: z.array(RouteSchema).max(LIMITS.routesPerNetns).optional(),
  rules: z.array(RuleSchema).max(LIMITS.rulesPerNetns).optional(),
  neighbours: z.array(NeighbourSchema).max(LIMITS.neighboursPerNetns).optional(),
  fdb: z.array(FdbEntrySchema).max(LIMITS.fdbPerNetns).optional(),
  /** `ip netns list-id` from inside this namespace. */
  netnsIds: z.array(NetnsIdSchema).max(LIMITS.namespaces).optional(),
  /** Raw sysctl values by full key, e.g. `net.ipv4.ip_forward: "1"`. */
  sysctls: z.record(z.string().max(LIMITS.name), z.string().max(LIMITS.name)).optional(),
  /** Sections whose output was filtered (`| grep`, `| head`) and so may be incomplete. */
  filtered: z.array(SectionSchema).max(16).optional(),
});
export type NetnsSnapshot = z.infer<typeof NetnsSnapshotSchema>;

export const K8sPodSchema = z.object({
  namespace: name.optional(),
  name,
  uid: name.optional(),
  ip: ip.optional(),
  ips: z.array(ip).max(16).optional(),
  node: name.optional(),
  hostNetwork: z.boolean().optional(),
  phase: name.optional(),
  ready: z.boolean().optional(),
});
export type K8sPod = z.infer<typeof K8sPodSchema>;

export const K8sNodeSchema = z.object({
  name,
  addresses: z.array(ip).max(64).optional(),
  podCidrs: z.array(prefix).max(64).optional(),
  annotations: z.record(z.string().max(LIMITS.name), z.string().max(LIMITS.string)).optional(),
});
export type K8sNode = z.infer<typeof K8sNodeSchema>;

export const K8sServicePortSchema = z.object({
  name: name.optional(),
  port: z.number().int().min(0).max(65535),
  protocol: z.enum(['TCP', 'UDP', 'SCTP']),
  nodePort: z.number().int().min(0).max(65535).optional(),
});
/** One Service as `kubectl get svc` shows it (ports as `53/UDP,9153/TCP`, `80:30080/TCP`). */
export const K8sServiceSchema = z.object({
  namespace: name.optional(),
  name,
  /** `ClusterIP`, `NodePort`, `LoadBalancer`, `ExternalName`. */
  type: name.optional(),
  /** Absent for a headless Service (`None`). */
  clusterIp: ip.optional(),
  externalIps: z.array(ip).max(64).optional(),
  ports: z.array(K8sServicePortSchema).max(1024).optional(),
});
export type K8sService = z.infer<typeof K8sServiceSchema>;
/** A Service's ready endpoints as `kubectl get endpoints` / `endpointslices` print them. */
export const K8sEndpointsSchema = z.object({
  namespace: name.optional(),
  name,
  addresses: z.array(z.object({ ip, port: z.number().int().min(0).max(65535).optional() })).max(LIMITS.pods),
  /** kubectl cut the list (`+ 3 more...`): more ready endpoints exist than are listed. */
  truncated: z.boolean().optional(),
});
export type K8sEndpoints = z.infer<typeof K8sEndpointsSchema>;
/** kube-proxy's rules on this node, as `iptables-save` prints them (`-A KUBE-SVC-… -j KUBE-SEP-…`), in order. */
export const KubeProxyRulesSchema = z.object({
  mode: z.enum(['iptables', 'ipvs', 'nftables']).optional(),
  /** nat table: PREROUTING/OUTPUT jumps to KUBE-SERVICES and every KUBE-* chain's rules. */
  nat: z.array(str).max(LIMITS.routesPerNetns).optional(),
  /** filter table: KUBE-* rules (the REJECT of Services without endpoints). */
  filter: z.array(str).max(LIMITS.routesPerNetns).optional(),
  /** Read through a filter other than one keeping every KUBE- line: chains may be missing. */
  filtered: z.boolean().optional(),
});
export type KubeProxyRules = z.infer<typeof KubeProxyRulesSchema>;

export const SnapshotSchema = z.object({
  apiVersion: z.literal(SNAPSHOT_API_VERSION),
  kind: z.literal('NodeSnapshot'),
  node: z.object({
    name,
    /** Underlay addresses of the node (InternalIP, the NICs' addresses). */
    addresses: z.array(ip).max(64).optional(),
    podCidrs: z.array(prefix).max(64).optional(),
  }),
  /** ISO 8601 time of collection; absent for transcripts that do not say. */
  collectedAt: z.iso.datetime({ offset: true }).optional(),
  collector: z.object({
    /** `podnet-collector`, `transcript`, `ip-json`, `synthetic`, `collect.sh`. */
    name,
    version: name.optional(),
    /** File or command the evidence came from. */
    source: str.optional(),
  }),
  namespaces: z.array(NetnsSnapshotSchema).max(LIMITS.namespaces),
  kubernetes: z
    .object({
      pods: z.array(K8sPodSchema).max(LIMITS.pods).optional(),
      nodes: z.array(K8sNodeSchema).max(LIMITS.nodes).optional(),
      services: z.array(K8sServiceSchema).max(LIMITS.pods).optional(),
      endpoints: z.array(K8sEndpointsSchema).max(LIMITS.pods).optional(),
      /** The Service ClusterIP range (`--service-cluster-ip-range`). */
      serviceCidrs: z.array(prefix).max(16).optional(),
      kubeProxy: KubeProxyRulesSchema.optional(),
    })
    .optional(),
});
/** One node at one time. */
export type Snapshot = z.infer<typeof SnapshotSchema>;

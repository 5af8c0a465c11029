/**
 * Hand-built topologies for the trace's unit tests. Routes, neighbours and
 * FDB entries are written as iproute2 prints them and parsed by a deliberately
 * small parser here, so a test reads like the node it models. Not a reader:
 * the real parsers live in lib/read.
 */
import { ipFamily, parsePrefix } from '../net/ip';
import type { FdbEntry, LinkKind, Neighbour, Route, RouteType, Section } from '../snapshot/schema';
import type { InterfaceRole, TopoInterface, TopoNetns, TopoNode, TopoPod, Topology } from '../topology/types';

const ROUTE_TYPES = new Set<RouteType>(['unicast', 'local', 'broadcast', 'multicast', 'anycast', 'blackhole', 'unreachable', 'prohibit', 'throw', 'nat']);

/** Parses one `ip route` line (no multipath continuation lines). */
export function route(line: string, table = 'main'): Route {
  const t = line.trim().split(/\s+/);
  let type: RouteType = 'unicast';
  let i = 0;
  if (ROUTE_TYPES.has(t[0] as RouteType)) {
    type = t[0] as RouteType;
    i = 1;
  }
  const dstText = t[i++] ?? 'default';
  const fam = dstText === 'default' ? 4 : (ipFamily(dstText.split('/')[0] ?? '') ?? 4);
  const p = parsePrefix(dstText, fam);
  const r: Route = { family: fam, table, type, dst: p ? `${p.network}/${p.length}` : dstText };
  const flags: string[] = [];
  while (i < t.length) {
    const k = t[i++]!;
    const v = t[i];
    switch (k) {
      case 'via':
        r.gateway = v;
        i++;
        break;
      case 'dev':
        r.dev = v;
        i++;
        break;
      case 'table':
        r.table = v ?? table;
        i++;
        break;
      case 'proto':
        r.protocol = v;
        i++;
        break;
      case 'scope':
        r.scope = v;
        i++;
        break;
      case 'src':
        r.prefsrc = v;
        i++;
        break;
      case 'metric':
        r.metric = Number(v);
        i++;
        break;
      case 'mtu':
        r.mtu = Number(v);
        i++;
        break;
      case 'nexthop': {
        const nh: { gateway?: string; dev?: string; weight?: number } = {};
        while (i < t.length && t[i] !== 'nexthop') {
          const kk = t[i++]!;
          const vv = t[i++];
          if (kk === 'via') nh.gateway = vv;
          else if (kk === 'dev') nh.dev = vv;
          else if (kk === 'weight') nh.weight = Number(vv);
        }
        (r.nexthops ??= []).push(nh);
        break;
      }
      default:
        flags.push(k);
    }
  }
  if (flags.length > 0) r.flags = flags;
  return r;
}

/** Parses one `ip neigh` line. */
export function neigh(line: string): Neighbour {
  const t = line.trim().split(/\s+/);
  const n: Neighbour = { dst: t[0]!, dev: '' };
  const state: string[] = [];
  for (let i = 1; i < t.length; i++) {
    const k = t[i]!;
    if (k === 'dev') n.dev = t[++i]!;
    else if (k === 'lladdr') n.lladdr = t[++i]!;
    else if (k === 'router') n.router = true;
    else state.push(k);
  }
  if (state.length > 0) n.state = state;
  return n;
}

/** Parses one `bridge fdb` line. */
export function fdb(line: string): FdbEntry {
  const t = line.trim().split(/\s+/);
  const e: FdbEntry = { mac: t[0]!, dev: '' };
  const flags: string[] = [];
  for (let i = 1; i < t.length; i++) {
    const k = t[i]!;
    if (k === 'dev') e.dev = t[++i]!;
    else if (k === 'dst') e.dst = t[++i]!;
    else if (k === 'master') e.master = t[++i]!;
    else if (k === 'vlan') e.vlan = Number(t[++i]);
    else if (k === 'vni') e.vni = Number(t[++i]);
    else if (k === 'port') e.port = Number(t[++i]);
    else if (k === 'permanent' || k === 'static') e.state = k;
    else flags.push(k);
  }
  if (flags.length > 0) e.flags = flags;
  return e;
}

/** Options of a hand-built interface; addresses as `10.0.0.1/24`. */
export interface IfaceSpec {
  kind?: LinkKind;
  role?: InterfaceRole;
  mtu?: number;
  mac?: string;
  up?: boolean;
  operState?: string;
  addresses?: string[];
  /** Bridge name in the same netns. */
  master?: string;
  vxlan?: TopoInterface['vxlan'];
  tunnel?: TopoInterface['tunnel'];
  proxyArp?: boolean;
  ifindex?: number;
}

/** Options of a hand-built netns; routes/neighbours/fdb in iproute2 text. */
export interface NetnsSpec {
  kind?: 'host' | 'pod' | 'other';
  pod?: string;
  routes?: string[];
  /** Extra tables: name → lines. */
  tables?: Record<string, string[]>;
  rules?: TopoNetns['rules'];
  neighbours?: string[];
  fdb?: string[];
  sysctls?: Record<string, string>;
  ipForward?: boolean;
  /** Sections to mark known; default: every section given (routes/addresses/links always). */
  known?: Section[];
  filtered?: Section[];
}

/** Builds a Topology from terse literals. */
export class TopoBuilder {
  readonly nodes: TopoNode[] = [];
  readonly namespaces: TopoNetns[] = [];
  readonly interfaces: TopoInterface[] = [];
  readonly pods: TopoPod[] = [];

  node(name: string, addresses: string[], extra: Partial<TopoNode> = {}): this {
    this.nodes.push({ id: name, name, addresses, podCidrs: [], captured: true, tunnels: [], underlay: [], datapath: 'route-based', hostNetns: `${name}/host`, ...extra });
    return this;
  }

  netns(node: string, name: string, spec: NetnsSpec = {}): this {
    const routes: Route[] = (spec.routes ?? []).map((l) => route(l));
    for (const [t, lines] of Object.entries(spec.tables ?? {})) for (const l of lines) routes.push(route(l, t));
    const known: Section[] = spec.known ?? [
      'links',
      'addresses',
      'routes',
      ...(spec.rules ? (['rules'] as const) : []),
      ...(spec.neighbours ? (['neighbours'] as const) : []),
      ...(spec.fdb ? (['fdb'] as const) : []),
      ...(spec.sysctls || spec.ipForward !== undefined ? (['sysctls'] as const) : []),
    ];
    const kind = spec.kind ?? (name === 'host' ? 'host' : 'pod');
    const ns: TopoNetns = {
      id: `${node}/${name}`,
      node,
      name,
      kind,
      interfaces: [],
      routes,
      rules: spec.rules ?? [],
      neighbours: (spec.neighbours ?? []).map(neigh),
      fdb: (spec.fdb ?? []).map(fdb),
      sysctls: spec.sysctls ?? {},
      known,
      filtered: spec.filtered ?? [],
      ipForward: spec.ipForward,
    };
    if (spec.pod) {
      const [namespace, podName] = spec.pod.split('/') as [string, string];
      ns.pod = { namespace, name: podName };
    }
    this.namespaces.push(ns);
    return this;
  }

  iface(node: string, netns: string, name: string, spec: IfaceSpec = {}): this {
    const ns = this.namespaces.find((n) => n.id === `${node}/${netns}`);
    if (!ns) throw new Error(`netns ${node}/${netns} not declared`);
    const id = `${node}/${netns}/${name}`;
    const kind = spec.kind ?? (name === 'lo' ? 'loopback' : 'device');
    const role: InterfaceRole =
      spec.role ??
      (kind === 'loopback'
        ? 'loopback'
        : kind === 'bridge'
          ? 'bridge'
          : kind === 'vxlan'
            ? 'vtep'
            : kind === 'ipip'
              ? 'ip-tunnel'
              : kind === 'veth'
                ? netns === 'host'
                  ? 'host-veth'
                  : 'pod-veth'
                : 'underlay');
    const i: TopoInterface = {
      id,
      node,
      netns: `${node}/${netns}`,
      name,
      kind,
      role,
      mtu: spec.mtu ?? (kind === 'loopback' ? 65536 : 1500),
      mac: spec.mac,
      adminUp: spec.up ?? true,
      operState: spec.operState ?? (spec.up === false ? 'DOWN' : kind === 'loopback' || kind === 'ipip' ? 'UNKNOWN' : 'UP'),
      addresses: (spec.addresses ?? []).map((a) => {
        const [ip, len] = a.split('/') as [string, string | undefined];
        const family = (ipFamily(ip) ?? 4) as 4 | 6;
        return { ip, prefixlen: len === undefined ? (family === 4 ? 32 : 128) : Number(len), family, scope: ip.startsWith('127.') || ip === '::1' ? 'host' : ip.startsWith('fe80') ? 'link' : 'global' };
      }),
      master: spec.master ? `${node}/${netns}/${spec.master}` : undefined,
      vxlan: spec.vxlan,
      tunnel: spec.tunnel,
      proxyArp: spec.proxyArp,
      ifindex: spec.ifindex,
    };
    this.interfaces.push(i);
    ns.interfaces.push(id);
    return this;
  }

  /** A veth pair; `a`/`b` are [node, netns, name]. */
  veth(a: [string, string, string, IfaceSpec?], b: [string, string, string, IfaceSpec?]): this {
    this.iface(a[0], a[1], a[2], { kind: 'veth', ...(a[3] ?? {}) });
    this.iface(b[0], b[1], b[2], { kind: 'veth', ...(b[3] ?? {}) });
    const ia = this.interfaces[this.interfaces.length - 2]!;
    const ib = this.interfaces[this.interfaces.length - 1]!;
    ia.peer = { id: ib.id, state: 'paired', evidence: 'test' };
    ib.peer = { id: ia.id, state: 'paired', evidence: 'test' };
    return this;
  }

  pod(id: string, node: string | undefined, ips: string[], netns?: string, extra: Partial<TopoPod> = {}): this {
    const [namespace, name] = id.split('/') as [string, string];
    this.pods.push({ id, namespace, name, node, ips, netns, ...extra });
    return this;
  }

  build(): Topology {
    return { nodes: this.nodes, namespaces: this.namespaces, interfaces: this.interfaces, pods: this.pods, edges: [], warnings: [] };
  }

  /** Finds a netns (for tests that mutate one). */
  ns(id: string): TopoNetns {
    const ns = this.namespaces.find((n) => n.id === id);
    if (!ns) throw new Error(`no netns ${id}`);
    return ns;
  }

  /** Finds an interface (for tests that mutate one). */
  if(id: string): TopoInterface {
    const i = this.interfaces.find((n) => n.id === id);
    if (!i) throw new Error(`no interface ${id}`);
    return i;
  }
}

/** Options for the flannel VXLAN scenario. */
export interface FlannelOptions {
  /** Node2's flannel.1 MAC as node1's neighbour/FDB entries say (stale entries differ from the real one). */
  node1SeesVtepMac?: string;
  vni2?: number;
  podMtu?: number;
  flannelMtu?: number;
  ipForward2?: boolean;
}

/** node2's real flannel.1 MAC in {@link flannelTwoNodes}. */
export const NODE2_VTEP_MAC = '5e:1f:aa:bb:cc:dd';

/**
 * DOMAIN §3a: pod 10.244.1.2 on node1 → pod 10.244.2.2 on node2, cni0 bridges,
 * flannel.1 VTEPs (VNI 1, UDP 8472) over ens3 30.0.1.160/.161.
 */
export function flannelTwoNodes(o: FlannelOptions = {}): TopoBuilder {
  const b = new TopoBuilder();
  const seen = o.node1SeesVtepMac ?? NODE2_VTEP_MAC;
  b.node('node1', ['30.0.1.160']).node('node2', ['30.0.1.161']);
  // node1
  b.netns('node1', 'host', {
    routes: [
      'default via 30.0.1.254 dev ens3 proto static metric 100',
      '10.244.1.0/24 dev cni0 proto kernel scope link src 10.244.1.1',
      '10.244.2.0/24 via 10.244.2.0 dev flannel.1 onlink',
      '30.0.1.0/24 dev ens3 proto kernel scope link src 30.0.1.160',
    ],
    neighbours: [`10.244.2.0 dev flannel.1 lladdr ${seen} PERMANENT`],
    fdb: [`${seen} dev flannel.1 dst 30.0.1.161 self permanent`],
    ipForward: true,
  });
  b.iface('node1', 'host', 'lo', { addresses: ['127.0.0.1/8'] });
  b.iface('node1', 'host', 'ens3', { mac: '02:00:00:00:01:60', addresses: ['30.0.1.160/24'] });
  b.iface('node1', 'host', 'cni0', { kind: 'bridge', mac: '0a:58:0a:f4:01:01', addresses: ['10.244.1.1/24'], mtu: o.flannelMtu ?? 1450 });
  b.iface('node1', 'host', 'flannel.1', {
    kind: 'vxlan',
    mac: '5e:1f:00:00:01:60',
    addresses: ['10.244.1.0/32'],
    mtu: o.flannelMtu ?? 1450,
    operState: 'UNKNOWN',
    vxlan: { id: 1, local: '30.0.1.160', dev: 'ens3', port: 8472, learning: false },
  });
  b.netns('node1', 'cni-aaaa', {
    pod: 'default/client',
    routes: ['default via 10.244.1.1 dev eth0', '10.244.0.0/16 via 10.244.1.1 dev eth0', '10.244.1.0/24 dev eth0 proto kernel scope link src 10.244.1.2'],
  });
  b.iface('node1', 'cni-aaaa', 'lo', { addresses: ['127.0.0.1/8'] });
  b.veth(
    ['node1', 'cni-aaaa', 'eth0', { mac: '0a:58:0a:f4:01:02', addresses: ['10.244.1.2/24'], mtu: o.podMtu ?? 1450 }],
    ['node1', 'host', 'veth1a', { mac: 'f6:00:00:00:01:02', master: 'cni0', mtu: o.podMtu ?? 1450 }],
  );
  b.pod('default/client', 'node1', ['10.244.1.2'], 'node1/cni-aaaa');
  // node2
  b.netns('node2', 'host', {
    routes: [
      'default via 30.0.1.254 dev ens3 proto static metric 100',
      '10.244.1.0/24 via 10.244.1.0 dev flannel.1 onlink',
      '10.244.2.0/24 dev cni0 proto kernel scope link src 10.244.2.1',
      '30.0.1.0/24 dev ens3 proto kernel scope link src 30.0.1.161',
    ],
    neighbours: ['10.244.1.0 dev flannel.1 lladdr 5e:1f:00:00:01:60 PERMANENT'],
    fdb: ['5e:1f:00:00:01:60 dev flannel.1 dst 30.0.1.160 self permanent'],
    ipForward: o.ipForward2 ?? true,
  });
  b.iface('node2', 'host', 'lo', { addresses: ['127.0.0.1/8'] });
  b.iface('node2', 'host', 'ens3', { mac: '02:00:00:00:01:61', addresses: ['30.0.1.161/24'] });
  b.iface('node2', 'host', 'cni0', { kind: 'bridge', mac: '0a:58:0a:f4:02:01', addresses: ['10.244.2.1/24'], mtu: 1450 });
  b.iface('node2', 'host', 'flannel.1', {
    kind: 'vxlan',
    mac: NODE2_VTEP_MAC,
    addresses: ['10.244.2.0/32'],
    mtu: 1450,
    operState: 'UNKNOWN',
    vxlan: { id: o.vni2 ?? 1, local: '30.0.1.161', dev: 'ens3', port: 8472, learning: false },
  });
  b.netns('node2', 'cni-bbbb', {
    pod: 'default/server',
    routes: ['default via 10.244.2.1 dev eth0', '10.244.0.0/16 via 10.244.2.1 dev eth0', '10.244.2.0/24 dev eth0 proto kernel scope link src 10.244.2.2'],
  });
  b.iface('node2', 'cni-bbbb', 'lo', { addresses: ['127.0.0.1/8'] });
  b.veth(
    ['node2', 'cni-bbbb', 'eth0', { mac: '0a:58:0a:f4:02:02', addresses: ['10.244.2.2/24'], mtu: 1450 }],
    ['node2', 'host', 'veth2a', { mac: 'f6:00:00:00:02:02', master: 'cni0', mtu: 1450 }],
  );
  b.pod('default/server', 'node2', ['10.244.2.2'], 'node2/cni-bbbb');
  return b;
}

/**
 * DOMAIN §3c: Calico IPIP. Pod 10.244.7.65 on node-a → pod 10.244.9.2 on
 * node-b; cali veths with proxy ARP and no IPv4, tunl0 on each node.
 */
export function calicoIpipTwoNodes(): TopoBuilder {
  const b = new TopoBuilder();
  b.node('node-a', ['192.168.50.11']).node('node-b', ['192.168.50.12']);
  b.netns('node-a', 'host', {
    routes: [
      'default via 192.168.50.1 dev eth0 proto static',
      'blackhole 10.244.7.64/26 proto bird',
      '10.244.7.65 dev calia1b2c3d4e5f scope link',
      '10.244.9.0/26 via 192.168.50.12 dev tunl0 proto bird onlink',
      '192.168.50.0/24 dev eth0 proto kernel scope link src 192.168.50.11',
    ],
    ipForward: true,
  });
  b.iface('node-a', 'host', 'lo', { addresses: ['127.0.0.1/8'] });
  b.iface('node-a', 'host', 'eth0', { mac: '52:54:00:00:00:11', addresses: ['192.168.50.11/24'] });
  b.iface('node-a', 'host', 'tunl0', { kind: 'ipip', addresses: ['10.244.7.64/32'], mtu: 1480, tunnel: { mode: 'ipip' } });
  b.netns('node-a', 'cni-a1', {
    pod: 'default/web',
    routes: ['default via 169.254.1.1 dev eth0', '169.254.1.1 dev eth0 scope link'],
  });
  b.iface('node-a', 'cni-a1', 'lo', { addresses: ['127.0.0.1/8'] });
  b.veth(
    ['node-a', 'cni-a1', 'eth0', { mac: '6a:00:00:00:07:65', addresses: ['10.244.7.65/32'], mtu: 1480 }],
    ['node-a', 'host', 'calia1b2c3d4e5f', { mac: 'ee:ee:ee:ee:ee:ee', mtu: 1480 }],
  );
  b.pod('default/web', 'node-a', ['10.244.7.65'], 'node-a/cni-a1');
  b.netns('node-b', 'host', {
    routes: [
      'default via 192.168.50.1 dev eth0 proto static',
      'blackhole 10.244.9.0/26 proto bird',
      '10.244.9.2 dev cali0f9e8d7c6b5 scope link',
      '10.244.7.64/26 via 192.168.50.11 dev tunl0 proto bird onlink',
      '192.168.50.0/24 dev eth0 proto kernel scope link src 192.168.50.12',
    ],
    ipForward: true,
  });
  b.iface('node-b', 'host', 'lo', { addresses: ['127.0.0.1/8'] });
  b.iface('node-b', 'host', 'eth0', { mac: '52:54:00:00:00:12', addresses: ['192.168.50.12/24'] });
  b.iface('node-b', 'host', 'tunl0', { kind: 'ipip', addresses: ['10.244.9.0/32'], mtu: 1480, tunnel: { mode: 'ipip' } });
  b.netns('node-b', 'cni-b1', {
    pod: 'default/db',
    routes: ['default via 169.254.1.1 dev eth0', '169.254.1.1 dev eth0 scope link'],
  });
  b.iface('node-b', 'cni-b1', 'lo', { addresses: ['127.0.0.1/8'] });
  b.veth(
    ['node-b', 'cni-b1', 'eth0', { mac: '6a:00:00:00:09:02', addresses: ['10.244.9.2/32'], mtu: 1480 }],
    ['node-b', 'host', 'cali0f9e8d7c6b5', { mac: 'ee:ee:ee:ee:ee:ee', mtu: 1480 }],
  );
  b.pod('default/db', 'node-b', ['10.244.9.2'], 'node-b/cni-b1');
  return b;
}

/**
 * The pasted capture (shared/captures/cni0-host-routes-single-node.txt): one
 * node 10.30.180.56, cni0 172.22.0.1/24, host route to 172.22.1.0/24 via the
 * uncaptured node 10.30.180.55.
 */
export function hostGwSingleNode(): TopoBuilder {
  const b = new TopoBuilder();
  b.node('10.30.180.56', ['10.30.180.56']);
  b.node('10.30.180.55', ['10.30.180.55'], { captured: false, hostNetns: undefined, podCidrs: ['172.22.1.0/24'] });
  b.netns('10.30.180.56', 'host', {
    routes: [
      'default via 10.30.180.254 dev eth0 proto static metric 100',
      '10.30.180.0/24 dev eth0 proto kernel scope link src 10.30.180.56 metric 100',
      '172.22.0.0/24 dev cni0 proto kernel scope link src 172.22.0.1',
      '172.22.1.0/24 via 10.30.180.55 dev eth0',
    ],
    filtered: ['routes'],
  });
  b.iface('10.30.180.56', 'host', 'eth0', { addresses: ['10.30.180.56/24'], mtu: undefined });
  b.iface('10.30.180.56', 'host', 'cni0', { kind: 'bridge', mac: 'aa:8d:2f:44:14:b0', addresses: ['172.22.0.1/24'] });
  b.netns('10.30.180.56', 'signin', {
    pod: 'dev/signin-test-a-8bcd5db69-9z2c5',
    routes: ['default via 172.22.0.1 dev eth0', '172.22.0.0/24 dev eth0 scope link src 172.22.0.253', '172.22.0.0/16 via 172.22.0.1 dev eth0'],
  });
  b.iface('10.30.180.56', 'signin', 'lo');
  b.veth(
    ['10.30.180.56', 'signin', 'eth0', { mac: 'c2:ce:72:1b:97:6e', addresses: ['172.22.0.253/24'], ifindex: 2 }],
    ['10.30.180.56', 'host', 'veth12acb4c1', { mac: 'be:78:61:7f:a4:25', master: 'cni0', ifindex: 220 }],
  );
  b.pod('dev/signin-test-a-8bcd5db69-9z2c5', '10.30.180.56', ['172.22.0.253'], '10.30.180.56/signin');
  return b;
}

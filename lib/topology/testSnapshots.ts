/**
 * Tiny literal snapshots for the topology tests: each helper returns a
 * wire-shape object exactly as a reader would, with only the fields a test
 * cares about.
 */
import type { Address, FdbEntry, Link, NetnsSnapshot, Neighbour, PodRef, Route, Snapshot } from '../snapshot/schema';
import { SNAPSHOT_API_VERSION } from '../snapshot/schema';

/** A node snapshot. */
export function snapshot(node: string, namespaces: NetnsSnapshot[], extra: Partial<Omit<Snapshot, 'node'>> & { addresses?: string[]; podCidrs?: string[] } = {}): Snapshot {
  const { addresses, podCidrs, ...rest } = extra;
  const header: Snapshot['node'] = { name: node };
  if (addresses !== undefined) header.addresses = addresses;
  if (podCidrs !== undefined) header.podCidrs = podCidrs;
  return { apiVersion: SNAPSHOT_API_VERSION, kind: 'NodeSnapshot', node: header, collector: { name: 'test' }, namespaces, ...rest };
}

/** The host netns. */
export function hostNs(parts: Omit<Partial<NetnsSnapshot>, 'name' | 'kind'> = {}): NetnsSnapshot {
  return { name: 'host', kind: 'host', ...parts };
}

/** A pod netns. */
export function podNs(name: string, pod: PodRef | undefined, parts: Omit<Partial<NetnsSnapshot>, 'name' | 'kind'> = {}): NetnsSnapshot {
  const ns: NetnsSnapshot = { name, kind: 'pod', ...parts };
  if (pod !== undefined) ns.pod = pod;
  return ns;
}

/** A link with UP,LOWER_UP flags. */
export function link(name: string, ifindex: number | undefined, parts: Partial<Link> = {}): Link {
  const l: Link = { name, flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'], ...parts };
  if (ifindex !== undefined) l.ifindex = ifindex;
  return l;
}

/** A veth end naming its peer's ifindex (`name@ifN`), optionally its peer netns id. */
export function veth(name: string, ifindex: number | undefined, peerIfindex: number | undefined, parts: Partial<Link> & { netnsId?: number } = {}): Link {
  const { netnsId, ...rest } = parts;
  const peer: Link['peer'] = {};
  if (peerIfindex !== undefined) peer.ifindex = peerIfindex;
  if (netnsId !== undefined) peer.netnsId = netnsId;
  return link(name, ifindex, { kind: 'veth', peer, mtu: 1500, ...rest });
}

/** An address from `10.0.0.1/24` notation. */
export function addr(ifname: string, cidr: string, parts: Partial<Address> = {}): Address {
  const [local = '', len = '32'] = cidr.split('/');
  return { ifname, local, prefixlen: Number(len), family: local.includes(':') ? 6 : 4, scope: 'global', ...parts };
}

/** A main-table unicast IPv4 route. */
export function route(dst: string, parts: Partial<Route> = {}): Route {
  return { family: 4, table: 'main', type: 'unicast', dst, ...parts };
}

/** A VXLAN FDB entry (`MAC dev DEV dst IP self permanent`). */
export function fdb(mac: string, dev: string, dst?: string, parts: Partial<FdbEntry> = {}): FdbEntry {
  const e: FdbEntry = { mac, dev, flags: ['self'], state: 'permanent', ...parts };
  if (dst !== undefined) e.dst = dst;
  return e;
}

/** A permanent neighbour entry. */
export function neigh(dst: string, dev: string, lladdr: string): Neighbour {
  return { dst, dev, lladdr, state: ['PERMANENT'] };
}

/** A flannel VXLAN node: eth0 on 192.168.0.0/24 (`.N`), flannel.1 10.244.N.0, cni0 10.244.N.1/24. */
export function flannelHost(n: number, parts: { fdb?: FdbEntry[]; neighbours?: Neighbour[]; routes?: Route[]; vtepMac?: string; links?: Link[]; addresses?: Address[] } = {}): NetnsSnapshot {
  const vtepMac = parts.vtepMac ?? `0a:00:00:00:00:0${n}`;
  return hostNs({
    links: [
      link('lo', 1, { kind: 'loopback', mtu: 65536 }),
      link('eth0', 2, { kind: 'device', mtu: 1500 }),
      link('flannel.1', 3, { kind: 'vxlan', mtu: 1450, mac: vtepMac, vxlan: { id: 1, local: `192.168.0.${n}`, dev: 'eth0' } }),
      link('cni0', 4, { kind: 'bridge', mtu: 1450 }),
      ...(parts.links ?? []),
    ],
    addresses: [
      addr('lo', '127.0.0.1/8', { scope: 'host' }),
      addr('eth0', `192.168.0.${n}/24`),
      addr('flannel.1', `10.244.${n}.0/32`),
      addr('cni0', `10.244.${n}.1/24`),
      ...(parts.addresses ?? []),
    ],
    routes: [
      route('0.0.0.0/0', { gateway: '192.168.0.254', dev: 'eth0' }),
      route('192.168.0.0/24', { dev: 'eth0', protocol: 'kernel', scope: 'link', prefsrc: `192.168.0.${n}` }),
      route(`10.244.${n}.0/24`, { dev: 'cni0', protocol: 'kernel', scope: 'link', prefsrc: `10.244.${n}.1` }),
      ...(parts.routes ?? []),
    ],
    fdb: parts.fdb ?? [],
    neighbours: parts.neighbours ?? [],
    sysctls: { 'net.ipv4.ip_forward': '1' },
  });
}

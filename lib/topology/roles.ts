/**
 * The part each interface plays (DOMAIN §1). Kinds come from `ip -d link` /
 * `ip -j -d link`; text `ip addr` never prints one, so names and relations
 * (ports of a bridge, routes to pods, the default route's device) decide when
 * the kind is unknown. A known kind always beats a name.
 */
import type { InterfaceAddress, InterfaceRole, TopoInterface } from './types';
import type { Route } from '../snapshot/schema';
import type { NsWork } from './cluster';
import { canon, forEachHop, isDefaultDst, isGlobalAddress, isMainTable } from './addr';
import { ipv4Mask, ipv4ToNumber, sameSubnet } from '../net/ip';

const BRIDGE_NAMES = new Set(['cni0', 'docker0', 'cbr0']);
const VTEP_NAME = /^(flannel\.\d+|vxlan\.calico|vxlan-v6\.calico|cilium_vxlan|cilium_geneve|vxlan[.\-_].+)$/;
const TUNNEL_NAME = /^(tunl0|wireguard\.cali|wg-v6\.cali|flannel-wg(-v6)?)$/;
const HOST_VETH_NAME = /^(veth|cali|lxc)/;
/** A veth pair inside the host netns (Cilium's own plumbing, Calico eBPF's NAT devices), not a pod's veth. */
const HOST_INTERNAL_VETH = new Set(['cilium_host', 'cilium_net', 'bpfin.cali', 'bpfout.cali']);
/** Devices that hold addresses but carry no node-to-node traffic: service VIPs, node-local DNS, Cilium's host device. */
const NOT_UNDERLAY_NAME = /^(kube-ipvs0|nodelocaldns|cilium_.*|docker_gwbridge|virbr\d+)$/;
const UNDERLAY_KINDS = new Set<string | undefined>([undefined, 'device', 'bond', 'vlan', 'macvlan', 'ipvlan', 'other']);

/** Devices that make a node's datapath eBPF (Cilium) rather than route-based. */
export function isCiliumDevice(name: string): boolean {
  return name === 'cilium_host' || name === 'cilium_net' || name === 'cilium_vxlan' || name === 'cilium_geneve' || name.startsWith('lxc');
}

/**
 * Devices only Calico's eBPF dataplane creates (felix's BPFInDev/BPFOutDev, the veth pair its
 * programs use for NAT): with them, tc programs on cali* and the NIC forward pod traffic.
 */
export function isCalicoEbpfDevice(name: string): boolean {
  return name === 'bpfin.cali' || name === 'bpfout.cali';
}

/**
 * Assigns roles in one namespace. `nodeAddresses` are the node's addresses
 * from the snapshot header: the device holding one is an underlay NIC.
 */
export function assignRoles(ns: NsWork, nodeAddresses: readonly string[]): void {
  // Indexed loops over the interfaces: this runs for each of a hundred thousand namespaces.
  const list = ns.list;
  let ports: Set<string> | undefined;
  for (let i = 0; i < list.length; i++) {
    const master = (list[i] as TopoInterface).master;
    if (master !== undefined) (ports ??= new Set()).add(master);
  }
  if (!ns.isHost) {
    // A pod netns: no routes or node addresses decide a role there, so no tables for them.
    for (let i = 0; i < list.length; i++) {
      const iface = list[i] as TopoInterface;
      iface.role = roleOf(iface, ns, ports !== undefined && ports.has(iface.id), NONE, NONE);
    }
    return;
  }
  const routedDevs = new Set<string>();
  const underlayNames = new Set<string>();
  {
    // Most routes have one next hop: read it in place rather than through
    // forEachHop's closure and hop object (a host of a big cluster has a
    // route per other node).
    const routes = ns.topo.routes;
    for (let r = 0; r < routes.length; r++) {
      const route = routes[r] as Route;
      const isDefault = isDefaultDst(route.dst) && isMainTable(route.table);
      if (route.nexthops === undefined || route.nexthops.length === 0) {
        if (route.dev === undefined) continue;
        routedDevs.add(route.dev);
        if (isDefault) underlayNames.add(route.dev);
        continue;
      }
      forEachHop(route, (hop) => {
        if (hop.dev === undefined) return;
        routedDevs.add(hop.dev);
        if (isDefault) underlayNames.add(hop.dev);
      });
    }
    const owners = new Map<string, string>();
    for (const iface of ns.list) for (const a of iface.addresses) owners.set(a.ip, iface.name);
    // A gateway on the device's own subnet (host-gw: `10.244.1.0/24 via 192.168.50.11 dev eth0`)
    // marks that device as the one facing other nodes.
    // Each device's subnets are worked out once, not per route (a host of a
    // big cluster has a thousand routes through its VTEP).
    const subnets = new Map<string, Subnet[] | null>();
    const subnetsOf = (devName: string): Subnet[] | null => {
      let known = subnets.get(devName);
      if (known === undefined) {
        const dev = ns.get(devName);
        known = dev === undefined || dev.master !== undefined ? null : dev.addresses.filter(isGlobalAddress).map(toSubnet);
        subnets.set(devName, known);
      }
      return known;
    };
    const check = (devName: string, gw: string): void => {
      // Already marked: another gateway cannot unmark it.
      if (underlayNames.has(devName)) return;
      const list = subnetsOf(devName);
      if (list === null || list.length === 0) return;
      const g = ipv4ToNumber(gw);
      for (const sub of list) {
        const on = g !== null && sub.mask !== null ? ((g & sub.mask) >>> 0) === sub.net : onSubnet(gw, sub.ip, sub.length);
        if (on) {
          underlayNames.add(devName);
          return;
        }
      }
    };
    for (let r = 0; r < routes.length; r++) {
      const route = routes[r] as Route;
      if (!isMainTable(route.table)) continue;
      if (route.nexthops === undefined || route.nexthops.length === 0) {
        if (route.dev !== undefined && route.gateway !== undefined) check(route.dev, route.gateway);
        continue;
      }
      forEachHop(route, (hop) => {
        if (hop.dev !== undefined && hop.gateway !== undefined) check(hop.dev, hop.gateway);
      });
    }
    const ownerOf = (ip: string | undefined): string | undefined => (ip === undefined ? undefined : owners.get(canon(ip)));
    for (const iface of ns.list) {
      for (const dev of [iface.vxlan?.dev, iface.tunnel?.dev, ownerOf(iface.vxlan?.local), ownerOf(iface.tunnel?.local)]) {
        if (dev !== undefined) underlayNames.add(dev);
      }
    }
    for (const a of nodeAddresses) {
      const owner = ownerOf(a);
      if (owner !== undefined) underlayNames.add(owner);
    }
  }
  for (const iface of ns.list) {
    iface.role = roleOf(iface, ns, ports !== undefined && ports.has(iface.id), routedDevs, underlayNames);
  }
}

const NONE: ReadonlySet<string> = new Set();

/** A global address's subnet, as numbers when it is plain IPv4 with a valid length. */
interface Subnet {
  ip: string;
  length: number;
  net: number;
  mask: number | null;
}

function toSubnet(a: InterfaceAddress): Subnet {
  const b = ipv4ToNumber(a.ip);
  const length = a.prefixlen;
  if (b === null || length < 0 || length > 32 || !Number.isInteger(length)) return { ip: a.ip, length, net: 0, mask: null };
  const mask = ipv4Mask(length);
  return { ip: a.ip, length, net: (b & mask) >>> 0, mask };
}

/** sameSubnet, with plain IPv4 compared as numbers (no prefix text built and parsed per route). */
function onSubnet(ip: string, other: string, length: number): boolean {
  const a = ipv4ToNumber(ip);
  const b = a === null ? null : ipv4ToNumber(other);
  if (a === null || b === null || length < 0 || length > 32 || !Number.isInteger(length)) return sameSubnet(ip, other, length);
  const mask = ipv4Mask(length);
  return ((a & mask) >>> 0) === ((b & mask) >>> 0);
}

function roleOf(
  iface: TopoInterface,
  ns: NsWork,
  hasPorts: boolean,
  routedDevs: ReadonlySet<string>,
  underlayNames: ReadonlySet<string>,
): InterfaceRole {
  const { kind, name } = iface;
  if (kind === 'loopback' || (kind === undefined && name === 'lo')) return 'loopback';
  if (kind === 'bridge') return 'bridge';
  if (kind === undefined && (BRIDGE_NAMES.has(name) || (hasPorts && !/^(bond|team)/.test(name)))) return 'bridge';
  if (kind === 'vxlan' || kind === 'geneve' || iface.vxlan !== undefined) return 'vtep';
  if (kind === undefined && VTEP_NAME.test(name)) return 'vtep';
  if (kind === 'ipip' || kind === 'gre' || kind === 'wireguard' || iface.tunnel !== undefined) return 'ip-tunnel';
  if (kind === undefined && TUNNEL_NAME.test(name)) return 'ip-tunnel';
  if (HOST_INTERNAL_VETH.has(name)) return 'other';
  if (ns.isHost) {
    // Nodes that are containers or VMs on a veth (kind, the kernel lab) reach other nodes through a
    // veth that holds the node's address and is no bridge port: it is their underlay NIC.
    if ((kind === 'veth' || kind === undefined) && iface.master === undefined && underlayNames.has(name) && iface.addresses.some(isGlobalAddress)) {
      return 'underlay';
    }
    if (kind === 'veth') return 'host-veth';
    // The wire's peer is read only without a kind: collectors give kinds, and this runs for 334,000 interfaces.
    if (kind === undefined && ns.wire(name)?.peer?.ifindex !== undefined) return 'host-veth';
    if (kind === undefined && HOST_VETH_NAME.test(name) && (iface.master !== undefined || routedDevs.has(name))) return 'host-veth';
    if (UNDERLAY_KINDS.has(kind) && !NOT_UNDERLAY_NAME.test(name)) {
      if (underlayNames.has(name)) return 'underlay';
      if (iface.addresses.some(isGlobalAddress)) return 'underlay';
    }
    return 'other';
  }
  // Inside a pod: `eth0@if220` is the pod end of a veth even when `ip link` printed no kind.
  if (kind === 'veth') return 'pod-veth';
  if (kind === undefined && ns.wire(name)?.peer?.ifindex !== undefined) return 'pod-veth';
  return 'other';
}

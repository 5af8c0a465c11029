/**
 * Per-device and per-netns facts the forwarding stages consult: link state,
 * L2 vs L3 devices, and the sysctls that gate forwarding (`ip_forward`,
 * `rp_filter`).
 */
import { canonicalIp } from '../net/ip';
import type { TopoInterface, TopoNetns } from '../topology/types';
import type { TopologyIndex } from '../topology/topologyIndex';

/** Why a device cannot pass packets, or null when it can (or the evidence does not say). */
export function linkDownReason(i: TopoInterface): string | null {
  if (i.adminUp === false) return `${i.name} is administratively down (no UP flag)`;
  const s = i.operState?.toUpperCase();
  if (s === 'DOWN' || s === 'LOWERLAYERDOWN') return `${i.name} is in state ${s}`;
  return null;
}

/** Devices that carry IP without link-layer addresses: no neighbour resolution happens on them. */
export function isL3Device(i: TopoInterface): boolean {
  switch (i.kind) {
    case 'ipip':
    case 'gre':
    case 'tun':
    case 'wireguard':
    case 'loopback':
      return true;
    default:
      return i.role === 'ip-tunnel' || i.role === 'loopback';
  }
}

/** `net.ipv4.ip_forward` of a netns: true/false when known, undefined when the evidence does not say. */
export function ipForwardOf(ns: TopoNetns): boolean | undefined {
  if (ns.ipForward !== undefined) return ns.ipForward;
  const v = ns.sysctls['net.ipv4.ip_forward'] ?? ns.sysctls['net/ipv4/ip_forward'];
  if (v === undefined) return undefined;
  return v.trim() !== '0';
}

function sysctlNumber(ns: TopoNetns, key: string): number | undefined {
  const v = ns.sysctls[key];
  if (v === undefined) return undefined;
  const n = Number(v.trim());
  return Number.isFinite(n) ? n : undefined;
}

/**
 * Effective `rp_filter` of an interface: the kernel uses the maximum of
 * `conf.all` and `conf.<iface>`. Interface names with dots appear with `/`
 * in `sysctl -a` (`net.ipv4.conf.flannel/1.rp_filter`). Undefined when
 * neither is in the evidence.
 */
export function rpFilterOf(ns: TopoNetns, ifname: string): number | undefined {
  const all = sysctlNumber(ns, 'net.ipv4.conf.all.rp_filter');
  const dev = sysctlNumber(ns, `net.ipv4.conf.${ifname}.rp_filter`) ?? sysctlNumber(ns, `net.ipv4.conf.${ifname.replace(/\./g, '/')}.rp_filter`);
  if (all === undefined && dev === undefined) return undefined;
  return Math.max(all ?? 0, dev ?? 0);
}

/**
 * True when an interface carries node-to-node traffic: the underlay role, or
 * a host-netns veth with no known peer that holds one of the node's
 * addresses (labs and some VMs wire the uplink as a veth into a switch netns
 * nobody captured).
 */
export function actsAsUnderlay(idx: TopologyIndex, i: TopoInterface): boolean {
  if (i.role === 'underlay') return true;
  if (i.kind !== 'veth' || idx.peerOf(i)) return false;
  const ns = idx.netns(idx.netnsOf(i));
  if (ns?.kind !== 'host') return false;
  const node = idx.node(i.node);
  if (!node) return false;
  const mine = new Set(node.addresses.map(canonicalIp));
  return i.addresses.some((a) => mine.has(canonicalIp(a.ip)));
}

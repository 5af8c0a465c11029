/**
 * MTU consistency (DOMAIN §4): a tunnel must fit inside its underlay after
 * encapsulation, and a pod must not send packets its node's tunnel cannot
 * carry. Mismatches are among the most common real faults, so the graph
 * flags them on the edge where they bite.
 */
import type { TopoInterface } from './types';
import type { Route } from '../snapshot/schema';
import type { Cluster, NodeWork, NsWork } from './cluster';
import { isCiliumDevice } from './roles';

/** Bytes each encapsulation adds in front of the inner packet (IPv4 outer header). */
export const ENCAP_OVERHEAD = {
  vxlan: 50,
  geneve: 50,
  ipip: 20,
  gre: 24,
  wireguard: 60,
} as const;

/** What a tunnel device costs in bytes on its underlay, when its kind or name says. */
export function tunnelOverhead(tunnel: TopoInterface): number | undefined {
  switch (tunnel.kind) {
    case 'vxlan':
      return ENCAP_OVERHEAD.vxlan;
    case 'geneve':
      return ENCAP_OVERHEAD.geneve;
    case 'ipip':
      return ENCAP_OVERHEAD.ipip;
    case 'gre':
      return ENCAP_OVERHEAD.gre;
    case 'wireguard':
      return ENCAP_OVERHEAD.wireguard;
    case undefined:
      break;
    default:
      return undefined;
  }
  if (tunnel.vxlan !== undefined || tunnel.role === 'vtep') return tunnel.name === 'cilium_geneve' ? ENCAP_OVERHEAD.geneve : ENCAP_OVERHEAD.vxlan;
  if (tunnel.tunnel?.mode === 'gre') return ENCAP_OVERHEAD.gre;
  if (tunnel.tunnel !== undefined || tunnel.name === 'tunl0') return ENCAP_OVERHEAD.ipip;
  if (/wireguard|wg/.test(tunnel.name)) return ENCAP_OVERHEAD.wireguard;
  return undefined;
}

/** True (and warned) when a tunnel's MTU does not fit its underlay NIC's MTU after encapsulation. */
export function checkTunnelFits(tunnel: TopoInterface, nic: TopoInterface, cluster: Cluster, subject: string): boolean {
  const overhead = tunnelOverhead(tunnel);
  if (overhead === undefined || nic.mtu === undefined) return false;
  const limit = nic.mtu - overhead;
  if (isCiliumDevice(tunnel.name)) {
    const node = cluster.nodes.get(tunnel.node);
    const input = node === undefined ? undefined : ciliumTunnelInput(node);
    if (input === undefined || input.mtu <= limit) return false;
    cluster.warnings.add(
      `Cilium lets ${input.mtu}-byte packets into ${tunnel.name} (${input.what}), above ${nic.name} MTU ${nic.mtu} minus ${overhead} bytes of encapsulation (${limit}) on ${tunnel.node}`,
      tunnel.node,
      subject,
    );
    return true;
  }
  if (tunnel.mtu === undefined || tunnel.mtu <= limit) return false;
  cluster.warnings.add(
    `${tunnel.name} MTU ${tunnel.mtu} exceeds ${nic.name} MTU ${nic.mtu} minus ${overhead} bytes of encapsulation (${limit}) on ${tunnel.node}`,
    tunnel.node,
    subject,
  );
  return true;
}

/**
 * The largest packet Cilium lets into its tunnel on a node. Cilium leaves
 * cilium_vxlan / cilium_geneve at the device default (1500, more than the
 * underlay can carry after encapsulation) and keeps packets small elsewhere:
 * the MTU of the routes it installs (`10.0.2.0/24 via … dev cilium_host … mtu 1450`,
 * a pod's `default via … mtu 1450`) and of pods' eth0 and cilium_host. So the
 * routes that leave a namespace through a gateway — pod to other nodes, host
 * to remote pod CIDRs — decide, each capped by its device's MTU. Undefined
 * when the evidence holds none of them: then nothing can be said.
 */
function ciliumTunnelInput(node: NodeWork): { mtu: number; what: string } | undefined {
  let best: { mtu: number; what: string } | undefined;
  const consider = (mtu: number | undefined, what: string): void => {
    if (mtu !== undefined && (best === undefined || mtu > best.mtu)) best = { mtu, what };
  };
  for (let n = 0; n < node.namespaces.length; n++) {
    const ns = node.namespaces[n] as NsWork;
    const where = ns.isHost ? node.name : ns.topo.pod !== undefined ? `${ns.topo.pod.namespace}/${ns.topo.pod.name}` : ns.topo.name;
    let routed = false;
    for (const route of ns.topo.routes) {
      if (route.type !== 'unicast' || route.gateway === undefined || route.dev === undefined) continue;
      if (ns.isHost && route.dev !== 'cilium_host') continue;
      const dev = ns.get(route.dev);
      if (!ns.isHost && dev?.role !== 'pod-veth') continue;
      routed = true;
      consider(capped(route, dev), routeWords(route, dev, where));
    }
    if (routed || ns.isHost) continue;
    // A pod netns whose routes were not captured: its eth0 MTU is all there is.
    for (const iface of ns.list) if (iface.role === 'pod-veth') consider(iface.mtu, `${iface.name} MTU ${iface.mtu ?? '?'} in ${where}`);
  }
  return best;
}

/** A route's effective MTU: its own `mtu`, never above its device's. */
function capped(route: Route, dev: TopoInterface | undefined): number | undefined {
  if (route.mtu === undefined) return dev?.mtu;
  return dev?.mtu === undefined ? route.mtu : Math.min(route.mtu, dev.mtu);
}

function routeWords(route: Route, dev: TopoInterface | undefined, where: string): string {
  const mtu = route.mtu !== undefined ? ` mtu ${route.mtu}` : '';
  const devMtu = dev?.mtu !== undefined ? `, ${dev.name} MTU ${dev.mtu}` : '';
  return `route ${route.dst} via ${route.gateway ?? '?'} dev ${route.dev ?? '?'}${mtu} in ${where}${devMtu}`;
}

/**
 * Warns, once per node, when pods' eth0 MTU exceeds the smallest MTU of the
 * node's tunnels in use (`active`): full-size packets to other nodes would be dropped (DF) or
 * fragmented at the tunnel.
 */
export function checkPodMtus(cluster: Cluster, active: ReadonlySet<TopoInterface>): void {
  for (const node of cluster.nodes.values()) {
    const host = node.host;
    if (host === undefined) continue;
    let tunnel: TopoInterface | undefined;
    for (const iface of host.list) {
      // Only tunnels that carry traffic: Calico leaves an idle tunl0 (MTU 1480) beside 1500-byte pods in BGP mode.
      if (active.has(iface) && iface.mtu !== undefined) {
        if (tunnel === undefined || (tunnel.mtu !== undefined && iface.mtu < tunnel.mtu)) tunnel = iface;
      }
    }
    if (tunnel?.mtu === undefined) continue;
    const over: string[] = [];
    let mtu = 0;
    // Indexed loops: a hundred thousand pod namespaces, and this runs once, so OSR code with iterators would allocate.
    const namespaces = node.namespaces;
    for (let n = 0; n < namespaces.length; n++) {
      const ns = namespaces[n] as NsWork;
      if (ns.isHost) continue;
      for (let i = 0; i < ns.list.length; i++) {
        const iface = ns.list[i] as TopoInterface;
        if (iface.role === 'pod-veth' && iface.mtu !== undefined && iface.mtu > tunnel.mtu) {
          over.push(ns.topo.pod ? `${ns.topo.pod.namespace}/${ns.topo.pod.name}` : ns.topo.name);
          mtu = Math.max(mtu, iface.mtu);
        }
      }
    }
    if (over.length === 0) continue;
    const names = over.slice(0, 5).join(', ') + (over.length > 5 ? ` and ${over.length - 5} more` : '');
    cluster.warnings.add(
      `${over.length} pod(s) on ${node.name} have eth0 MTU up to ${mtu}, above ${tunnel.name} MTU ${tunnel.mtu}: ${names}`,
      node.name,
      tunnel.id,
    );
  }
}
